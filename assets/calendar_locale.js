/* The "as of" date picker's month and weekday names in the page's language: Dash's
   DatePickerSingle has no language property and formats them with date-fns, taking the locale
   in window.dateFns.locale that matches the browser's languages, else the first one there. This
   getter always offers exactly one, the page's. Names from CLDR (Babel), written by
   `python -m dashboard.calendar_names`: do not edit; see that module. */
(function () {
  "use strict";
  const NAMES = {"en": {"days": {"abbreviated": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], "narrow": ["S", "M", "T", "W", "T", "F", "S"], "short": ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"], "wide": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]}, "months": {"abbreviated": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], "narrow": ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"], "wide": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]}}, "ky": {"days": {"abbreviated": ["жек.", "дүй.", "шейш.", "шарш.", "бейш.", "жума", "ишм."], "narrow": ["Ж", "Д", "Ш", "Ш", "Б", "Ж", "И"], "short": ["жш.", "дш.", "шш.", "шр.", "бш.", "жм.", "иш."], "wide": ["жекшемби", "дүйшөмбү", "шейшемби", "шаршемби", "бейшемби", "жума", "ишемби"]}, "months": {"abbreviated": ["Янв", "Фев", "Мар", "Апр", "Май", "Июн", "Июл", "Авг", "Сен", "Окт", "Ноя", "Дек"], "narrow": ["Я", "Ф", "М", "А", "М", "И", "И", "А", "С", "О", "Н", "Д"], "wide": ["Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь"]}}, "ru": {"days": {"abbreviated": ["вс", "пн", "вт", "ср", "чт", "пт", "сб"], "narrow": ["В", "П", "В", "С", "Ч", "П", "С"], "short": ["вс", "пн", "вт", "ср", "чт", "пт", "сб"], "wide": ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"]}, "months": {"abbreviated": ["янв.", "февр.", "март", "апр.", "май", "июнь", "июль", "авг.", "сент.", "окт.", "нояб.", "дек."], "narrow": ["Я", "Ф", "М", "А", "М", "И", "И", "А", "С", "О", "Н", "Д"], "wide": ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"]}}};

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
