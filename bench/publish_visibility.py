"""How soon an editor's change is seen through the tag-purging front cache (Varnish).

    python bench/publish_visibility.py --front http://127.0.0.1:8105 [--repeat 5]

Run with the app's environment plus MARQUEE_PURGE naming that Varnish (bench/throughput.py
does). Each round: the newest public review's page and the front page are viewed through
Varnish until both are hits, the review's headline is changed through the model API, as the
admin's save does, and both pages are fetched through Varnish until they show the new
headline. Prints, as JSON, the milliseconds from the save's start to the change being visible
on both pages, and whether the pages were hits before the change (they must be: otherwise the
figure would only show that nothing was cached). The headline is put back at the end.
"""

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from reviews.models import Review  # noqa: E402


def fetch(url: str) -> tuple[bool, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.headers.get("X-Cache") == "HIT", response.read().decode()


def warm(url: str) -> bool:
    return any(fetch(url)[0] for _ in range(5))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--front", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    review = Review.objects.published().order_by("-published_at").first()
    original = review.headline
    pages = [args.front + review.get_absolute_url(), args.front + "/"]
    rounds = []
    try:
        for n in range(args.repeat):
            cached_before = all(warm(url) for url in pages)
            review.headline = f"{original} (corrected, round {n + 1})"
            started = time.perf_counter()
            review.save()  # commits; the receivers retire the page cache and purge Varnish
            waiting = set(pages)
            while waiting and time.perf_counter() - started < 10:
                waiting = {url for url in waiting if review.headline not in fetch(url)[1]}
            rounds.append(
                {
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "visible": not waiting,
                    "cached_before": cached_before,
                }
            )
    finally:
        review.headline = original
        review.save()
    json.dump({"pages": pages, "rounds": rounds}, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
