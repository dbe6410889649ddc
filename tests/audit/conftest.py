from tests.chain.conftest import campaign, demo, media_root, org, users  # noqa: F401
from tests.reviews.conftest import forwarded, members  # noqa: F401
