"""Throughput under wrk: Marquee (gunicorn) beside nginx serving a saved copy of the same page.

Started by bench/run.py, which passes the environment (database, Redis, secret key). Starts
gunicorn twice (as configured, and with every cache timeout 0: nothing kept, each request
cold), Granian with as many workers as gunicorn (the alternative app server, on the cached
path), Varnish with deploy/varnish.vcl, and an nginx with two servers — the front-cache recipe
of deploy/nginx.conf, and a static server of the saved review page — then runs wrk against each
in the same run, so every figure is a ratio to the static page measured minutes apart on the
same machine; then how soon an edit is visible through Varnish (bench/publish_visibility.py).
Last, the write mix (bench/write_mix.py) against the configured gunicorn.
"""

import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import nginx_recipe

ROOT = nginx_recipe.ROOT
APP_PORT, FRONT_PORT, STATIC_PORT, COLD_PORT, VARNISH_PORT, GRANIAN_PORT = (
    8101,
    8102,
    8103,
    8104,
    8105,
    8106,
)
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_WRK_CONNECTIONS", "16"))
MIX_SECONDS = int(os.environ.get("BENCH_MIX_SECONDS", "60"))

# Beside the recipe: nginx serving the saved page as a static file, the yardstick.
STATIC_SERVER = """
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
"""


def gunicorn(python: Path, port: int, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            python.parent / "gunicorn",
            "config.wsgi:application",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),
    )


def granian(python: Path, port: int, env: dict, log: Path) -> subprocess.Popen:
    """Granian's WSGI interface with gunicorn's worker count: the other app server measured."""
    workers = env.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1))
    return subprocess.Popen(
        [
            python.parent / "granian",
            "--interface",
            "wsgi",
            "--workers",
            workers,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-log",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),
    )


def write_mix(python: Path, app: str, env: dict) -> dict:
    out = subprocess.run(
        [
            python,
            "bench/write_mix.py",
            "--app",
            app,
            "--seconds",
            str(MIX_SECONDS),
            "--connections",
            str(WRK_CONNECTIONS),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out)


def publish_visibility(python: Path, front: str, env: dict) -> dict:
    out = subprocess.run(
        [python, "bench/publish_visibility.py", "--front", front],
        cwd=ROOT,
        env={**env, "TASKS_BACKEND": "immediate"},  # the purge task runs as the worker would
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out)


def varnish(tmp: Path) -> subprocess.Popen:
    """varnishd with deploy/varnish.vcl in front of the app (the tag-purging front cache)."""
    vcl = tmp / "marquee.vcl"
    vcl.write_text(
        (ROOT / "deploy" / "varnish.vcl")
        .read_text()
        .replace("@@BACKEND_HOST@@", "127.0.0.1")
        .replace("@@BACKEND_PORT@@", str(APP_PORT))
    )
    return subprocess.Popen(
        [
            shutil.which("varnishd") or "/usr/sbin/varnishd",
            "-F",
            "-j",
            "none",
            "-n",
            str(tmp / "varnish"),
            "-a",
            f"127.0.0.1:{VARNISH_PORT}",
            "-f",
            str(vcl),
            "-s",
            "malloc,64m",
            "-T",
            "none",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f}s")


def wrk(url: str, *, tmp: Path) -> dict:
    command = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency", url]
    command[1:1] = ["-H", "Accept-Encoding: gzip"]  # as every browser sends
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx.group(1)) if non2xx else 0
    return {"url": url, "requests_per_second": rps, "errors": errors, "raw": output}


def main() -> None:
    review_path, search_path = sys.argv[1], sys.argv[2]
    tmp = Path(tempfile.mkdtemp(prefix="marquee-bench-"))
    os.chmod(tmp, 0o755)
    env = os.environ.copy()
    # Varnish is purged by tag, so the app lets front caches keep pages for a day (as deployed
    # with MARQUEE_PURGE); the purge itself is timed by bench/publish_visibility.py.
    env["MARQUEE_PURGE"] = json.dumps(
        {"BACKEND": "pagecache.purge.VarnishPurger", "URL": f"http://127.0.0.1:{VARNISH_PORT}/"}
    )
    python = Path(sys.executable)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    servers = [
        gunicorn(python, APP_PORT, env, tmp / "gunicorn.log"),
        gunicorn(
            python,
            COLD_PORT,
            {**env, "MARQUEE_PAGE_CACHE_SECONDS": "0", "MARQUEE_ARTICLE_CACHE_SECONDS": "0"},
            tmp / "gunicorn-cold.log",
        ),
        granian(python, GRANIAN_PORT, env, tmp / "granian.log"),
        varnish(tmp),
    ]
    try:
        app = f"http://127.0.0.1:{APP_PORT}"
        wait_for(app + review_path)
        site = tmp / "static-site" / review_path.strip("/")
        site.mkdir(parents=True)
        with urllib.request.urlopen(app + review_path) as response:
            (site / "index.html").write_bytes(response.read())
        config = nginx_recipe.write_config(
            tmp,
            listen=f"127.0.0.1:{FRONT_PORT}",
            upstream=f"127.0.0.1:{APP_PORT}",
            static_root=env.get("STATIC_ROOT", str(ROOT / "staticfiles")),
            media_root=env.get("MEDIA_ROOT", str(ROOT / "media")),
            extra_servers=STATIC_SERVER.format(port=STATIC_PORT, root=tmp / "static-site"),
        )
        with nginx_recipe.running(config, port=FRONT_PORT):
            static = f"http://127.0.0.1:{STATIC_PORT}{review_path}"
            front = f"http://127.0.0.1:{FRONT_PORT}{review_path}"
            wait_for(static)
            wait_for(front)
            cold = f"http://127.0.0.1:{COLD_PORT}"
            through_varnish = f"http://127.0.0.1:{VARNISH_PORT}{review_path}"
            wait_for(cold + review_path)
            wait_for(through_varnish)
            other_server = f"http://127.0.0.1:{GRANIAN_PORT}{review_path}"
            wait_for(other_server)
            results = {
                "static page (nginx)": wrk(static, tmp=tmp),
                "review via Varnish (deploy/varnish.vcl)": wrk(through_varnish, tmp=tmp),
                "review via nginx front cache": wrk(front, tmp=tmp),
                "review, Marquee cache warm": wrk(app + review_path, tmp=tmp),
                "review, Marquee cache warm, Granian": wrk(other_server, tmp=tmp),
                "review, uncached": wrk(cold + review_path, tmp=tmp),
                "search, uncached": wrk(cold + search_path, tmp=tmp),
            }
            results["publish via Varnish"] = publish_visibility(
                python, f"http://127.0.0.1:{VARNISH_PORT}", env
            )
        results["write mix"] = write_mix(python, app, env)
        json.dump(results, sys.stdout, indent=2)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
