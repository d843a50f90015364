"""Search quality and speed: Recall@10, MRR and latency over a fixed set of queries.

    python bench/search_eval.py --build            # (re)write bench/search_queries.json
    DATABASE_URL=... python bench/search_eval.py   # evaluate against that database

The query set is built from the demo content (reviews/demo/: films, their people, the public
reviews) as readers would type: exact titles and names, one and two typos, missing accents,
original titles, quoted phrases and rare words from review bodies, and the queries of issue 19.
Each names what must be found (a film, person or review, by slug) among the results of its
kind. At evaluation time, queries for the generated bench data are added when it is there
(film titles exact and misspelt, matched by slug).

The database must hold the demo (`manage.py load_demo`), and may hold bench data
(`manage.py generate_bench_data`). Latency is Django's time for GET /search/?q= through the
test client with the page cache cleared before each request (cold), DEBUG off.
"""

import argparse
import glob
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "search_queries.json"
DEMO = ROOT / "reviews" / "demo"
PUBLIC_REVIEWS = {
    "parasite.txt",
    "mad-max-fury-road.txt",
    "spirited-away.txt",
    "john-wick-chapter-4.txt",
}


def slugify(text: str) -> str:
    from django.utils.text import slugify as django_slugify

    return django_slugify(text)


def typo(word: str, kind: int) -> str:
    """One edit: 0 drops a letter, 1 swaps two, 2 changes one, 3 doubles one."""
    i = max(1, len(word) // 2)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 2:
        return word[:i] + ("e" if word[i] != "e" else "a") + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def misspell(text: str, edits: int, seed: str) -> str | None:
    """The text with its longest word misspelt `edits` times, or None when too short."""
    words = text.split()
    longest = max(range(len(words)), key=lambda n: len(words[n].strip(":,.-")))
    word = words[longest].strip(":,.-")
    if len(word) < (8 if edits == 2 else 5) or not word.isalpha():
        return None
    n = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    changed = typo(word.lower(), n % 4)
    if edits == 2:
        changed = typo(changed[:-3], (n // 4) % 3) + changed[-3:]
    words[longest] = changed
    return " ".join(words)


def build() -> list[dict]:
    from reviews.importers import parse_review

    films, people = [], {}
    for path in sorted(glob.glob(str(DEMO / "films" / "*.tmdb.json"))):
        data = json.loads(Path(path).read_text())
        films.append(data)
        credits = data["credits"]
        for credit in credits["cast"][:4] + [
            c for c in credits["crew"] if c["job"] in ("Director", "Screenplay")
        ]:
            people.setdefault(credit["name"], credit)
    queries = []

    def add(q, kind, target, category):
        if q and "typo" in category:  # keep only misspellings of exactly the stated size
            from reviews.search.text import edit_distance, words

            wanted = 2 if "two" in category else 1
            target_words = words(
                next(f["title"] for f in films if slugify(f["title"]) == target)
                if kind == "films"
                else next(n for n in people if slugify(n) == target)
            )
            pairs = zip(words(q), target_words, strict=False)
            distance = sum(edit_distance(a, b, 3) for a, b in pairs)
            if distance != wanted:
                return
        if q and all(existing["q"] != q for existing in queries):
            queries.append({"q": q, "kind": kind, "expect": target, "category": category})

    for film in films:
        slug = slugify(film["title"])
        add(film["title"], "films", slug, "exact title")
        add(film["title"].lower(), "films", slug, "exact title")
        add(misspell(film["title"], 1, film["title"]), "films", slug, "title, one typo")
        add(misspell(film["title"], 2, film["title"] + "2"), "films", slug, "title, two typos")
        if film.get("original_title") and film["original_title"] != film["title"]:
            add(film["original_title"], "films", slug, "original title")
    for name in sorted(people):
        slug = slugify(name)
        add(name, "people", slug, "person")
        folded = slugify(name).replace("-", " ")
        if not name.isascii():
            add(folded, "people", slug, "person, no accents")
        add(misspell(name, 1, name), "people", slug, "person, one typo")
        add(misspell(name, 2, name + "2"), "people", slug, "person, two typos")
    reviews = [
        parse_review(path.read_text())
        for path in sorted((DEMO / "reviews").glob("*.txt"))
        if path.name in PUBLIC_REVIEWS
    ]

    def words_of(parsed):
        body = " ".join(s.body for s in parsed.sections)
        return [w.strip(".,;:*'’()") for w in body.split()]

    counts: dict[str, int] = {}
    for parsed in reviews:
        for word in {w.lower() for w in words_of(parsed)}:
            counts[word] = counts.get(word, 0) + 1
    for parsed in reviews:
        slug = slugify(parsed.headline)
        # Long words only this review uses: the answer is not in doubt.
        rare = sorted(
            {
                w.lower()
                for w in words_of(parsed)
                if len(w) > 9 and w.isalpha() and counts[w.lower()] == 1
            }
        )[:4]
        for word in rare:
            add(word, "reviews", slug, "word from a review")
        body = " ".join(s.body for s in parsed.sections)
        sentences = [s for s in body.replace("*", "").split(". ") if len(s.split()) > 6]
        for sentence in sentences[:3]:
            add('"' + " ".join(sentence.split()[2:6]) + '"', "reviews", slug, "phrase")
        for section in parsed.sections[:2]:
            add(section.heading.lower(), "reviews", slug, "section heading")
    for q, kind, target in [
        ("balerina", "films", "ballerina"),
        ("ana de armaz", "people", "ana-de-armas"),
        ("villenueve", "people", "denis-villeneuve"),
        ("kurosowa", "people", "akira-kurosawa"),
        ("parasyte", "films", "parasite"),
        ("skarsgard", "people", "bill-skarsgard"),
        ("celine", "people", "celine-sciamma"),
        ("noemie", "people", "noemie-merlant"),
    ]:
        add(q, kind, target, "issue 19")
    return queries


def bench_queries() -> list[dict]:
    """Queries for generated bench films, when there are any (titles differ by scale)."""
    from films.models import Film

    found = []
    for film in Film.objects.filter(slug__startswith="bench-film-").order_by("pk")[:2000:100]:
        found.append(
            {"q": film.title, "kind": "films", "expect": film.slug, "category": "bench title"}
        )
        wrong = misspell(film.title, 1, film.slug)
        if wrong:
            found.append(
                {
                    "q": wrong,
                    "kind": "films",
                    "expect": film.slug,
                    "category": "bench title, one typo",
                }
            )
    return found


def evaluate(queries: list[dict], *, latency: bool) -> dict:
    from django.core.cache import cache
    from django.test import Client

    from reviews.search import engine

    client = Client()
    ranks, times, misses = [], [], []
    by_category: dict[str, list[float]] = {}
    for query in queries:
        results = engine.search(query["q"])
        found = [getattr(obj, "slug", None) for obj in getattr(results, query["kind"])]
        rank = found.index(query["expect"]) + 1 if query["expect"] in found else None
        ranks.append(rank)
        by_category.setdefault(query["category"], []).append(1 / rank if rank else 0)
        if rank is None or rank > 1:
            misses.append(f"{query['q']!r} -> {query['expect']} at {rank}: {found[:3]}")
        if latency:
            cache.clear()
            start = time.perf_counter()
            response = client.get("/search/", {"q": query["q"]})
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, query
    recall = sum(1 for r in ranks if r and r <= 10) / len(ranks)
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    report = {
        "queries": len(queries),
        "recall_at_10": round(recall, 3),
        "mrr": round(mrr, 3),
        "by_category": {
            k: {"n": len(v), "mrr": round(sum(v) / len(v), 3)}
            for k, v in sorted(by_category.items())
        },
        "not_first": misses,
    }
    if times:
        times.sort()
        report["latency_ms"] = {
            "p50": round(statistics.median(times), 1),
            "p95": round(times[int(len(times) * 0.95) - 1], 1),
            "max": round(times[-1], 1),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="rewrite the query set")
    parser.add_argument("--latency", action="store_true", help="also time each page, cold")
    parser.add_argument("--json", help="write the report here too")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.build:
        queries = build()
        QUERIES.write_text(json.dumps(queries, indent=1, ensure_ascii=False) + "\n")
        print(f"{len(queries)} queries written to {QUERIES.relative_to(ROOT)}")
        return
    from django.db import connection

    queries = json.loads(QUERIES.read_text()) + bench_queries()
    report = {"database": connection.vendor, **evaluate(queries, latency=args.latency)}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(
        json.dumps(
            {k: v for k, v in report.items() if k != "not_first"}, indent=1, ensure_ascii=False
        )
    )
    print(f"not first ({len(report['not_first'])}):")
    for line in report["not_first"]:
        print("  " + line)


if __name__ == "__main__":
    main()
