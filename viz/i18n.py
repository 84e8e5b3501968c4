"""Every text of the dashboard in Spanish and English, and the locale's number formats.

``tr(key, lang, **values)`` returns the text in ``lang`` ("es" or "en") with ``values``
formatted in. The texts themselves are data modules by area (``viz/texts_policy_levers.py``,
``viz/texts_policy_results.py``, ``viz/texts_classroom.py``), merged here into ``TEXT``; a
key in two of them is refused at import. A missing key is a programming error (KeyError),
caught by the tests, which check that every key has both languages.
"""

from __future__ import annotations

from viz.texts_classroom import CLASSROOM_TEXTS
from viz.texts_policy_levers import POLICY_LEVER_TEXTS
from viz.texts_policy_results import POLICY_RESULT_TEXTS

LANGUAGES = ("es", "en")


def _merged(*parts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The texts of every area in one table; a key defined twice is an error."""
    merged: dict[str, tuple[str, str]] = {}
    for part in parts:
        twice = merged.keys() & part.keys()
        if twice:
            raise ValueError(f"texts defined twice: {', '.join(sorted(twice))}")
        merged.update(part)
    return merged


TEXT = _merged(POLICY_LEVER_TEXTS, POLICY_RESULT_TEXTS, CLASSROOM_TEXTS)


def tr(key: str, lang: str, **values) -> str:
    """The text ``key`` in ``lang`` with ``values`` formatted in."""
    text = TEXT[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


# The locale of each page language: Babel formats numbers with CLDR's data for it (es-PE
# groups thousands with "," and writes decimals with ".", as INEI does).
LOCALES = {"es": "es_PE", "en": "en_US"}


def number(value: float, lang: str, digits: int = 1, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals in the page's locale; ``sign`` shows + and -.

    NaN gives "–"; a value that rounds to zero is shown without a sign ("0.0", not "-0.0").
    """
    from babel.numbers import format_decimal

    if value != value:  # NaN
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    rounded = round(float(value), digits)
    if rounded == 0:
        rounded = 0.0
    if sign and rounded != 0:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(rounded, format=pattern, locale=LOCALES[lang])


def interval(median: float, low: float, high: float, lang: str, digits: int = 1,
             sign: bool = False, scale: float = 1.0) -> str:
    """"median (low – high)" in the page's locale, each divided by ``scale``."""
    low, high = (number(x / scale, lang, digits, sign) for x in (low, high))
    return f"{number(median / scale, lang, digits, sign)} ({low} – {high})"
