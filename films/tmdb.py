"""A small client for TMDB's v3 API, on the standard library.

Configured by settings (environment variables): TMDB_API_TOKEN (the v4 read access token, sent
as a bearer token), TMDB_API_URL, TMDB_IMAGE_URL, TMDB_REQUESTS_PER_SECOND and TMDB_TIMEOUT.

Every request waits its turn under the request rate (shared by the process), times out, and on
HTTP 429 sleeps for the `Retry-After` TMDB sends before trying again. Whatever goes wrong ends in
a `TMDBError` whose message says what happened in words an editor can act on.
"""

import contextlib
import datetime
import email.utils
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

# Everything the film page keeps, in the one request per film TMDB allows for it.
APPEND_TO_RESPONSE = (
    "credits,images,videos,release_dates,watch/providers,keywords,alternative_titles,external_ids"
)
HOW_TO_CONFIGURE = (
    "TMDB is not configured: set TMDB_API_TOKEN to the “API Read Access Token” shown at "
    "https://www.themoviedb.org/settings/api (a free TMDB account; commercial sites need "
    "TMDB's commercial terms)."
)
MOVIE_URL = re.compile(r"themoviedb\.org/movie/(\d+)")
MAX_RETRIES = 3
MAX_RETRY_AFTER = 60  # seconds; longer than that and the caller should try again later
MAX_JSON_BYTES = 20 * 1024 * 1024
USER_AGENT = "Marquee (+https://github.com/marquee-cms)"


class TMDBError(Exception):
    """TMDB could not answer, or answered something unusable."""

    transient = False  # True: the same request may well succeed later


class TMDBNotConfigured(TMDBError):
    pass


class TMDBNotFound(TMDBError):
    pass


class TMDBUnavailable(TMDBError):
    """TMDB did not answer in time, could not be reached, or had a server error."""

    transient = True


class TMDBRateLimited(TMDBUnavailable):
    pass


@dataclass
class SearchResult:
    tmdb_id: int
    title: str
    original_title: str
    year: int | None
    overview: str
    poster_url: str


def parse_tmdb_id(text: str) -> int | None:
    """A TMDB id from "541671", "541671-ballerina" or a themoviedb.org movie URL; else None."""
    text = (text or "").strip()
    if match := MOVIE_URL.search(text):
        return int(match[1])
    if match := re.fullmatch(r"(\d{1,9})(?:-[-\w]*)?", text):
        return int(match[1]) or None
    return None


class _Throttle:
    """At most `rate` requests a second from this process, however many clients exist."""

    lock = threading.Lock()
    next_at = 0.0

    @classmethod
    def wait(cls, rate: int, sleep) -> None:
        interval = 1 / rate if rate > 0 else 0
        with cls.lock:
            now = time.monotonic()
            start = max(now, cls.next_at)
            cls.next_at = start + interval
        if start > now:
            sleep(start - now)


