"""A local stand-in for TMDB: a real HTTP server on a free port, serving TMDB-shaped answers.

Tests point TMDB_API_URL and TMDB_IMAGE_URL at it (the `fake_tmdb` fixture does) and run the
real client against it. Answers are queued per path: `fake.add("/3/movie/1", status=429,
headers={"Retry-After": "1"})` then `fake.add("/3/movie/1", movie(1))` serves a 429 and then the
film. A path with nothing queued answers 404 with TMDB's error body.
"""

import copy
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import image_bytes

TOKEN = "test-read-token"


@dataclass
class Answer:
    body: bytes
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json;charset=utf-8"
    repeat: bool = False


@dataclass
class Seen:
    path: str
    query: dict
    headers: dict


class FakeTMDB:
    def __init__(self):
        self.answers: dict[str, deque[Answer]] = defaultdict(deque)
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                with fake.lock:
                    fake.requests.append(Seen(url.path, parse_qs(url.query), dict(self.headers)))
                    queue = fake.answers.get(url.path)
                    answer = None
                    if queue:
                        answer = (
                            queue[0] if queue[0].repeat and len(queue) == 1 else queue.popleft()
                        )
                if answer is None:
                    answer = Answer(
                        json.dumps(
                            {
                                "success": False,
                                "status_code": 34,
                                "status_message": "The resource you requested could not be found.",
                            }
                        ).encode(),
                        status=404,
                    )
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/3"

    @property
    def image_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/t/p/"

    def add(
        self,
        path: str,
        body=None,
        *,
        status: int = 200,
        headers: dict | None = None,
        delay: float = 0.0,
        raw: bytes | None = None,
        repeat: bool = False,
        content_type: str = "application/json;charset=utf-8",
    ) -> None:
        data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
        with self.lock:
            self.answers[path].append(
                Answer(data, status, headers or {}, delay, content_type, repeat)
            )

    def add_movie(self, document: dict, *, images: bool = True) -> None:
        """The movie at /3/movie/<id>, and every image it names."""
        self.add(f"/3/movie/{document['id']}", document, repeat=True)
        if images:
            for path in image_paths(document):
                for size in ("w780", "w1280", "w185", "w92"):
                    self.add(
                        f"/t/p/{size}{path}",
                        raw=image_bytes("JPEG", (60, 90)),
                        content_type="image/jpeg",
                        repeat=True,
                    )

    def paths(self, prefix: str = "") -> list[str]:
        return [seen.path for seen in self.requests if seen.path.startswith(prefix)]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_tmdb(settings):
    fake = FakeTMDB().start()
    settings.TMDB_API_TOKEN = TOKEN
    settings.TMDB_API_URL = fake.api_url
    settings.TMDB_IMAGE_URL = fake.image_url
    settings.TMDB_TIMEOUT = 2
    settings.TMDB_REQUESTS_PER_SECOND = 1000
    settings.MARQUEE_REGION = "GB"
    yield fake
    fake.stop()


def image_paths(document: dict) -> set[str]:
    paths = {document.get("poster_path"), document.get("backdrop_path")}
    for item in document.get("credits", {}).get("cast", []) + document.get("credits", {}).get(
        "crew", []
    ):
        paths.add(item.get("profile_path"))
    for region in document.get("watch/providers", {}).get("results", {}).values():
        for kind in ("flatrate", "rent", "buy", "free", "ads"):
            paths.update(item.get("logo_path") for item in region.get(kind, []))
    return {path for path in paths if path}


