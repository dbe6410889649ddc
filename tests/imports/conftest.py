from tests.chain.conftest import campaign, demo, media_root, org, users  # noqa: F401
