"""Place names as Peruvians write them, and place names as users type them.

The model keys departments by their upper-case, unaccented names (``JUNIN``) and districts by
INEI ubigeo; people read "Junín", "Madre de Dios", "Mariscal Cáceres". The accented, correctly
capitalised names come from INEI's official directory (``data/peru_districts_inei_directory_
2025.csv``, source D in ``data/SOURCES.md``), joined by ubigeo; nothing is title-cased by hand.

What users type ("junin", "Apurímac", "madre de dios") is matched without regard to accents,
case or extra spaces; an unknown name is refused with the closest names as suggestions.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from model.names import plain_name

DIRECTORY = Path(__file__).parent / "data" / "peru_districts_inei_directory_2025.csv"


@functools.lru_cache(maxsize=1)
def _directory() -> pd.DataFrame:
    """INEI's directory, one row per ubigeo, with the plain keys beside the written names."""
    table = pd.read_csv(DIRECTORY, dtype=str, usecols=["ubigeo", "department", "province",
                                                       "district"])
    table["department_key"] = table["department"].map(plain_name)
    table["province_key"] = table["province"].map(plain_name)
    return table.set_index("ubigeo")


@functools.lru_cache(maxsize=1)
def _department_labels() -> dict[str, str]:
    table = _directory()
    return dict(zip(table["department_key"], table["department"]))


def department_label(name: str) -> str:
    """The written name of a department key: ``JUNIN`` -> "Junín", ``ANCASH`` -> "Áncash"."""
    return _department_labels().get(plain_name(name), str(name).title())


def province_label(department: str, province: str) -> str:
    """The written name of a province: (``HUANCAVELICA``, ``TAYACAJA``) -> "Tayacaja"."""
    table = _directory()
    rows = table[(table["department_key"] == plain_name(department))
                 & (table["province_key"] == plain_name(province))]
    return rows["province"].iloc[0] if len(rows) else str(province).title()


def district_label(ubigeo: str) -> str:
    """The written name of a district: ``090101`` -> "Huancavelica"."""
    table = _directory()
    return table.at[ubigeo, "district"] if ubigeo in table.index else str(ubigeo)


def district_labels(ubigeos) -> list[str]:
    """``district_label`` of many districts at once."""
    table = _directory()["district"]
    return [table.get(u, str(u)) for u in ubigeos]


