"""Months as whole numbers: the one place for month arithmetic.

The model counts months since January of year 0 (a *month index*): 2020-01 is 24240. Every
conversion between an index, a 'YYYY-MM' label, a year and a month of the year is here.
"""

from __future__ import annotations

MONTHS_PER_YEAR = 12


def month_index(year: int, month: int) -> int:
    """Months since January of year 0 of ``month`` (1-12) of ``year``."""
    return year * MONTHS_PER_YEAR + month - 1


def parse(text: str) -> int:
    """The month index of 'YYYY-MM' (already validated)."""
    year, month = str(text).split("-")
    return month_index(int(year), int(month))


def label(index: int) -> str:
    """'YYYY-MM' of a month index."""
    return f"{year_of(index):04d}-{month_of_year(index):02d}"


def year_of(index: int) -> int:
    """The calendar year of a month index."""
    return index // MONTHS_PER_YEAR


def month_of_year(index: int) -> int:
    """The month of the year (1 = January) of a month index."""
    return index % MONTHS_PER_YEAR + 1


def is_january(index: int) -> bool:
    """Whether a month index is a January (the model's yearly decisions and updates)."""
    return index % MONTHS_PER_YEAR == 0


def in_years(index: int) -> float:
    """A month index as a fractional year (2020-01 is 2020.0, 2020-07 is 2020.5)."""
    return index / MONTHS_PER_YEAR


def years(months: float) -> float:
    """A number of months in years."""
    return months / MONTHS_PER_YEAR


def per_month(yearly: float) -> float:
    """A yearly amount spread evenly over its months."""
    return yearly / MONTHS_PER_YEAR


def mid_year(year: int) -> int:
    """The month index of July of ``year`` (where a survey year's figure is compared)."""
    return month_index(year, 7)


def last_month(year: int) -> int:
    """The month index of December of ``year``."""
    return month_index(year, 12)
