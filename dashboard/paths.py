"""Paths of views that other rooms link to, and reading them back (a low module: components,
views and exports may all import it)."""

from __future__ import annotations

#: a municipality's profile: PROFILE/<P-code>
PROFILE = "/municipality"
#: the longest path segment taken as a P-code (anything longer is not one)
PCODE_MAX = 20


def pcode_of(path: str | None) -> str | None:
    """The P-code in a profile path such as /municipality/KG05236836000 (None when absent)."""
    path = (path or "").rstrip("/")
    if not path.startswith(PROFILE + "/"):
        return None
    segment = path[len(PROFILE) + 1 :]
    valid = 0 < len(segment) <= PCODE_MAX and segment.isascii() and segment.isalnum()
    return segment if valid else None


#: the app's address written into exports' links when no request names it (CLI exports)
DEFAULT_BASE_URL = "http://127.0.0.1:8050"
#: the formats a map or chart image is exported in
IMAGE_FORMATS = ("png", "svg", "pdf")
