"""Security headers, the Content Security Policy and the admin's brute-force lockout."""

import re

import pytest
from django.conf import settings
from django.conf.urls.static import static
from django.test import Client
from django.urls import reverse

from config.views import serve_media
from tests.factories import (
    FilmFactory,
    ReviewFactory,
    SectionFactory,
    StaffFactory,
    SuperuserFactory,
)

pytestmark = pytest.mark.django_db

HEADERS = {
    "Content-Security-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Request-ID",
}


# <script> blocks of these types are data (JSON, JSON-LD): browsers never execute them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


def assert_scripts_carry_the_nonce(response):
    html = response.content.decode()
    nonces = [v for v in csp_directives(response)["script-src"] if v.startswith("'nonce-")]
    nonce = nonces[0][len("'nonce-") : -1] if nonces else None
    for tag in script_tags(html):
        kind = re.search(r'type="([^"]+)"', tag)
        if "src=" in tag or (kind and kind[1] in DATA_SCRIPT_TYPES):
            continue  # from our own origin, or data the browser never runs
        assert nonce
        assert f'nonce="{nonce}"' in tag, f"inline script without the nonce: {tag}"
    for found in re.findall(r'nonce="([^"]+)"', html):
        assert found == nonce, "a nonce on the page that the policy does not name"


@pytest.fixture
def review():
    review = ReviewFactory(published=True, film=FilmFactory(title="Ballerina"))
    SectionFactory(review=review)
    return review


@pytest.fixture
def public_urls(review):
    return [
        reverse("reviews:home"),
        review.get_absolute_url(),
        review.film.get_absolute_url(),
        reverse("films:list"),
        "/no-such-page/",
    ]


def test_every_public_page_sends_the_security_headers(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert set(response.headers) >= HEADERS, (url, HEADERS - set(response.headers))
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_policy_never_allows_inline_or_eval_scripts(client, public_urls):
    for url in public_urls:
        directives = csp_directives(client.get(url))
        assert directives["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'unsafe-eval'" not in directives["script-src"]
        assert "'unsafe-inline'" not in directives["style-src"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert_scripts_carry_the_nonce(client.get(url))


def test_the_admin_login_sends_the_headers_and_nonces_its_scripts(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert set(response.headers) >= HEADERS
    assert "'unsafe-inline'" not in csp_directives(response)["script-src"]
    assert_scripts_carry_the_nonce(response)
    assert script_tags(response.content.decode()), "the admin login has scripts to check"


def test_the_review_editor_works_under_the_policy(client, review):
    """The admin change form with markdownx's editor: every script nonced, no inline styles.

    markdownx's script sets `element.style.*` from JavaScript, which style-src does not govern;
    only style attributes and <style> blocks in the markup would need 'unsafe-inline'.
    """
    client.force_login(SuperuserFactory())
    editor = client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert 'class="markdownx' in editor.content.decode()
    for url in (
        reverse("admin:reviews_review_change", args=[review.pk]),
        reverse("admin:reviews_review_add"),
        reverse("admin:reviews_review_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert set(response.headers) >= HEADERS
        assert_scripts_carry_the_nonce(response)
        assert not re.search(r"<style\b(?![^>]*nonce=)", html), f"un-nonced <style> on {url}"
        assert " style=" not in html, f"inline style attribute on {url}"


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client):
    kept = client.get(reverse("films:list"), headers={"X-Request-ID": "lb-1234abcd-5678"})
    assert kept.headers["X-Request-ID"] == "lb-1234abcd-5678"
    replaced = client.get(reverse("films:list"), headers={"X-Request-ID": "x\r\ninjected: 1"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])


def test_production_settings_turn_on_https_only_behaviour(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get(reverse("films:list"))
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")
    # The health check stays reachable over plain HTTP for load balancers.
    assert client.get(reverse("healthz")).status_code == 200
    secure = client.get(reverse("films:list"), headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"


# config/urls.py adds this route to the site's own with SERVE_MEDIA (DEBUG on, `make serve`);
# tests run with it off.
urlpatterns = static(settings.MEDIA_URL, view=serve_media)


@pytest.mark.urls(__name__)
def test_uploads_served_in_development_cannot_run_as_pages(client, settings):
    (settings.MEDIA_ROOT / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "uploads" / "evil.html").write_text("<script>alert(1)</script>")
    response = client.get(settings.MEDIA_URL + "uploads/evil.html")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- the admin login's brute-force lockout (django-axes) ---------------------------------------


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_that_user_from_that_address(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    editor = StaffFactory(username="editor")
    client = Client()
    for _ in range(4):
        response = sign_in(client, "editor", "wrong-password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    locked = sign_in(client, "editor", "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused" in page
    assert "5 wrong passwords" in page
    assert "60 minutes" in page
    assert "Traceback" not in page

    # Locked means locked: the right password is refused too, from that address…
    still = sign_in(client, "editor", "correct-horse-battery")
    assert still.status_code == 429
    assert "_auth_user_id" not in client.session
    # …while the same person elsewhere, and other users here, can still sign in.
    elsewhere = sign_in(Client(), "editor", "correct-horse-battery", address="198.51.100.9")
    assert elsewhere.status_code == 302
    StaffFactory(username="critic")
    other = sign_in(Client(), "critic", "correct-horse-battery")
    assert other.status_code == 302
    assert editor.pk  # the locked account itself is untouched


def test_a_successful_sign_in_clears_earlier_failures():
    StaffFactory(username="editor")
    client = Client()
    for _ in range(4):
        sign_in(client, "editor", "wrong-password")
    assert sign_in(client, "editor", "correct-horse-battery").status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "editor", "wrong-password").status_code == 200
    assert sign_in(client, "editor", "correct-horse-battery").status_code == 302


def test_behind_a_proxy_the_lockout_follows_the_forwarded_client_address(settings):
    settings.TRUST_PROXY = 1
    StaffFactory(username="editor")
    for _ in range(5):
        Client().post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7",  # forged entry, then the real client
        )
    from axes.models import AccessAttempt

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]
    # Someone else behind the same proxy is not locked out.
    response = Client().post(
        reverse("admin:login"),
        {"username": "editor", "password": "correct-horse-battery"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert response.status_code == 302


def test_staff_sessions_expire(settings, client):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client.force_login(StaffFactory())
    assert client.session.get_expiry_age() == 8 * 3600
