from tests.browser.conftest import browser, live_demo, log_in, new_page, page  # noqa: F401
