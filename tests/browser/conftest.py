"""Browser tests: headless Debian chromium driven by Playwright against pytest-django's live server.

Playwright cannot download browsers here, so it drives the system chromium. Without it the tests
skip, unless MARQUEE_BROWSER_REQUIRED=1 (CI), where a missing browser is a failure.
"""

import os
import threading
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, and Django refuses database access
# from a thread with a running loop. The tests are synchronous code all the same, so this is
# the standard workaround for driving a browser from Django tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip without Playwright (see below)
    pass
else:
    # As the actions' timeout (the page fixture): a loaded CI machine answers a form posted
    # three times, or a page's scripts, in more than Playwright's default 5 s.
    expect.set_options(timeout=10_000)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
PHONE_MAX_WIDTH = 600


CSP_REPORTER = """
// Chromium's own XSLT deprecation banner (on the feed's styled page) is drawn with inline styles
// and handlers the site's CSP refuses; it is the browser's, not the site's.
const chromiumOwn = (node) => node && node.closest && node.closest("xslt-warning-banner") ||
    node && node.getRootNode && node.getRootNode().host &&
    node.getRootNode().host.localName === "xslt-warning-banner";
document.addEventListener("securitypolicyviolation", (event) => chromiumOwn(event.target) ||
  console.error(
    `CSP ${event.violatedDirective} refused ${event.blockedURI} in ${event.sourceFile}:` +
    `${event.lineNumber} sample ${JSON.stringify(event.sample)} on ` +
    (event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 200) : "")
));
"""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "chromium not installed (apt-get install chromium)"
        if os.environ.get("MARQUEE_BROWSER_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, transactional_db):
    """A fresh page at desktop (1280x900) and at phone (390x844) width: each test runs twice.

    It asks for the database first so that it closes before the database is flushed: a page
    left open (an autosave in flight) would otherwise hold locks the flush waits for.

    Reduced motion keeps scrolling instant, so assertions about scroll position are stable.
    Console errors (a CSP violation, a missing file) are collected in `page.console_errors`.
    """
    context = browser.new_context(
        **VIEWPORTS[request.param], reduced_motion="reduce", locale="en-GB"
    )
    context.set_default_timeout(10_000)
    # A CSP violation's console message does not say what broke the rule; the page's own event
    # does (the element, the script and line, the first characters of the refused text).
    context.add_init_script(CSP_REPORTER)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} (at {message.location.get('url')})")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()
    requests_finish()


def choose_in_popup(popup, choice) -> None:
    """Click `choice` in a lookup popup that closes itself on the click (the image library's).

    The window can close while Playwright still waits on the click, which it then reports as a
    closed target (seen in CI): that is the click doing its job, so it is let pass, and the
    window's own close event says the choice was made.
    """
    from playwright.sync_api import Error as PlaywrightError

    with popup.expect_event("close"):
        try:
            choice.click()
        except PlaywrightError:
            if not popup.is_closed():
                raise


def requests_finish(timeout: float = 15.0) -> None:
    """Wait for the live server to finish the requests a closed page left in flight.

    Closing the browser drops its connections, but a request the server had already begun (an
    autosave, a rating) runs on in its own thread. On PostgreSQL one still holding a row lock
    deadlocks with the database flush that ends a test, and the flush is the one cancelled.
    """
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):  # socketserver's per-request thread
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def review():
    """A published review with one section, for the comment journeys."""
    from tests.factories import ReviewFactory, SectionFactory

    review = ReviewFactory(published=True, headline="Ballerina pirouettes with a pistol")
    SectionFactory(review=review, heading="The plot", body="Eve trains *hard*.")
    return review


def viewport_name(page) -> str:
    return "phone" if page.viewport_size["width"] <= PHONE_MAX_WIDTH else "desktop"


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as tests/browser/screenshots/<name>-<desktop|phone>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{viewport_name(page)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing sticks out)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
