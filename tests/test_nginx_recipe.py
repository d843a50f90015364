"""deploy/nginx.conf, the front-cache recipe, in a real nginx in front of the live server.

Every request goes over HTTP to nginx, which serves /static/ and /media/ itself and proxies the
rest to pytest-django's live server. nginx's X-Cache-Status tells what the cache did; Marquee's
X-Request-ID tells whether Django answered: each request sends a fresh id, which Django echoes,
while a cached response repeats the id of the request that filled the cache.

Needs Debian's nginx (apt-get install nginx-light); skips without it, unless
MARQUEE_NGINX_REQUIRED=1 (CI), where a missing nginx is a failure.
"""

import http.client
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from bench import nginx_recipe
from tests.factories import ReviewFactory, SectionFactory, SuperuserFactory, image_bytes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.test_nginx_recipe"),
]


# Marquee's URLs, plus probes that answer `public, max-age=60` whatever the path: Marquee's own
# back-office pages are already marked private, so only these show that nginx's rules for
# those paths hold by themselves.
@csrf_exempt
def public_probe(request):
    response = HttpResponse(f"probe {request.method} {request.path} {uuid.uuid4().hex}")
    response["Cache-Control"] = "public, max-age=60"
    return response


def cookie_probe(request):
    response = public_probe(request)
    response.set_cookie("visit", uuid.uuid4().hex)
    return response


NEVER_CACHED_PATHS = [
    "/admin/probe/",
    "/preview/probe/",
    "/markdownx/probe/",
    "/reviews/some-review/preview/probe/",
]

urlpatterns = [
    *[path(p.lstrip("/"), public_probe) for p in NEVER_CACHED_PATHS],
    path("probe/public/", public_probe),
    path("probe/cookie/", cookie_probe),
    path("", include("config.urls")),
]


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    sent_request_id: str

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache-Status")

    @property
    def from_django(self) -> bool:
        """Did Django answer this very request (not nginx, not nginx's cache)?"""
        return self.headers.get("X-Request-ID") == self.sent_request_id

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


class Front:
    """nginx running the recipe on `port`, its config written into `tmp`."""

    def __init__(self, port: int, config: Path, static_root: Path, media_root: Path):
        self.port, self.config = port, config
        self.static_root, self.media_root = static_root, media_root

    def request(
        self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None
    ) -> Reply:
        request_id = uuid.uuid4().hex
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(
                method, path, body=body, headers={"X-Request-ID": request_id, **(headers or {})}
            )
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read(), request_id)
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Reply:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
        return self.request("POST", path, body=urlencode(data).encode(), headers=headers, **kwargs)

    def explain(self, reply: Reply) -> str:
        """What to print when an assertion fails: the response and nginx's error log."""
        headers = "".join(f"\n  {name}: {value}" for name, value in reply.headers.items())
        return (
            f"HTTP {reply.status}, sent X-Request-ID {reply.sent_request_id}{headers}\n"
            f"body: {reply.text[:300]!r}\n"
            f"nginx error log:\n{nginx_recipe.error_log(self.config)}"
        )

    def publish(self, root: Path, relative: str, content: bytes) -> Path:
        """Write a file nginx's workers (nobody, when the tests run as root) can read."""
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        for folder in [target.parent, *target.parent.parents]:
            if folder == root.parent:
                break
            folder.chmod(0o755)
        target.write_bytes(content)
        target.chmod(0o644)
        return target