BALLERINA = {
    "id": 541671,
    "imdb_id": "tt7181546",
    "title": "Ballerina",
    "original_title": "From the World of John Wick: Ballerina",
    "original_language": "en",
    "release_date": "2025-06-04",
    "runtime": 125,
    "tagline": "Take your revenge.",
    "overview": "An assassin trained in the traditions of the Ruska Roma sets out to avenge "
    "her father's death.",
    "genres": [{"id": 28, "name": "Action"}, {"id": 53, "name": "Thriller"}],
    "belongs_to_collection": {
        "id": 404609,
        "name": "John Wick Collection",
        "poster_path": "/col.jpg",
        "backdrop_path": None,
    },
    "poster_path": "/ballerina-poster.jpg",
    "backdrop_path": "/ballerina-backdrop.jpg",
    "credits": {
        "cast": [
            {
                "id": 224513,
                "name": "Ana de Armas",
                "character": "Eve Macarro",
                "order": 0,
                "profile_path": "/ana.jpg",
                "known_for_department": "Acting",
            },
            {
                "id": 6384,
                "name": "Keanu Reeves",
                "character": "John Wick",
                "order": 1,
                "profile_path": "/keanu.jpg",
                "known_for_department": "Acting",
            },
            {
                "id": 6413,
                "name": "Ian McShane",
                "character": "Winston Scott",
                "order": 2,
                "profile_path": None,
                "known_for_department": "Acting",
            },
        ],
        "crew": [
            {
                "id": 1338,
                "name": "Len Wiseman",
                "department": "Directing",
                "job": "Director",
                "profile_path": "/len.jpg",
            },
            {
                "id": 1339,
                "name": "Shay Hatten",
                "department": "Writing",
                "job": "Screenplay",
                "profile_path": None,
            },
        ],
    },
    "images": {
        "backdrops": [
            {
                "file_path": "/ballerina-backdrop.jpg",
                "width": 3840,
                "height": 2160,
                "aspect_ratio": 1.778,
                "iso_639_1": None,
                "vote_average": 5.4,
                "vote_count": 6,
            }
        ],
        "logos": [],
        "posters": [
            {
                "file_path": "/ballerina-poster.jpg",
                "width": 2000,
                "height": 3000,
                "aspect_ratio": 0.667,
                "iso_639_1": "en",
                "vote_average": 5.5,
                "vote_count": 8,
            }
        ],
    },
    "videos": {
        "results": [
            {
                "iso_639_1": "en",
                "iso_3166_1": "US",
                "name": "Behind the scenes",
                "key": "bts00000001",
                "site": "YouTube",
                "size": 1080,
                "type": "Featurette",
                "official": True,
                "published_at": "2025-05-01T16:00:00.000Z",
                "id": "64b000000000000000000001",
            },
            {
                "iso_639_1": "en",
                "iso_3166_1": "US",
                "name": "Fan trailer",
                "key": "fan00000001",
                "site": "YouTube",
                "size": 1080,
                "type": "Trailer",
                "official": False,
                "published_at": "2024-11-01T16:00:00.000Z",
                "id": "64b000000000000000000002",
            },
            {
                "iso_639_1": "en",
                "iso_3166_1": "US",
                "name": "Official Trailer",
                "key": "0FSwsrFpkbw",
                "site": "YouTube",
                "size": 1080,
                "type": "Trailer",
                "official": True,
                "published_at": "2024-11-13T16:00:00.000Z",
                "id": "64b000000000000000000003",
            },
        ]
    },
    "release_dates": {
        "results": [
            {
                "iso_3166_1": "GB",
                "release_dates": [
                    {
                        "certification": "15",
                        "descriptors": [],
                        "iso_639_1": "",
                        "note": "",
                        "release_date": "2025-06-06T00:00:00.000Z",
                        "type": 3,
                    },
                    {
                        "certification": "",
                        "descriptors": [],
                        "iso_639_1": "",
                        "note": "Premiere",
                        "release_date": "2025-05-22T00:00:00.000Z",
                        "type": 1,
                    },
                ],
            },
            {
                "iso_3166_1": "US",
                "release_dates": [
                    {
                        "certification": "R",
                        "descriptors": [],
                        "iso_639_1": "en",
                        "note": "",
                        "release_date": "2025-06-06T00:00:00.000Z",
                        "type": 3,
                    },
                ],
            },
        ]
    },
    "watch/providers": {
        "results": {
            "GB": {
                "link": "https://www.themoviedb.org/movie/541671-ballerina/watch?locale=GB",
                "flatrate": [
                    {
                        "logo_path": "/prime.jpg",
                        "provider_id": 9,
                        "provider_name": "Amazon Prime Video",
                        "display_priority": 2,
                    }
                ],
                "rent": [
                    {
                        "logo_path": "/apple.jpg",
                        "provider_id": 2,
                        "provider_name": "Apple TV",
                        "display_priority": 4,
                    }
                ],
                "buy": [
                    {
                        "logo_path": "/apple.jpg",
                        "provider_id": 2,
                        "provider_name": "Apple TV",
                        "display_priority": 4,
                    }
                ],
            },
            "US": {
                "link": "https://www.themoviedb.org/movie/541671-ballerina/watch?locale=US",
                "flatrate": [
                    {
                        "logo_path": "/starz.jpg",
                        "provider_id": 43,
                        "provider_name": "Starz",
                        "display_priority": 9,
                    }
                ],
            },
        }
    },
    "keywords": {
        "keywords": [
            {"id": 242, "name": "new york city"},
            {"id": 10084, "name": "rage and hate"},
            {"id": 9748, "name": "revenge"},
        ]
    },
    "alternative_titles": {
        "titles": [
            {"iso_3166_1": "US", "title": "From the World of John Wick: Ballerina", "type": ""},
            {"iso_3166_1": "FR", "title": "Ballerina : Du monde de John Wick", "type": ""},
        ]
    },
    "external_ids": {
        "imdb_id": "tt7181546",
        "wikidata_id": "Q105387573",
        "facebook_id": None,
        "instagram_id": None,
        "twitter_id": None,
    },
}


def movie(tmdb_id: int = 541671, **changes) -> dict:
    """A TMDB movie with append_to_response=credits,images,videos,release_dates,…"""
    document = copy.deepcopy(BALLERINA)
    document["id"] = tmdb_id
    document.update(changes)
    return document
