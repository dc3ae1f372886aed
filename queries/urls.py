"""Which links from the data may become links: one check for the importer, the pages and exports.

A document's URL comes from a spreadsheet, so it is untrusted. It may be linked when it is

* an absolute web address, ``https://host/…`` or ``http://host/…`` (any host: documents live
  on other sites; plain http is allowed because many municipal sites still serve it), or
* a path on this site, ``/…``.

Everything else is refused, wherever it is checked: other schemes (``javascript:``,
``data:``, ``file:``, ``ftp:``, ``vbscript:``, in any case and after any whitespace), relative
paths without a leading slash, scheme-relative addresses (``//host``, which leave the site),
user names in the address (``https://trusted.example@evil.example``), and any whitespace,
control, invisible or format character and any backslash. Browsers drop tabs and newlines
and read a backslash as a slash, so ``/\\t/evil.example`` and ``/\\evil.example`` would both
lead to another site. The checks are also made on the NFKC form of the text, so full-width
look-alikes (``／``, ``＼``) cannot smuggle a slash or backslash past them.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

SCHEMES = ("https", "http")
#: why a value is refused (`url_problem`)
EMPTY, CHARACTERS, SCHEME_RELATIVE, SCHEME, HOST, USER = (
    "empty",
    "characters",
    "scheme-relative",
    "scheme",
    "host",
    "user",
)


def _unsafe_character(character: str) -> bool:
    # C*: control, format (zero-width, bidi overrides), surrogates, private use, unassigned;
    # Z*: every kind of space and line or paragraph separator
    return character == "\\" or unicodedata.category(character)[0] in "CZ"


def url_problem(value) -> str | None:
    """Why `value` may not be linked (EMPTY, CHARACTERS, SCHEME_RELATIVE, SCHEME, HOST or
    USER), or None when it is safe to link as it is.

    >>> url_problem("https://example.org/report.pdf") is None
    True
    >>> url_problem("/\\\\evil.example/x"), url_problem("JavaScript:alert(1)")
    ('characters', 'scheme')
    """
    if not isinstance(value, str) or not value:
        return EMPTY
    for form in (value, unicodedata.normalize("NFKC", value)):
        if any(_unsafe_character(c) for c in form):
            return CHARACTERS
        if form.startswith("//"):
            return SCHEME_RELATIVE
    if value.startswith("/"):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return HOST
    if parts.scheme.lower() not in SCHEMES or not value[len(parts.scheme) :].startswith("://"):
        return SCHEME
    if "@" in parts.netloc:
        return USER
    return None if parts.hostname else HOST


def safe_url(value) -> str | None:
    """`value` when it may be linked (see the module), else None.

    >>> safe_url("/documents/contract.pdf"), safe_url("//evil.example/x")
    ('/documents/contract.pdf', None)
    """
    return value if url_problem(value) is None else None
