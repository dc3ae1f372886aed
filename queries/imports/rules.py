"""The validation rules of the spreadsheet import: one stable code per rule, and the value parsers.

Every rejection the import reports carries one of the codes registered here (a test walks the
registry and triggers each rule once). A rule's `message` is plain English with `{name}`
placeholders; the interface can translate it with `t(rule.message, **params)`.

Values arrive as text (see `reader`). The parsers below turn text into typed values or raise
`Violation(code, **params)`. The number rule, documented once:

* spaces (ordinary, non-breaking U+00A0, narrow U+202F, thin U+2009, figure U+2007) may
  separate thousands, in groups of exactly three digits: ``1 234 567,5``;
* one comma or one point is the decimal separator: ``1234,5`` = ``1234.5``;
* anything that could be read two ways is rejected, never guessed: a comma and a point in one
  number (``1,234.5``), more than one comma or point (``1,234,567``), and a comma followed by
  exactly three digits (``1,234`` — a thousand and something, or one and a fraction?);
* a minus sign (``-`` or U+2212) may lead; no plus sign, no exponent, no currency sign.

Money is som with at most two decimals and becomes integer tyiyn exactly (``Decimal``, never
``float``). Dates are ``YYYY-MM-DD`` or ``DD.MM.YYYY`` (or a real Excel date cell).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from queries import urls

FILE, SHEET, CELL, ROW = "file", "sheet", "cell", "row"


@dataclass(frozen=True)
class Rule:
    """A registered validation rule: its stable code, where it applies, and its message."""

    code: str
    level: str  # FILE (nothing can be imported), SHEET (a whole sheet), CELL or ROW
    title: str
    message: str  # English, with {placeholders}; translated where shown

    def format(self, **params) -> str:
        return self.message.format(**params)


_RULES = (
    # --- the file ---------------------------------------------------------------------
    Rule("E-FILE-EMPTY", FILE, "Empty file", "The file is empty."),
    Rule(
        "E-FILE-TOO-LARGE",
        FILE,
        "File too large",
        "The file is {size} bytes; the limit is {limit} bytes.",
    ),
    Rule(
        "E-FILE-FORMAT",
        FILE,
        "Not a spreadsheet",
        "The file is neither an XLSX workbook nor a CSV file ({detail}).",
    ),
    Rule(
        "E-XLSX-UNZIPPED-SIZE",
        FILE,
        "Workbook too large when unpacked",
        "The workbook would unpack to {size} bytes in {members} parts; the limit is {limit} "
        "bytes and {member_limit} parts.",
    ),
    Rule(
        "E-XLSX-UNSAFE",
        FILE,
        "Unsafe workbook",
        "The workbook part {part} declares XML entities (DOCTYPE); such files are refused.",
    ),
    Rule(
        "E-XLSX-CORRUPT",
        FILE,
        "Unreadable workbook",
        "The workbook cannot be read: {detail}. Open it in Excel and save it again as .xlsx.",
    ),
    Rule(
        "E-CSV-ENCODING",
        FILE,
        "Unknown text encoding",
        "The CSV file is neither UTF-8 nor Windows-1251 text (byte {position}).",
    ),
    Rule(
        "E-CSV-SYNTAX",
        FILE,
        "Broken CSV",
        "The CSV file cannot be read at line {line}: {detail}.",
    ),
    Rule(
        "E-CSV-TABLE-UNKNOWN",
        FILE,
        "Unknown CSV table",
        "Cannot tell which table the CSV file {file_name} holds: name it after a sheet of the "
        "template (e.g. projects.csv) and keep the template's headers.",
    ),
    Rule(
        "E-DEMO-DATABASE",
        FILE,
        "Database holds demo data",
        "The database holds the illustrative demo data; real data is never mixed with it. "
        "Remove the demo data first with: {command}",
    ),
    Rule(
        "E-DEMO-FILE",
        FILE,
        "File holds demo data",
        "The file is an export of the illustrative demo data, not real figures; it is not "
        "imported.",
    ),
    # --- a sheet and its header row -----------------------------------------------------
    Rule(
        "E-SHEET-UNKNOWN",
        SHEET,
        "Unknown sheet",
        "The sheet {sheet} is not a table of the template; rename it or remove it.",
    ),
    Rule(
        "E-SHEET-DUPLICATE",
        SHEET,
        "Table given twice",
        "The sheet {sheet} holds the same table as the sheet {other}; keep one of them.",
    ),
    Rule(
        "E-SHEET-TOO-LARGE",
        SHEET,
        "Sheet too large",
        "The sheet {sheet} has {rows} rows and {columns} columns; the limit is {row_limit} "
        "rows and {column_limit} columns.",
    ),
    Rule(
        "E-HEADER-UNKNOWN",
        SHEET,
        "Unknown column",
        "The column {column} is not a column of the table {table}.",
    ),
    Rule(
        "E-HEADER-MISSING",
        SHEET,
        "Required column missing",
        "The required column {column} is missing from the header row.",
    ),
    Rule(
        "E-HEADER-DUPLICATE",
        SHEET,
        "Column given twice",
        "The column {column} appears twice in the header row (also in column {other}).",
    ),
    Rule(
        "E-HEADER-BLANK",
        SHEET,
        "Data without a header",
        "Column {letter} holds data but has no header.",
    ),
    # --- one cell -------------------------------------------------------------------------
    Rule(
        "E-MERGED-CELLS",
        CELL,
        "Merged cells",
        "The cells {range} are merged; unmerge them and fill in every cell.",
    ),
    Rule(
        "E-FORMULA-NO-VALUE",
        CELL,
        "Formula without a value",
        "The cell holds a formula ({formula}) without a calculated value; open the file in "
        "Excel, let it calculate and save it, or type the value.",
    ),
    Rule(
        "E-FORMULA-ERROR",
        CELL,
        "Error value",
        "The cell holds the error value {value}.",
    ),
    Rule(
        "E-TEXT-CONTROL",
        CELL,
        "Control characters",
        "The text contains an invisible control character (code {codepoint}).",
    ),
    Rule(
        "E-TEXT-TOO-LONG",
        CELL,
        "Text too long",
        "The text has {length} characters; at most {limit} are allowed.",
    ),
    Rule("E-REQUIRED", CELL, "Required value missing", "A value is required."),
    Rule(
        "E-NUMBER-FORMAT",
        CELL,
        "Not a number",
        "{value} is not a number: write digits, spaces between thousands and one comma or "
        "one point before the decimals (e.g. 1 234,50).",
    ),
    Rule(
        "E-NUMBER-AMBIGUOUS",
        CELL,
        "Ambiguous number",
        "{value} can be read two ways: write thousands with spaces (1 234) and decimals with "
        "one comma or one point (1,5 or 1.234).",
    ),
    Rule("E-INTEGER", CELL, "Not a whole number", "{value} is not a whole number."),
    Rule("E-NEGATIVE", CELL, "Negative amount", "{value} is negative; amounts are 0 or more."),
    Rule(
        "E-NUMBER-RANGE",
        CELL,
        "Number out of range",
        "{value} is outside the allowed range {minimum} to {maximum}.",
    ),
    Rule(
        "E-MONEY-PRECISION",
        CELL,
        "Too many decimals in an amount",
        "{value} has more than 2 decimals; amounts are in som and tyiyn.",
    ),
    Rule(
        "E-RATE-PRECISION",
        CELL,
        "Too many decimals in a rate",
        "{value} has more than 4 decimals.",
    ),
    Rule(
        "E-DATE-FORMAT",
        CELL,
        "Not a date",
        "{value} is not a date: write YYYY-MM-DD or DD.MM.YYYY (e.g. 2014-03-15 or 15.03.2014).",
    ),
    Rule("E-DATE-INVALID", CELL, "No such day", "{value} is not a day of the calendar."),
    Rule(
        "E-DATE-OUTSIDE-PROGRAMME",
        CELL,
        "Date outside the programme",
        "{value} is outside the programme ({start} to {end}).",
    ),
    Rule(
        "E-YEAR-OUTSIDE-PROGRAMME",
        CELL,
        "Year outside the programme",
        "{value} is not a year of the programme ({first} to {last}).",
    ),
    Rule(
        "E-VALUE-NOT-ALLOWED",
        CELL,
        "Value not allowed",
        "{value} is not allowed here; allowed: {allowed}.",
    ),
    Rule(
        "E-URL-SCHEME",
        CELL,
        "Not a web link",
        "{value} is not a web link: it must start with https://, http:// or /.",
    ),
    Rule(
        "E-URL-UNSAFE",
        CELL,
        "Unsafe link",
        "{value} is not a safe link: it may not contain spaces, backslashes, control or "
        "invisible characters or a user name, nor start with //.",
    ),
    # --- one row ----------------------------------------------------------------------------
    Rule(
        "E-DUPLICATE-KEY",
        ROW,
        "Same record twice",
        "The record {key} appears more than once in this sheet (rows {rows}).",
    ),
    Rule(
        "E-DATE-ORDER",
        ROW,
        "End before start",
        "The end {end} is before the start {start}.",
    ),
    Rule(
        "E-TEXT-NONE",
        ROW,
        "No text in any language",
        "{field} is empty in every language (ky, ru, en): at least one is required.",
    ),
    Rule(
        "E-TEXT-LANG",
        ROW,
        "Original language without text",
        "{field} is said to be written in {language}, but its {language} column is empty.",
    ),
    Rule(
        "E-REF-OBLAST",
        ROW,
        "Unknown oblast",
        "No oblast has the P-code {value}.",
    ),
    Rule(
        "E-REF-MUNICIPALITY",
        ROW,
        "Unknown municipality",
        "No municipality has the P-code {value} (install the boundaries first, see aimak geodata).",
    ),
    Rule(
        "E-REF-PROJECT",
        ROW,
        "Unknown project",
        "No project has the code {value}, neither in the database nor among the accepted rows "
        "of this file.",
    ),
    Rule(
        "E-REF-PRIORITY",
        ROW,
        "Unknown priority issue",
        "The municipality {municipality} has no priority issue of rank {value}, neither in the "
        "database nor among the accepted rows of this file.",
    ),
    Rule(
        "E-REF-INDICATOR",
        ROW,
        "Unknown indicator",
        "No indicator has the code {value}, neither in the database nor among the accepted rows "
        "of this file.",
    ),
    Rule(
        "E-REF-VISIT",
        ROW,
        "Unknown monitoring visit",
        "The project {project} has no monitoring visit on {value}, neither in the database nor "
        "among the accepted rows of this file.",
    ),
    Rule(
        "E-MUNICIPALITY-OBLAST",
        ROW,
        "Municipality in another oblast",
        "The municipality {value} is in the oblast {actual}, not in {oblast}.",
    ),
    Rule(
        "E-PROJECT-MUNICIPALITY",
        ROW,
        "Municipality differs from the project's",
        "The project {project} belongs to the municipality {actual}, not to {value}.",
    ),
    Rule(
        "E-PARTICIPANTS-WOMEN",
        ROW,
        "More women than participants",
        "{women} women is more than the {total} participants in all.",
    ),
    Rule(
        "E-BIDS-STAGE",
        ROW,
        "Bids at the wrong stage",
        "A number of bids belongs to the stage bids_received, not to {stage}.",
    ),
    # --- writing: a unique key taken by another change while the import ran ------------------
    Rule(
        "E-KEY-TAKEN",
        ROW,
        "Record written meanwhile",
        "The database already holds the record {key}: another change wrote it while this file "
        "was being imported. Import the file again.",
    ),
)

#: code → Rule, in the order above.
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
assert len(RULES) == len(_RULES), "rule codes must be unique"


class Violation(Exception):
    """A value or a row breaks a rule: the rule's code and the message's parameters."""

    def __init__(self, code: str, **params):
        if code not in RULES:
            raise KeyError(f"unregistered rule code {code!r}")
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return RULES[self.code].format(**self.params)


# --- numbers -----------------------------------------------------------------------------

#: characters accepted between groups of thousands
THOUSANDS_SPACES = " \u00a0\u202f\u2009\u2007"
_MINUS = "-\u2212"
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(rf"[0-9]{{1,3}}(?:[{THOUSANDS_SPACES}][0-9]{{3}})+")
_FRACTION = re.compile(r"[0-9]+")
_NUMBER_CHARACTERS = frozenset("0123456789,." + THOUSANDS_SPACES)


def quote(value: str, limit: int = 60) -> str:
    """A value as shown inside a message: in quotes, shortened when long."""
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return f"«{value}»"


def parse_decimal(text: str) -> Decimal:
    """A number written by the documented rule, exactly; Violation otherwise."""
    shown = quote(text)
    body = text.strip()
    negative = body[:1] in _MINUS and body[:1] != ""
    if negative:
        body = body[1:]
    if not body or not set(body) <= _NUMBER_CHARACTERS:
        raise Violation("E-NUMBER-FORMAT", value=shown)
    commas, points = body.count(","), body.count(".")
    if commas + points > 1:  # 1,234.5 or 1,234,567 or 1.234.567
        raise Violation("E-NUMBER-AMBIGUOUS", value=shown)
    integer, _separator, fraction = body.replace(",", ".").partition(".")
    if commas and len(fraction) == 3 and _FRACTION.fullmatch(fraction):  # 1,234
        raise Violation("E-NUMBER-AMBIGUOUS", value=shown)
    if _separator and not _FRACTION.fullmatch(fraction):
        raise Violation("E-NUMBER-FORMAT", value=shown)
    if not (_PLAIN.fullmatch(integer) or _GROUPED.fullmatch(integer)):
        raise Violation("E-NUMBER-FORMAT", value=shown)
    digits = integer.translate(str.maketrans("", "", THOUSANDS_SPACES))
    sign = "-" if negative else ""
    return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _check_range(text: str, number: Decimal, minimum, maximum) -> None:
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise Violation(
            "E-NUMBER-RANGE",
            value=quote(text),
            minimum=_plain(minimum),
            maximum=_plain(maximum),
        )


def _plain(number) -> str:
    if number is None:
        return "…"
    return f"{number:,}".replace(",", " ")


def parse_integer(text: str, minimum: int | None = 0, maximum: int | None = 2**31 - 1) -> int:
    """A whole number (``12`` or ``12,0``); negative → E-NEGATIVE when `minimum` is 0."""
    number = parse_decimal(text)
    if number != number.to_integral_value():
        raise Violation("E-INTEGER", value=quote(text))
    if minimum == 0 and number < 0:
        raise Violation("E-NEGATIVE", value=quote(text))
    _check_range(text, number, minimum, maximum)
    return int(number)


#: the largest amount accepted, in som (keeps every amount exact in an Excel number cell)
MONEY_LIMIT_SOM = Decimal("999999999999.99")


def parse_money(text: str) -> int:
    """Som with at most 2 decimals, 0 or more → integer tyiyn, exactly."""
    number = parse_decimal(text)
    if number < 0:
        raise Violation("E-NEGATIVE", value=quote(text))
    if _decimals(number) > 2:
        raise Violation("E-MONEY-PRECISION", value=quote(text))
    _check_range(text, number, Decimal(0), MONEY_LIMIT_SOM)
    return int(number * 100)


def parse_rate(text: str) -> int:
    """Som per unit of a currency with at most 4 decimals, above 0 → som × 10,000, exactly."""
    number = parse_decimal(text)
    if number < 0:
        raise Violation("E-NEGATIVE", value=quote(text))
    if _decimals(number) > 4:
        raise Violation("E-RATE-PRECISION", value=quote(text))
    _check_range(text, number, Decimal("0.0001"), Decimal(100_000))
    return int(number * 10_000)


#: indicator values: any sign, at most 6 decimals of precision kept exactly in a double
MEASURE_LIMIT = Decimal(10) ** 12


def parse_measure(text: str) -> float:
    """An indicator's value: a number of at most 15 significant digits, stored as a float."""
    number = parse_decimal(text)
    _check_range(text, number, -MEASURE_LIMIT, MEASURE_LIMIT)
    if len(number.normalize().as_tuple().digits) > 15:
        raise Violation(
            "E-NUMBER-RANGE",
            value=quote(text),
            minimum=_plain(-MEASURE_LIMIT),
            maximum=_plain(MEASURE_LIMIT),
        )
    return float(number)


