"""Run every benchmark and write bench/RESULTS.md (see bench/README.md).

    python bench/run.py [--scale 1] [--runs 200] [--skip-throughput] [--regenerate]

Creates two PostgreSQL databases (a small one at scale 0.01 and the benchmark one at
--scale), fills them with `python -m bench.data` unless already filled, measures
queries and server time in-process, then throughput under wrk beside nginx. Raw output is kept
in bench/results/; the summary table goes to bench/RESULTS.md.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

# p95 targets in ms: cold (every cache empty) and, for the review page, with the page cache's
# copy dropped and its fragments warm.
TARGETS = {"review": 25.0, "search (common word)": 100.0, "search (rare word)": 100.0}
FRAGMENTS_WARM_TARGETS = {"review": 10.0}
OTHER_PUBLIC_TARGET, ADMIN_TARGET, QUERY_BUDGET = 50.0, 300.0, 10


def calibrate() -> float:
    """Milliseconds this machine takes for a fixed piece of pure Python (best of five).

    Cloud machines of the same size differ by half again in speed; the figure lets two runs'
    tables be compared.
    """
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        sum(len(str(i)) for i in range(1_000_000))
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def env_for(db: str, **extra: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        DB_CONN_MAX_AGE="60",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )


def prepare(db: str, scale: float, regenerate: bool) -> dict:
    exists = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f'CREATE DATABASE "{db}"'], check=True)
    env = env_for(db)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")  # DEBUG off serves hashed names
    args = [f"--scale={scale}", "--no-progress"]
    try:
        log(f"generating scale {scale:g} into {db} …")
        started = datetime.datetime.now(datetime.UTC)
        out = subprocess.run(
            [sys.executable, "-m", "bench.data", *args, *(["--replace"] if regenerate else [])],
            cwd=ROOT,
            env=env,
            check=True,
            text=True,
            capture_output=True,
        )
        log(out.stdout.strip() + f" ({(datetime.datetime.now(datetime.UTC) - started).seconds}s)")
    except subprocess.CalledProcessError as error:
        if "already here" not in error.stderr:
            raise
        log(f"{db} already holds benchmark data (pass --regenerate to make it anew)")
    return env


def measure(env: dict, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, "bench/measure.py", *extra],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_report(meta: dict, small: dict, large: dict, cached: dict, throughput: dict | None):
    lines = [
        "# Marquee benchmark results",
        "",
        f"Run {meta['date']} on {meta['machine']}, PostgreSQL, scale {meta['scale']:g} "
        f"({meta['runs']} requests per page and mode)."
        + (
            f" CPU calibration (`bench/run.py: calibrate`, lower is faster): "
            f"{meta['calibration_ms']} ms."
            if "calibration_ms" in meta
            else ""
        )
        + (
            f" Load average (1/5/15 min) when the run began: {meta['load_before']}, after: "
            f"{meta['load_after']} — other work on this 2-core machine inflates every time "
            "below."
            if "load_before" in meta
            else ""
        ),
        "",
        "Commands: `make bench` (= `python bench/run.py`); raw output in "
        f"`bench/results/{meta['stamp']}.json`.",
        "",
        "## Queries and server time",
        "",
        "Server time is Django's own time per request in-process: the WSGI application called as "
        "gunicorn calls it (no network, no WSGI server). *Cold*: every cache emptied before each "
        "request (the first view after a change or a deploy). *Fragments warm*: the page "
        "cache's copy dropped, cached fragments (the review page's article, related box and "
        "thread; the review list's filter choices) kept. *Cached*: the page "
        "cache warm, local memory and Redis. Times in ms.",
        "",
        "| page | queries (small) | queries (scale) | cold p50 | cold p95 | fragments warm p95 "
        "| cached p95 | cached p95 (Redis) | target p95 | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, entry in large["pages"].items():
        small_q = small["pages"].get(label, {}).get("queries", "—")
        if label.startswith("review list p"):
            small_q = next(
                (e["queries"] for k, e in small["pages"].items() if k.startswith("review list p")),
                "—",
            )
        un = entry.get("uncached", {})
        warm = entry.get("fragments_warm", {})
        local = entry.get("cached", {})
        redis = cached["pages"].get(label, {}).get("cached", {})
        admin = label.startswith("admin")
        target = ADMIN_TARGET if admin else TARGETS.get(label, OTHER_PUBLIC_TARGET)
        warm_target = FRAGMENTS_WARM_TARGETS.get(label)
        first = entry.get("queries_first_view", entry["queries"])
        ok = un.get("p95", 1e9) <= target and (
            admin or (max(entry["queries"], first) <= QUERY_BUDGET and entry["queries"] == small_q)
        )
        if warm_target is not None:
            ok = ok and warm.get("p95", 1e9) <= warm_target
        wanted = f"cold ≤ {target:g}" + (f", warm ≤ {warm_target:g}" if warm_target else "")
        lines.append(
            f"| {label} | {small_q} | {entry['queries']} | {un.get('p50', '—')} | "
            f"{un.get('p95', '—')} | {warm.get('p95', '—')} | {local.get('p95', '—')} | "
            f"{redis.get('p95', '—')} | {wanted} | {verdict(ok)} |"
        )
    first_views = [
        f"{label} {entry['queries_first_view']} (small: "
        f"{small['pages'].get(label, {}).get('queries_first_view', '—')})"
        for label, entry in large["pages"].items()
        if entry.get("queries_first_view", entry["queries"]) != entry["queries"]
    ]
    if first_views:
        lines += [
            "",
            "Queries are counted with cached fragments warm. A cold view differs only "
            "where it caches fragments for the next (the review page's article, related "
            "box and thread, `reviews/views/review_page.py`; the review list's filter choices): "
            + "; ".join(first_views)
            + ".",
        ]
    if throughput:
        lines += throughput_lines(throughput)
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")


def throughput_lines(throughput: dict) -> list[str]:
    runs = {label: entry for label, entry in throughput.items() if "requests_per_second" in entry}
    static = runs["static page (nginx)"]["requests_per_second"]
    static = max(static, 1e-9)
    lines = [
        "",
        "## Throughput (wrk on loopback)",
        "",
        f"wrk, {os.environ.get('BENCH_WRK_CONNECTIONS', '16')} connections, "
        f"{os.environ.get('BENCH_WRK_SECONDS', '10')} s each, `Accept-Encoding: gzip` as "
        "browsers send it; gunicorn as in "
        "`gunicorn.conf.py` and Granian with as many workers, DEBUG off, Redis cache; "
        "Varnish as in `deploy/varnish.vcl`, nginx as in `deploy/nginx.conf`.",
        "",
        "| run | requests/s | errors | ratio to static |",
        "|---|---|---|---|",
    ]
    for label, entry in runs.items():
        lines.append(
            f"| {label} | {entry['requests_per_second']:.0f} | {entry['errors']} "
            f"| {entry['requests_per_second'] / static:.2f} |"
        )

    def rps(label: str) -> float:
        return runs[label]["requests_per_second"]

    varnish = rps("review via Varnish (deploy/varnish.vcl)") / static
    front = rps("review via nginx front cache") / static
    warm, cold = rps("review, Marquee cache warm"), rps("review, uncached")
    other = rps("review, Marquee cache warm, Granian")
    lines += [
        "",
        f"- Varnish front cache ≥ 80% of static: {varnish:.0%} — {verdict(varnish >= 0.8)}",
        f"- nginx front cache ≥ 80% of static: {front:.0%} — {verdict(front >= 0.8)}",
        f"- Marquee cache warm ≥ 3× uncached: {warm / max(cold, 1e-9):.1f}× — "
        f"{verdict(warm >= 3 * cold)}",
        f"- app server on the cached path: Granian {other:.0f} req/s against gunicorn "
        f"{warm:.0f} ({other / max(warm, 1e-9):.2f}×)",
    ]
    publish = throughput.get("publish via Varnish")
    if publish:
        rounds = publish["rounds"]
        slowest = max(r["ms"] for r in rounds)
        ok = all(r["visible"] and r["cached_before"] for r in rounds) and slowest <= 1000
        lines.append(
            f"- an edit visible through Varnish within 1 s (`bench/publish_visibility.py`: "
            f"the review's page and the front page, cached before, {len(rounds)} edits): "
            f"slowest {slowest:.0f} ms — {verdict(ok)}"
        )
    mix = throughput.get("write mix")
    if mix:
        alone, busy = mix["readers only"], mix["readers with writes"]
        kept = busy["requests_per_second"] / max(alone["requests_per_second"], 1e-9)
        lines += [
            "",
            "## Write mix",
            "",
            f"`bench/write_mix.py`: readers over {mix.get('urls', 500)} rotating URLs "
            f"through gunicorn, {os.environ.get('BENCH_MIX_SECONDS', '60')} s of each, alone "
            "and while one comment is approved and one spam comment posted every 2 s "
            f"({mix['writes']['approved']} approvals, {mix['writes']['spam']} spam); the two "
            "kinds of run alternate, so a drift of the machine weighs on both.",
            "",
            "| run | requests/s | each run | page-cache hit ratio |",
            "|---|---|---|---|",
            *(
                f"| {kind} | {run['requests_per_second']:.0f} | "
                f"{' / '.join(f'{r:.0f}' for r in run.get('runs', []))} | {run['hit_ratio']:.1%} |"
                for kind, run in (("readers only", alone), ("readers with writes", busy))
            ),
            "",
            f"- hit ratio with writes ≥ 95%: {busy['hit_ratio']:.1%} — "
            f"{verdict(busy['hit_ratio'] >= 0.95)}",
            f"- throughput with writes ≥ 90% of readers only: {kept:.0%} — {verdict(kept >= 0.9)}",
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--report-only",
        metavar="RAW_JSON",
        help="Rewrite bench/RESULTS.md from a kept raw file and bench/NOTES.md.",
    )
    args = parser.parse_args()
    if args.report_only:
        raw = json.loads(Path(args.report_only).read_text())
        write_report(raw["meta"], raw["small"], raw["large"], raw["cached"], raw["throughput"])
        log("wrote bench/RESULTS.md")
        return
    now = datetime.datetime.now(datetime.UTC)
    meta = {
        "date": f"{now:%Y-%m-%d %H:%M} UTC",
        "stamp": f"{now:%Y%m%d-%H%M}",
        "scale": args.scale,
        "runs": args.runs,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "calibration_ms": calibrate(),
        "load_before": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    small_env = prepare("marquee_bench_small", 0.01, args.regenerate)
    large_env = prepare("marquee_bench", args.scale, args.regenerate)
    log("counting queries on the small database …")
    small = measure(small_env, "--queries-only")
    log("measuring server time, uncached and with the local-memory cache …")
    large = measure(large_env, f"--runs={args.runs}")
    log("measuring server time with the Redis cache …")
    cached = measure(
        env_for("marquee_bench", REDIS_URL=REDIS), f"--runs={args.runs}", "--cached-only"
    )
    RESULTS.mkdir(exist_ok=True)
    partial = RESULTS / f"{meta['stamp']}.json"  # kept if the throughput runs fail
    partial.write_text(
        json.dumps(
            {"meta": meta, "small": small, "large": large, "cached": cached, "throughput": None},
            indent=2,
        )
    )
    throughput = None
    if not args.skip_throughput:
        review = large["pages"]["review"]["url"]
        search = large["pages"].get("search (common word)", {}).get("url", "/search/?q=film")
        log("throughput: gunicorn, nginx and wrk …")
        out = subprocess.run(
            [sys.executable, "bench/throughput.py", review, search],
            cwd=ROOT,
            env=env_for("marquee_bench", REDIS_URL=REDIS),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        throughput = json.loads(out)
    meta["load_after"] = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    RESULTS.mkdir(exist_ok=True)
    raw = {"meta": meta, "small": small, "large": large, "cached": cached, "throughput": throughput}
    (RESULTS / f"{meta['stamp']}.json").write_text(json.dumps(raw, indent=2))
    write_report(meta, small, large, cached, throughput)
    log("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
