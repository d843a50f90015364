"""Marquee's caching: tags naming what pages show (`tags`), the page cache applied in
config/urls.py (`pages`), and front-cache purges (`purge`)."""
