"""Numbers, percentages and dates in the reader's locale, with Indian digit grouping."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel.numbers import NumberPattern, get_group_symbol, parse_pattern
from flask import Flask, g, has_request_context
from flask_babel import format_date, format_datetime, get_locale, get_translations
from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "state": _l("State officer"),
    "collector": _l("Collector (DEO)"),
    "ero": _l("ERO"),
    "supervisor": _l("BLO supervisor"),
    "blo": _l("BLO"),
    "volunteer": _l("Volunteer"),
    "admin": _l("Administrator"),
}


def lang() -> str:
    """'hi' or 'en': the language part of the current locale."""
    return get_locale().language if get_locale() else "en"


@cache
def _pattern(digits: int) -> NumberPattern:
    """Parsed once: tables format thousands of numbers a page."""
    return parse_pattern("#,##,##0" + ("." + "0" * digits if digits else ""))


def _locale():
    """The request's locale, looked up once per request rather than once per number."""
    if has_request_context():
        if "number_locale" not in g:
            g.number_locale = get_locale()
        return g.number_locale
    return get_locale()


def _translations():
    """The request's translations, found once per request and locale: Flask-Babel's template
    callables look them up again for every string (a dozen context lookups each)."""
    if not g:
        return get_translations()
    locale = get_locale()
    found = g.get("translations")
    if found is None or found[0] is not locale:
        found = g.translations = (locale, get_translations())
    return found[1]


def number(value) -> str:
    if value is None:
        return "—"
    if type(value) is int:
        return _grouped(value, _locale())
    return _pattern(0).apply(value, _locale())


@cache
def _group_symbol(locale) -> str:
    return get_group_symbol(locale)


def _grouped(value: int, locale) -> str:
    """A whole number as babel's #,##,##0 writes it (the last three digits, then pairs), without
    its general machinery: a report's answer shows a dozen figures, a table thousands."""
    group = _group_symbol(locale)
    digits = str(-value if value < 0 else value)
    if len(digits) > 3:
        head, pairs = digits[:-3], [digits[-3:]]
        while len(head) > 2:
            pairs.append(head[-2:])
            head = head[:-2]
        pairs.append(head)
        digits = group.join(reversed(pairs))
    return "-" + digits if value < 0 else digits


def percent(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    return _pattern(digits).apply(value, _locale()) + " %"


def day(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, style)
    return format_date(value, style)


def localized_name(obj) -> str:
    return obj.name(lang()) if obj is not None else "—"


def role_label(value) -> str:
    return str(ROLE_LABELS.get(getattr(value, "value", value), value))


def label_filter(table: dict, blank: str | None = None):
    """A label table as a template filter: a value (an enum member or its value) named by the table,
    shown as it is when the table lacks it; `blank`, when given, is what None shows."""
    by_value = {getattr(key, "value", key): text for key, text in table.items()}

    def label(value) -> str:
        if blank is not None and value is None:
            return blank
        return str(by_value.get(getattr(value, "value", value), value))

    return label


def register_filters(bp, filters: dict) -> None:
    """Give every template of the app a feature's filters (name: function), once: each feature's
    labels.register(bp) calls this from its package's __init__."""
    for name, function in filters.items():
        bp.add_app_template_filter(function, name)


def init_app(app: Flask) -> None:
    """After Babel's init_app: the template filters, and its gettext callables made cheaper."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, *forms: _translations().unpgettext(context, *forms),
        newstyle=True,
    )
    app.jinja_env.filters["num"] = number
    app.jinja_env.filters["pct"] = percent
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["lname"] = localized_name
    app.jinja_env.globals["lang"] = lang
    app.jinja_env.globals["role_label"] = role_label
