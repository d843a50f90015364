"""Run deploy/nginx.conf, Marquee's front-cache recipe, in a throwaway nginx.

Shared by bench/throughput.py, which measures the recipe, and tests/test_nginx_recipe.py, which
checks what it caches. `write_config` fills the recipe's @@…@@ markers and wraps it in a minimal
main config whose pid file, logs, temp folders and cache all live in one folder; `running`
starts nginx on that config and stops it gracefully.

When started as root, nginx's workers run as an unprivileged user (nobody): the folder and the
files it serves must be world-readable and its cache folder world-writable.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "deploy" / "nginx.conf"

MAIN = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {tmp}/client-body-temp;
    proxy_temp_path {tmp}/proxy-temp;
    fastcgi_temp_path {tmp}/fastcgi-temp;
    uwsgi_temp_path {tmp}/uwsgi-temp;
    scgi_temp_path {tmp}/scgi-temp;
    include {tmp}/marquee.conf;
{extra_servers}
}}
"""


def nginx_binary() -> str | None:
    """The nginx executable (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(
    tmp: Path,
    *,
    listen: str,
    upstream: str,
    static_root: str | Path,
    media_root: str | Path,
    extra_servers: str = "",
) -> Path:
    """Fill the recipe's markers and write it with a main config into `tmp`; return the latter.

    `listen` and `upstream` are nginx addresses ("127.0.0.1:8102"); `extra_servers` is more
    `server { }` blocks for the same `http { }` block.
    """
    os.chmod(tmp, 0o755)
    cache = tmp / "cache"
    cache.mkdir(mode=0o777, exist_ok=True)
    os.chmod(cache, 0o777)  # mkdir's mode is cut by the umask
    recipe = RECIPE.read_text()
    for marker, value in {
        "@@LISTEN@@": listen,
        "@@UPSTREAM@@": upstream,
        "@@STATIC_ROOT@@": str(static_root).rstrip("/"),
        "@@MEDIA_ROOT@@": str(media_root).rstrip("/"),
        "@@CACHE_DIR@@": str(cache),
    }.items():
        recipe = recipe.replace(marker, value)
    if unfilled := re.search(r"^[^#\n]*(@@\w+@@)", recipe, re.MULTILINE):
        raise ValueError(f"{RECIPE} has a marker write_config does not fill: {unfilled[1]}")
    (tmp / "marquee.conf").write_text(recipe)
    config = tmp / "nginx.conf"
    config.write_text(MAIN.format(tmp=tmp, extra_servers=extra_servers))
    return config


def error_log(config: Path, lines: int = 40) -> str:
    """The last lines of the error log of the nginx run on `config`."""
    path = config.parent / "nginx-error.log"
    if not path.exists():
        return "(no nginx error log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) or "(empty)"


@contextmanager
def running(config: Path, *, port: int, timeout: float = 10) -> Iterator[subprocess.Popen]:
    """Run nginx on `config` (written by `write_config`) until the block ends.

    Returns once `port` accepts connections; raises RuntimeError, with the error log, when
    nginx exits or does not listen within `timeout` seconds. Stops with SIGQUIT (graceful).
    """
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    errors = config.parent / "nginx-error.log"
    process = subprocess.Popen(
        [binary, "-c", str(config), "-e", str(errors)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with status {process.returncode}:\n{error_log(config)}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nginx did not listen on port {port} within {timeout:.0f}s:\n"
                        f"{error_log(config)}"
                    ) from None
                time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