# --- dates -------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` or ``DD.MM.YYYY`` (the reader writes Excel date cells as the first)."""
    value = text.strip()
    if match := _ISO.fullmatch(value):
        year, month, day = match.groups()
    elif match := _DOTTED.fullmatch(value):
        day, month, year = match.groups()
    else:
        raise Violation("E-DATE-FORMAT", value=quote(text))
    if not value.isascii():
        raise Violation("E-DATE-FORMAT", value=quote(text))
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise Violation("E-DATE-INVALID", value=quote(text)) from None


# --- choices -----------------------------------------------------------------------------

YES = ("yes", "y", "true", "1", "да", "ооба", "истина")
NO = ("no", "n", "false", "0", "нет", "жок", "ложь")


def parse_choice(text: str, allowed: tuple[str, ...]) -> str:
    """One of `allowed` (codes); case, and spaces or hyphens for underscores, do not matter."""
    value = text.strip()
    folded = value.casefold()
    for choice in allowed:
        if folded == choice.casefold():
            return choice
    loose = re.sub(r"[\s-]+", "_", folded)
    for choice in allowed:
        if loose == choice.casefold():
            return choice
    raise Violation("E-VALUE-NOT-ALLOWED", value=quote(text), allowed=", ".join(allowed))


def parse_bool(text: str) -> bool:
    """yes / no in English, Russian or Kyrgyz (also true / false, 1 / 0)."""
    folded = text.strip().casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise Violation(
        "E-VALUE-NOT-ALLOWED", value=quote(text), allowed="yes, no (да, нет; ооба, жок)"
    )


def check_url(text: str) -> str:
    """A link that pages and exports will link (`queries.urls`, the one check of the app):
    ``https://host/…``, ``http://host/…`` or a path on this site (``/…``)."""
    value = text.strip()
    problem = urls.url_problem(value)
    if problem is None:
        return value
    shown = quote("".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text.strip()))
    code = "E-URL-SCHEME" if problem in (urls.EMPTY, urls.SCHEME, urls.HOST) else "E-URL-UNSAFE"
    raise Violation(code, value=shown)