@pytest.fixture
def front(live_server, settings):
    if nginx_recipe.nginx_binary() is None:
        reason = "nginx not installed (apt-get install nginx-light)"
        if os.environ.get("MARQUEE_NGINX_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # Not pytest's tmp_path: its parent is private to the user running the tests, and nginx's
    # workers must be able to read the static and media files.
    tmp = Path(tempfile.mkdtemp(prefix="marquee-nginx-test-"))
    try:
        static_root, media_root = tmp / "static", tmp / "media"
        static_root.mkdir(mode=0o755)
        media_root.mkdir(mode=0o755)
        settings.MEDIA_ROOT = media_root
        port = nginx_recipe.free_port()
        config = nginx_recipe.write_config(
            tmp,
            listen=f"127.0.0.1:{port}",
            upstream=f"127.0.0.1:{live_server.thread.port}",
            static_root=static_root,
            media_root=media_root,
        )
        with nginx_recipe.running(config, port=port):
            yield Front(port, config, static_root, media_root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


PASSWORD = "correct-horse-battery"  # tests/factories.py gives every user this one


@pytest.fixture
def review():
    review = ReviewFactory(published=True, headline="Behind the front cache")
    SectionFactory(review=review, heading="Verdict", body="Worth the ticket.")
    return review


def log_in(front: Front, username: str) -> str:
    """Sign in through nginx, as a browser would; return the session cookie's value."""
    form = front.get("/admin/login/?next=/admin/")
    assert form.status == 200, front.explain(form)
    csrf_cookie = form.cookies()["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    signed_in = front.post(
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Cookie": f"csrftoken={csrf_cookie}"},
    )
    assert signed_in.status == 302, front.explain(signed_in)
    return signed_in.cookies()["sessionid"]


@pytest.mark.parametrize("url", ["/", "/reviews/"])
def test_an_anonymous_public_page_is_stored_then_served_by_nginx(front, review, url):
    first = front.get(url)
    assert first.status == 200, front.explain(first)
    assert first.headers["Cache-Control"].startswith("public, max-age="), front.explain(first)
    assert first.cache == "MISS", front.explain(first)
    assert first.from_django, front.explain(first)
    assert "Behind the front cache" in first.text

    second = front.get(url)
    assert second.status == 200, front.explain(second)
    assert second.cache == "HIT", front.explain(second)
    assert not second.from_django, front.explain(second)
    assert second.body == first.body


def test_nginx_keeps_a_page_no_longer_than_marquees_max_age(front, review, settings):
    settings.MARQUEE_PAGE_MAX_AGE = 1
    assert front.get("/").cache == "MISS"
    hit = front.get("/")
    assert hit.cache == "HIT", front.explain(hit)
    assert hit.headers["Cache-Control"] == "public, max-age=1"

    time.sleep(2.1)
    expired = front.get("/")
    # Served stale while nginx asks Marquee again in the background (proxy_cache_use_stale
    # updating, proxy_cache_background_update), or fetched anew: never a plain HIT.
    assert expired.cache in {"STALE", "UPDATING", "EXPIRED", "REVALIDATED"}, front.explain(expired)


def test_a_page_marquee_marks_private_is_never_served_from_the_cache(front, review):
    # A reader with a flash message waiting (say, after posting a comment) gets a page of their
    # own: Marquee marks it private, and nginx must neither store it nor hand them the shared
    # copy (Marquee's `Vary: Cookie` keeps the two apart).
    assert front.get("/").cache == "MISS"
    assert front.get("/").cache == "HIT"
    for _ in range(2):
        personal = front.get("/", headers={"Cookie": "messages=pending"})
        assert personal.status == 200, front.explain(personal)
        assert personal.headers["Cache-Control"].startswith("private"), front.explain(personal)
        assert personal.cache != "HIT", front.explain(personal)
        assert personal.from_django, front.explain(personal)


def test_a_session_cookie_bypasses_the_cache_and_reaches_django(front, review):
    SuperuserFactory(username="editor", first_name="Edith")
    session = log_in(front, "editor")
    assert front.get("/").cache == "MISS"
    assert front.get("/").cache == "HIT"

    for _ in range(2):
        home = front.get("/", headers={"Cookie": f"sessionid={session}"})
        assert home.status == 200, front.explain(home)
        assert home.cache == "BYPASS", front.explain(home)
        assert home.from_django, front.explain(home)
        assert home.headers["Cache-Control"].startswith("private"), front.explain(home)

        # The session cookie among others, as browsers send it.
        admin = front.get("/admin/", headers={"Cookie": f"csrftoken=x; sessionid={session}"})
        assert admin.status == 200, front.explain(admin)
        assert "Newsroom" in admin.text, front.explain(admin)
        assert admin.cache != "HIT", front.explain(admin)
        assert admin.from_django, front.explain(admin)

    # What the editor saw was not stored for everyone else.
    anonymous = front.get("/")
    assert anonymous.cache == "HIT", front.explain(anonymous)
    assert "Site administration" not in anonymous.text


def test_the_back_office_is_never_cached(front):
    for _ in range(2):
        login = front.get("/admin/login/")
        assert login.status == 200, front.explain(login)
        assert login.cache != "HIT", front.explain(login)
        assert login.from_django, front.explain(login)


@pytest.mark.parametrize("url", NEVER_CACHED_PATHS)
def test_back_office_and_preview_paths_are_never_cached_whatever_django_says(front, url):
    control = [front.get("/probe/public/") for _ in range(2)]
    assert [reply.cache for reply in control] == ["MISS", "HIT"], front.explain(control[1])

    first, second = front.get(url), front.get(url)
    for reply in (first, second):
        assert reply.status == 200, front.explain(reply)
        assert reply.headers["Cache-Control"] == "public, max-age=60", front.explain(reply)
        assert reply.cache != "HIT", front.explain(reply)
        assert reply.from_django, front.explain(reply)
    assert first.body != second.body


def test_posts_always_reach_django(front, review):
    assert front.get("/").cache == "MISS"
    assert front.get("/").cache == "HIT"
    for _ in range(2):
        # No CSRF token: Django refuses it, and nginx must not answer it with the cached page.
        refused = front.post("/", {"q": "anything"})
        assert refused.status == 403, front.explain(refused)
        assert refused.cache != "HIT", front.explain(refused)
        assert refused.from_django, front.explain(refused)

    # A POST answered `public, max-age=60` is not stored, for POSTs or for GETs.
    posts = [front.post("/probe/public/", {"n": "1"}) for _ in range(2)]
    for reply in posts:
        assert reply.status == 200, front.explain(reply)
        assert reply.from_django, front.explain(reply)
    assert posts[0].body != posts[1].body
    get = front.get("/probe/public/")
    assert get.cache == "MISS", front.explain(get)
    assert get.text.startswith("probe GET")


def test_a_response_that_sets_a_cookie_is_not_stored(front):
    for _ in range(2):
        reply = front.get("/probe/cookie/")
        assert reply.status == 200, front.explain(reply)
        assert reply.headers["Cache-Control"] == "public, max-age=60", front.explain(reply)
        assert "visit" in reply.cookies(), front.explain(reply)
        assert reply.cache != "HIT", front.explain(reply)
        assert reply.from_django, front.explain(reply)


def test_nginx_serves_static_files_from_static_root_for_a_year(front):
    # A file only STATIC_ROOT has: Django's static finders would answer 404.
    css = b"body { color: #b03060; }\n"
    front.publish(front.static_root, "css/only-in-static-root.css", css)

    reply = front.get("/static/css/only-in-static-root.css")
    assert reply.status == 200, front.explain(reply)
    assert reply.body == css
    assert reply.headers["Content-Type"] == "text/css", front.explain(reply)
    assert reply.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"], (
        front.explain(reply)
    )
    assert reply.headers["X-Content-Type-Options"] == "nosniff", front.explain(reply)
    assert reply.headers.get("X-Request-ID") is None, front.explain(reply)

    missing = front.get("/static/css/not-there.css")
    assert missing.status == 404, front.explain(missing)
    assert missing.headers.get("X-Request-ID") is None, front.explain(missing)


def test_nginx_serves_media_sandboxed(front):
    png = image_bytes("PNG")
    front.publish(front.media_root, "posters/poster.png", png)
    front.publish(front.media_root, "uploads/note.html", b"<script>alert(1)</script>")

    poster = front.get("/media/posters/poster.png")
    assert poster.status == 200, front.explain(poster)
    assert poster.body == png
    assert poster.headers["Content-Type"] == "image/png", front.explain(poster)
    assert poster.headers.get("X-Request-ID") is None, front.explain(poster)
    for reply in (poster, front.get("/media/uploads/note.html")):
        assert reply.status == 200, front.explain(reply)
        assert reply.headers["X-Content-Type-Options"] == "nosniff", front.explain(reply)
        assert reply.headers["Content-Security-Policy"] == "sandbox", front.explain(reply)


def test_the_review_page_is_served_from_the_front_cache(front, review):
    url = review.get_absolute_url()
    first = front.get(url)
    assert first.status == 200, front.explain(first)
    assert "Behind the front cache" in first.text

    second = front.get(url)
    assert second.cache == "HIT", front.explain(second)
    assert second.body == first.body
