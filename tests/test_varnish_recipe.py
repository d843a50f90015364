"""deploy/varnish.vcl, the tag-purging front cache, in a real varnishd in front of the live
server: pages are kept, and a change purges exactly the pages showing it, within a second.

Needs Debian's varnish and varnish-modules (the xkey vmod); skips without them unless
MARQUEE_VARNISH_REQUIRED=1 (CI), where a missing varnishd is a failure.
"""

import http.client
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.factories import ReviewFactory, SuperuserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VCL = os.path.join(os.path.dirname(__file__), "..", "deploy", "varnish.vcl")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Varnish:
    def __init__(self, port: int):
        self.port = port

    def get(self, path: str) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()


@pytest.fixture
def varnish(live_server, settings, tmp_path):
    binary = shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if os.path.exists("/usr/sbin/varnishd") else None
    )
    if binary is None:
        if os.environ.get("MARQUEE_VARNISH_REQUIRED"):
            pytest.fail("varnishd is required (apt-get install varnish varnish-modules)")
        pytest.skip("varnishd is not installed")
    host, port = live_server.thread.host, live_server.thread.port
    vcl = tmp_path / "marquee.vcl"
    vcl.write_text(
        Path(VCL)
        .read_text()
        .replace("@@BACKEND_HOST@@", host)
        .replace("@@BACKEND_PORT@@", str(port))
    )
    listen = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            binary,
            "-F",
            "-j",
            "none",
            "-n",
            str(tmp_path / "varnish"),
            "-a",
            f"127.0.0.1:{listen}",
            "-f",
            str(vcl),
            "-s",
            "malloc,32m",
            "-T",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    front = Varnish(listen)
    for _ in range(100):
        try:
            front.get("/healthz")
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"varnishd did not start: {process.stdout.read().decode()}")
            time.sleep(0.1)
    settings.MARQUEE_PURGE = {
        "BACKEND": "pagecache.purge.VarnishPurger",
        "URL": f"http://127.0.0.1:{listen}/",
    }
    settings.MARQUEE_FRONT_CACHE_SECONDS = 24 * 3600
    settings.ALLOWED_HOSTS = ["*"]
    yield front
    process.terminate()
    process.wait(10)


def cached_by_varnish(front: Varnish, path: str) -> tuple[bool, str]:
    status, headers, body = front.get(path)
    assert status == 200, (path, status)
    assert "xkey" not in {name.lower() for name in headers}  # the tags stay inside
    return headers.get("X-Cache") == "HIT", body


def test_a_publish_purges_exactly_the_pages_showing_it_within_a_second(varnish):
    editor = SuperuserFactory()
    shown = ReviewFactory(published=True, headline="Already on the front page")
    elsewhere = ReviewFactory(published=True, headline="Another film entirely")
    draft = ReviewFactory(film=shown.film, headline="Hot off the press")
    pages = [
        "/",
        "/reviews/",
        "/feed/",
        shown.film.get_absolute_url(),
        elsewhere.get_absolute_url(),
        elsewhere.film.get_absolute_url(),
    ]
    for path in pages:
        varnish.get(path)
        assert cached_by_varnish(varnish, path)[0], path  # the second view is a hit

    started = time.monotonic()
    draft.publish(by=editor)  # commits, then purges (the task runs at once here)
    assert time.monotonic() - started < 1  # the publish has reached Varnish
    for path in pages[:4]:  # the lists and the film's page show it...
        hit, body = cached_by_varnish(varnish, path)
        assert not hit, path
        assert "Hot off the press" in body, path
    for path in pages[4:]:  # ...another review's pages are still served by Varnish
        assert cached_by_varnish(varnish, path)[0], path

    draft.headline = "Hot off the press, corrected"
    draft.save()
    assert "corrected" in cached_by_varnish(varnish, draft.get_absolute_url())[1]
    assert "corrected" in cached_by_varnish(varnish, "/")[1]
    assert cached_by_varnish(varnish, elsewhere.get_absolute_url())[0]
