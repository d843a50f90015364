"""Akismet as one more spam signal, against a real HTTP server on loopback speaking its API."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from reviews.comments import create_comment
from reviews.models import Comment

pytestmark = pytest.mark.django_db


class FakeAkismet(BaseHTTPRequestHandler):
    """Akismet's comment-check: "true" (spam) when the text says so, 500 or slow on request."""

    seen: list[dict] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        FakeAkismet.seen.append({"path": self.path, **form})
        body = form.get("comment_content", "")
        if "explode" in body:
            self.send_response(500)
            self.end_headers()
            return
        if "slowly" in body:
            time.sleep(1.5)
        answer = b"true" if "spammy" in body else b"false"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if "discard" in body:
            self.send_header("X-akismet-pro-tip", "discard")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def akismet_server(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAkismet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeAkismet.seen = []
    settings.MARQUEE_AKISMET_KEY = "test-key"
    settings.MARQUEE_AKISMET_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.MARQUEE_AKISMET_TIMEOUT = 0.5
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 0
    yield server
    server.shutdown()
    server.server_close()


def post(review, body):
    return create_comment(
        review,
        body=body,
        name="Ada",
        email="ada@example.com",
        ip_address="203.0.113.7",
        user_agent="TestBrowser/1.0",
    )


def test_akismet_spam_is_held_for_a_moderator_and_ham_goes_on(akismet_server, review):
    held = post(review, "A spammy comment")
    assert (held.status, held.spam_signals) == (Comment.Status.SPAM, ["akismet"])
    fine = post(review, "A thoughtful comment")
    assert (fine.status, fine.spam_signals) == (Comment.Status.PENDING, [])
    [first, _] = FakeAkismet.seen
    assert first["path"] == "/1.1/comment-check"
    assert first["api_key"] == "test-key"
    assert first["user_ip"] == "203.0.113.7"
    assert first["comment_author_email"] == "ada@example.com"
    assert first["permalink"].endswith("/reviews/a-review/")


def test_akismet_failing_never_blocks_a_comment(akismet_server, review, caplog):
    broken = post(review, "This will explode the checker")
    slow = post(review, "Checked slowly, past the timeout")
    assert [c.status for c in (broken, slow)] == ["pending", "pending"]
    assert "Akismet could not check a comment" in caplog.text

    akismet_server.shutdown()
    akismet_server.server_close()  # nobody listening at all
    assert post(review, "Akismet is gone").status == Comment.Status.PENDING


def test_akismet_is_off_without_a_key(akismet_server, review, settings):
    settings.MARQUEE_AKISMET_KEY = ""
    assert post(review, "A spammy comment").status == Comment.Status.PENDING
    assert FakeAkismet.seen == []


def test_bot_signals_are_not_sent_to_akismet(akismet_server, review):
    comment = create_comment(
        review, body="A spammy bot", name="B", email="b@example.com", signals=["honeypot"]
    )
    assert comment.status == Comment.Status.SPAM
    assert FakeAkismet.seen == []
