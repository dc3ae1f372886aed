"""The "as of" date picker's month and weekday names in the page's language, from CLDR.

Dash 4.4's `dcc.DatePickerSingle` has no language property (its props: display_format,
month_format, first_day_of_week, placeholder, …; none names a locale). It draws its month menu
and its row of weekdays with date-fns, using the locale it finds in `window.dateFns.locale`
(an object of date-fns locales by code): the one matching the browser's languages
(`navigator.languages`), else the first one there, else date-fns' English; Dash ships no locale
and date-fns has none for Kyrgyz. So `assets/calendar_locale.js` (written from this module:
`python -m dashboard.calendar_names`) defines `window.dateFns.locale` as a getter that always
offers exactly one locale, the page's language (the URL's `lang`, else `<html lang>`, which
the shell keeps in step with it), built from CLDR's names as Babel holds them, the same source
for Kyrgyz, Russian and English. A language change reloads the page, so the names drawn once
are the page's.

The picker names a month on its own (its month menu) and a weekday over its column, so both
are CLDR's stand-alone forms (Russian "январь", not the genitive "января" of a date).
"""

from __future__ import annotations

import json
from pathlib import Path

from babel import Locale

#: the page languages, in the interface's order
LANGUAGES = ("ky", "ru", "en")
#: the asset the browser loads (the repository's assets/, shipped as dashboard.assets)
ASSET = Path(__file__).resolve().parent.parent / "assets" / "calendar_locale.js"
#: the line of the asset that holds the names
NAMES_LINE = "  const NAMES = "


def calendar_names(lang: str) -> dict[str, dict[str, list[str]]]:
    """CLDR's stand-alone month names (January first) and weekday names (Sunday first, as
    date-fns counts them) of `lang`, in each width date-fns asks for."""
    locale = Locale.parse(lang)
    months = locale.months["stand-alone"]
    days = locale.days["stand-alone"]  # Babel's 0 is Monday
    return {
        "months": {width: [months[width][m] for m in range(1, 13)] for width in months},
        "days": {width: [days[width][(d + 6) % 7] for d in range(7)] for width in days},
    }


def all_names() -> dict[str, dict]:
    return {lang: calendar_names(lang) for lang in LANGUAGES}


TEMPLATE = """\
/* The "as of" date picker's month and weekday names in the page's language: Dash's
   DatePickerSingle has no language property and formats them with date-fns, taking the locale
   in window.dateFns.locale that matches the browser's languages, else the first one there. This
   getter always offers exactly one, the page's. Names from CLDR (Babel), written by
   `python -m dashboard.calendar_names`: do not edit; see that module. */
(function () {
  "use strict";
{names_line}{names};

  function pageLanguage() {
    const asked = new URLSearchParams(window.location.search).get("lang");
    if (Object.prototype.hasOwnProperty.call(NAMES, asked)) {
      return asked;
    }
    const page = document.documentElement.lang;
    return Object.prototype.hasOwnProperty.call(NAMES, page) ? page : "en";
  }

  function width(forms, options) {
    return forms[(options && options.width) || "wide"] || forms.wide;
  }

  /* a date-fns locale: what its format() asks of one (the picker formats months, weekdays and
     numbers; the date itself is shown as YYYY-MM-DD) */
  function locale(code) {
    const names = NAMES[code];
    return {
      code: code,
      localize: {
        ordinalNumber: (number) => String(number),
        era: (era) => String(era),
        quarter: (quarter) => String(quarter),
        month: (month, options) => width(names.months, options)[month],
        day: (day, options) => width(names.days, options)[day],
        dayPeriod: (period) => period,
      },
      formatLong: {
        date: () => "y-MM-dd",
        time: () => "HH:mm",
        dateTime: () => "{{date}} {{time}}",
      },
      match: {},
      options: { weekStartsOn: 1, firstWeekContainsDate: 4 },
    };
  }

  const offered = {};
  window.dateFns = window.dateFns || {};
  Object.defineProperty(window.dateFns, "locale", {
    configurable: true,
    enumerable: true,
    get: function () {
      const code = pageLanguage();
      if (!offered[code]) {
        offered[code] = { [code]: locale(code) };
      }
      return offered[code];
    },
  });
})();
"""


def asset_text() -> str:
    names = json.dumps(all_names(), ensure_ascii=False, sort_keys=True)
    return TEMPLATE.replace("{names_line}", NAMES_LINE).replace("{names}", names)


if __name__ == "__main__":
    ASSET.write_text(asset_text(), encoding="utf-8")
    print(f"wrote {ASSET}")
