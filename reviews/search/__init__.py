"""Site search: reviews, films, people and critics, forgiving typos and accents, on either database.

- text.py: reading a query (words, "phrases", prefix*), folding accents, edit distance.
- engine.py: finding, ranking and spelling correction; `engine.search(q)` is the entry point.
- index.py: keeping the index current (`review_changed`, `batch()`, `rebuild()`).
- postgres.py / sqlite.py: each database's statements; vocabulary.py: the known words.
- highlight.py: snippets as escaped HTML with whole words marked.
- suggest.py: suggestions as you type, for the header's search box.
"""
