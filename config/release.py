"""The code's version in cache keys (MARQUEE_RELEASE), when the deploy does not name one."""

import hashlib
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def source_digest() -> str:
    """A digest of Marquee's code, templates and static files (what a deploy changes)."""
    digest = hashlib.sha256()
    for folder in sorted(BASE_DIR.iterdir()):
        if folder.name in {"tests", "bench"} or not (
            (folder / "__init__.py").exists() or folder.name in {"templates", "static"}
        ):
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix not in {".pyc"}:
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
