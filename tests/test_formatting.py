"""The whole-number fast path of the `num` filter writes exactly what babel's pattern writes."""

import random

from app.formatting import _locale, _pattern, number


def test_whole_numbers_are_grouped_as_babel_groups_them(app):
    rng = random.Random(6)
    values = [*range(-1100, 1100), *(rng.randint(-(10**12), 10**12) for _ in range(2000))]
    values += [sign * 10**power + step for power in range(1, 16) for step in (-1, 0, 1) for sign in (1, -1)]
    for lang in ("en", "hi"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            locale = _locale()
            assert [number(v) for v in values] == [_pattern(0).apply(v, locale) for v in values]
            assert number(57406143) == "5,74,06,143" and number(-65014) == "-65,014"