class TMDBClient:
    def __init__(
        self,
        *,
        token: str | None = None,
        api_url: str | None = None,
        image_url: str | None = None,
        timeout: float | None = None,
        rate: int | None = None,
        sleep=time.sleep,
    ):
        self.token = settings.TMDB_API_TOKEN if token is None else token
        self.api_url = (api_url or settings.TMDB_API_URL).rstrip("/") + "/"
        self.image_url = (image_url or settings.TMDB_IMAGE_URL).rstrip("/") + "/"
        self.timeout = settings.TMDB_TIMEOUT if timeout is None else timeout
        self.rate = settings.TMDB_REQUESTS_PER_SECOND if rate is None else rate
        self.sleep = sleep

    @property
    def configured(self) -> bool:
        return bool(self.token)

    # The API -----------------------------------------------------------------------------------

    def movie(self, tmdb_id: int) -> dict:
        """The movie with everything Marquee keeps (see APPEND_TO_RESPONSE)."""
        return self.get_json(
            f"movie/{int(tmdb_id)}",
            {"append_to_response": APPEND_TO_RESPONSE, "include_image_language": "en,null"},
            not_found=f"TMDB has no film with id {tmdb_id}.",
        )

    def search(self, query: str, year: int | None = None) -> list[SearchResult]:
        """The first page of TMDB's title search, best match first."""
        params = {"query": query, "include_adult": "false"}
        if year:
            params["year"] = str(year)
        data = self.get_json("search/movie", params)
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise TMDBError("TMDB's search answer has no list of results ($.results).")
        found = []
        for i, item in enumerate(results):
            if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                raise TMDBError(
                    f"TMDB's search answer has a result without an id ($.results[{i}].id)."
                )
            date = item.get("release_date") or ""
            found.append(
                SearchResult(
                    tmdb_id=item["id"],
                    title=str(item.get("title") or item.get("original_title") or "(untitled)"),
                    original_title=str(item.get("original_title") or ""),
                    year=int(date[:4]) if re.match(r"\d{4}", date) else None,
                    overview=str(item.get("overview") or ""),
                    poster_url=self.image(item["poster_path"], "w92")
                    if isinstance(item.get("poster_path"), str)
                    else "",
                )
            )
        return found

    def changed_movie_ids(self, start: datetime.date, end: datetime.date) -> set[int]:
        """Ids of the movies TMDB lists as changed from `start` to `end` (at most 14 days)."""
        ids, page, pages = set(), 1, 1
        while page <= pages:
            data = self.get_json(
                "movie/changes",
                {
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "page": str(page),
                },
            )
            results = data.get("results")
            if not isinstance(results, list):
                raise TMDBError("TMDB's changes answer has no list of results ($.results).")
            ids.update(
                item["id"]
                for item in results
                if isinstance(item, dict) and isinstance(item.get("id"), int)
            )
            total = data.get("total_pages", 1)
            pages = min(total if isinstance(total, int) else 1, 500)
            page += 1
        return ids

    def image(self, path: str, size: str = "original") -> str:
        """The URL of an image TMDB names by its file path ("/abc.jpg")."""
        return f"{self.image_url}{size}/{path.lstrip('/')}"

    # HTTP --------------------------------------------------------------------------------------

    def get_json(
        self, path: str, params: dict | None = None, *, not_found: str | None = None
    ) -> dict:
        if not self.configured:
            raise TMDBNotConfigured(HOW_TO_CONFIGURE)
        url = urllib.parse.urljoin(self.api_url, path)
        if params:
            url = f"{url}?{urllib.parse.urlencode(params)}"
        body, _ = self._fetch(
            url, MAX_JSON_BYTES, auth=True, not_found=not_found or f"TMDB has nothing at {path}."
        )
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = (
                f" (line {exc.lineno}, column {exc.colno}: {exc.msg})"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            raise TMDBError(f"TMDB answered {path} with malformed JSON{where}.") from exc
        if not isinstance(data, dict):
            raise TMDBError(f"TMDB answered {path} with JSON that is not an object.")
        return data

    def download(self, url: str, max_bytes: int) -> tuple[bytes, str]:
        """An image's bytes and content type, refused beyond `max_bytes`."""
        return self._fetch(url, max_bytes, auth=False, not_found=f"TMDB has no image at {url}.")

    def _fetch(self, url: str, max_bytes: int, *, auth: bool, not_found: str) -> tuple[bytes, str]:
        headers = {"Accept": "application/json" if auth else "image/*", "User-Agent": USER_AGENT}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http(s) settings)
        for attempt in range(MAX_RETRIES + 1):
            _Throttle.wait(self.rate, self.sleep)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    body = response.read(max_bytes + 1)
                    if len(body) > max_bytes:
                        raise TMDBError(
                            f"TMDB's answer from {url} is larger than {max_bytes} bytes."
                        )
                    return body, response.headers.get_content_type()
            except urllib.error.HTTPError as exc:
                if exc.code == 429 and attempt < MAX_RETRIES:
                    delay = retry_after(exc.headers.get("Retry-After"))
                    if delay > MAX_RETRY_AFTER:
                        raise TMDBRateLimited(
                            f"TMDB asks us to wait {delay:.0f} seconds (HTTP 429); try again later."
                        ) from exc
                    self.sleep(delay)
                    continue
                raise self._http_error(exc, not_found) from exc
            except TimeoutError as exc:
                raise TMDBUnavailable(
                    f"TMDB did not answer within {self.timeout} seconds."
                ) from exc
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    raise TMDBUnavailable(
                        f"TMDB did not answer within {self.timeout} seconds."
                    ) from exc
                raise TMDBUnavailable(f"Cannot reach TMDB: {exc.reason}.") from exc
            except (ConnectionError, OSError) as exc:
                raise TMDBUnavailable(f"Cannot reach TMDB: {exc}.") from exc
        raise TMDBRateLimited(
            "TMDB kept answering “too many requests” (HTTP 429); try again later."
        )

    @staticmethod
    def _http_error(exc: urllib.error.HTTPError, not_found: str) -> TMDBError:
        if exc.code == 404:
            return TMDBNotFound(not_found)
        if exc.code == 401:
            return TMDBNotConfigured(
                "TMDB refused the token (HTTP 401): check TMDB_API_TOKEN is the API Read Access "
                "Token from https://www.themoviedb.org/settings/api."
            )
        if exc.code == 429:
            return TMDBRateLimited(
                "TMDB kept answering “too many requests” (HTTP 429); try again later."
            )
        message = ""
        with contextlib.suppress(ValueError, AttributeError, OSError):
            message = str(json.loads(exc.read(64 * 1024)).get("status_message", ""))
        kind = TMDBUnavailable if exc.code >= 500 else TMDBError
        return kind(f"TMDB answered HTTP {exc.code}" + (f": {message}" if message else "."))


def retry_after(value: str | None) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); 1 when absent."""
    if not value:
        return 1.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max((when - datetime.datetime.now(datetime.UTC)).total_seconds(), 0.0)
