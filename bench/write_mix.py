"""The write mix: readers over rotating URLs, with and without comments being moderated.

    python bench/write_mix.py --app http://127.0.0.1:8101 [--seconds 60] [--urls 500]

Run with the app's environment (DATABASE_URL, REDIS_URL, MARQUEE_RELEASE: the same database,
Redis and cache keys as the gunicorn under test). Runs wrk over the same URLs (review, film and
person pages, home and lists) alone and while this process approves one pending comment and
posts one spam comment every 2 s through the model API, as a moderator and a bot would; the two
kinds of run alternate (alone, with writes, alone, with writes: `--rounds` pairs, `--seconds`
of each kind in all), so a drift of the machine over the minutes weighs on both alike. Prints
requests/s and the page cache's hit ratio (its `X-Page-Cache` header) of each kind over its
runs, as JSON. Approving a comment must refresh one review page; spam must cost nothing.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from films.models import Film, Person  # noqa: E402
from reviews import comments, moderation  # noqa: E402
from reviews.models import Comment, Review  # noqa: E402

ROTATE_LUA = """
local urls = {}
for line in io.lines(os.getenv("MARQUEE_URLS")) do urls[#urls + 1] = line end
local i = math.random(#urls)
hits, total = 0, 0
request = function()
    i = i % #urls + 1
    return wrk.format("GET", urls[i])
end
response = function(status, headers, body)
    total = total + 1
    if headers["X-Page-Cache"] == "hit" then hits = hits + 1 end
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
    local h, t = 0, 0
    for _, thread in ipairs(threads) do
        h = h + thread:get("hits")
        t = t + thread:get("total")
    end
    io.write(string.format("PAGECACHE %d %d\\n", h, t))
end
"""


def urls(count: int) -> list[str]:
    reviews = Review.objects.published().order_by("-published_at")
    found = ["/", "/reviews/", "/films/", "/feed/"]
    found += [r.get_absolute_url() for r in reviews.only("slug")[: count // 2]]
    found += [f.get_absolute_url() for f in Film.objects.only("slug")[: count // 4]]
    found += [p.get_absolute_url() for p in Person.objects.only("slug")[: count - len(found)]]
    return found[:count]


def wrk(app: str, url_file: Path, seconds: int, connections: int, tmp: Path) -> dict:
    script = tmp / "rotate.lua"
    script.write_text(ROTATE_LUA)
    output = subprocess.run(
        [
            "wrk",
            "-H",
            "Accept-Encoding: gzip",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            str(script),
            app + "/",
        ],
        env={**os.environ, "MARQUEE_URLS": str(url_file)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    hits, total = map(int, re.search(r"PAGECACHE (\d+) (\d+)", output).groups())
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "hit_ratio": round(hits / max(total, 1), 4),
        "requests": total,
    }


def write_loop(stop: threading.Event, counts: dict) -> None:
    """Every 2 s: approve one pending comment on a listed review, post one spam comment."""
    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    # The moderator's queue, read once: what is timed is the approval, not the bench's pick.
    queue = list(
        Comment.objects.pending()
        .filter(review__in=Review.objects.published())
        .order_by("?")
        .values_list("pk", flat=True)[:1000]
    )
    reviews = list(Review.objects.published().order_by("?")[:50])
    # Each run's spam its own text: a run the same day would otherwise post a duplicate of an
    # earlier run's (same text, sender and review), which the pipeline refuses.
    run = uuid.uuid4().hex[:8]
    n = 0
    while not stop.wait(2):
        comment = Comment.objects.filter(pk=queue.pop()).first() if queue else None
        if comment is not None and comment.status == Comment.Status.PENDING:
            moderation.approve(comment, by=moderator)
            counts["approved"] += 1
        # A botnet: each post from another address, so the rate limit does not stop it first.
        comments.create_comment(
            reviews[n % len(reviews)],
            body=f"Cheap pills {run}-{n}",
            name="Bot",
            email=f"bot{n}@example.com",
            ip_address=f"198.51.{n // 250 % 250}.{n % 250 + 1}",
            signals=["honeypot"],
        )
        counts["spam"] += 1
        n += 1


def with_writes(counts: dict, run):
    """`run()` while write_loop runs beside it; its result."""
    stop = threading.Event()

    def writes() -> None:
        try:
            write_loop(stop, counts)
        except Exception as error:  # the run is worthless without its writes
            counts["error"] = repr(error)
            raise

    writer = threading.Thread(target=writes)
    writer.start()
    try:
        return run()
    finally:
        stop.set()
        writer.join()
        if "error" in counts:
            raise SystemExit(f"the write loop failed: {counts['error']}")


def combined(parts: list[dict]) -> dict:
    """Equally long runs of one kind as one: their mean requests/s, hits over requests."""
    requests = sum(part["requests"] for part in parts)
    return {
        "requests_per_second": round(sum(p["requests_per_second"] for p in parts) / len(parts), 1),
        "hit_ratio": round(sum(p["hit_ratio"] * p["requests"] for p in parts) / requests, 4),
        "requests": requests,
        "runs": [p["requests_per_second"] for p in parts],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=2, help="pairs of runs (alone, with writes), alternated"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="marquee-mix-"))
    url_file = tmp / "urls.txt"
    urls_list = urls(args.urls)
    url_file.write_text("\n".join(urls_list) + "\n")
    for url in urls_list:  # every page viewed once, so both runs start from a warm cache
        with urllib.request.urlopen(args.app + url, timeout=30) as response:
            response.read()
    counts = {"approved": 0, "spam": 0}
    runs = {"readers only": [], "readers with writes": []}
    seconds = max(1, args.seconds // args.rounds)  # each kind runs `--seconds` in all
    for _ in range(args.rounds):
        runs["readers only"].append(wrk(args.app, url_file, seconds, args.connections, tmp))
        runs["readers with writes"].append(
            with_writes(counts, lambda: wrk(args.app, url_file, seconds, args.connections, tmp))
        )
    results = {kind: combined(parts) for kind, parts in runs.items()}
    results["writes"] = counts
    results["urls"] = args.urls
    json.dump(results, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
