"""Pages of a public list, for readers who follow any link to one.

A page number that names no page (`?page=abc`, `0`, `-1`, `1.5`, or `999` on a list of five
pages) is a stale or mistyped link, not a missing page: the reader is sent on, with a 302, to
the list itself (the number dropped) or to its last page, the other query parameters kept.
`?page=last` leads to the last page by its number, so each page has one address.

Shared by the review, film, critic and tag lists (`PagedListView`) and the search page's
sections (`page_of`). Under the page cache (pagecache/pages.py) the query holds only the
parameters a page reads, so the redirect names a page's one address; the redirect itself is
never kept by any cache, since the last page moves as the list grows.
"""

from django.core.paginator import Page, Paginator
from django.http import HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView

LAST = "last"  # Django's ListView reads `?page=last` as the last page; here it leads there


class StrayPage(Exception):
    """The page number asked for names no page of the list; `url` is the page to go to."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url

    def redirect(self) -> HttpResponseRedirect:
        response = HttpResponseRedirect(self.url)
        add_never_cache_headers(response)
        return response


def _with_page(request, name: str, number: int) -> str:
    """This page's address with page `number` (page 1 is the list's own address)."""
    query = request.GET.copy()
    query.pop(name, None)
    if number > 1:
        query[name] = str(number)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def number_asked(request, name: str = "page") -> int | None:
    """The page number `request` asks for in `name` (1 when none), or None if it is no number:
    what a view that finds its own rows fetches before `page_of` checks it."""
    value = request.GET.get(name, "").strip()
    if not value:
        return 1
    return int(value) if value.isascii() and value.isdigit() and int(value) >= 1 else None


def page_of(request, paginator: Paginator, name: str = "page") -> Page:
    """The page of `paginator` that `request` asks for in `name`; StrayPage if none."""
    number = number_asked(request, name)
    if number is None:
        last = request.GET.get(name, "").strip() == LAST
        raise StrayPage(_with_page(request, name, paginator.num_pages if last else 1))
    if number > paginator.num_pages:
        raise StrayPage(_with_page(request, name, paginator.num_pages))
    return paginator.page(number)


class PagedListView(ListView):
    """A ListView whose page numbers are read by `page_of`: a stray one redirects, not 404s."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = page_of(self.request, paginator, self.page_kwarg)
        return paginator, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except StrayPage as stray:
            return stray.redirect()
