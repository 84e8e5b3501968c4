"""Survey targets: reading them and finding the model's matching number.

A targets file has the columns of ``model/data/calibration_targets.csv``:
``year, indicator, age_group, group, value_percent, source``, and optionally ``area``
(``total``, ``urban`` or ``rural``; default total) and ``n`` (children measured behind the
figure, for its sampling error), as in ``model/data/endes_departments_2009_2012.csv``.
``indicator`` is ``stunting``, ``severe_stunting`` or ``anemia``; ``age_group`` is ``0-59m``,
``6-35m`` or a single band such as ``6-8m``; ``group`` is ``national``, ``urban``, ``rural``,
``natural_region:*``, ``department:*`` or ``quintile:*``. A survey year is compared with the
model's state in July of that year (surveys run through the year).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from model import calendar
from model.config import ScenarioError
from model.dynamics import AGE_BANDS, band_label
from model.safe_yaml import read_text, short

COLUMNS = ["year", "indicator", "age_group", "group", "value_percent", "source"]
DEFAULT_TARGETS = Path(__file__).parent.parent / "data" / "calibration_targets.csv"
BANDS = {band_label(b) for b in AGE_BANDS}
INDICATORS = ("stunting", "severe_stunting", "anemia")
AREAS = ("total", "urban", "rural")
DEPARTMENT_TARGETS = Path(__file__).parent.parent / "data" / "endes_departments_2009_2012.csv"


MAX_TARGET_BYTES = 5_000_000  # ASSUMPTION: plausibility limit; the shipped files are < 250 kB
MAX_TARGET_ROWS = 20_000      # ASSUMPTION: plausibility limit; the shipped files have ~1,300


def load_targets(path: str | Path) -> pd.DataFrame:
    """Read and check a targets file (ScenarioError naming the problem if it is wrong).

    Refused before any run: a missing, empty, binary, huge or malformed file; missing
    columns; a row whose year is not a whole number 1900-2100, whose value is not a number
    0-100, whose indicator, area or age group is unknown, or whose group is empty.
    """
    path = Path(path)
    text = read_text(path, "targets file", MAX_TARGET_BYTES)
    if not text.strip():
        raise ScenarioError(f"{path}: the targets file is empty; allowed: a CSV with columns "
                            f"{', '.join(COLUMNS)}")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        problem = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ScenarioError(f"{path}: not a readable CSV ({problem[:120]})") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: missing columns {', '.join(missing)}; allowed columns: "
                            f"{', '.join(COLUMNS)} (and optionally area, n)")
    if table.empty:
        raise ScenarioError(f"{path}: no rows; allowed: at least one target figure")
    if len(table) > MAX_TARGET_ROWS:
        raise ScenarioError(f"{path}: {len(table):,} rows; allowed: at most {MAX_TARGET_ROWS:,}")
    if "area" not in table.columns:
        table["area"] = "total"
    table["area"] = table["area"].replace("", "total")
    if "n" not in table.columns:
        table["n"] = ""
    years, values, counts = [], [], []
    for i, row in table.iterrows():
        where = f"{path}: row {i + 2}"
        years.append(_number(row["year"], f"{where}: year", 1900, 2100, whole=True))
        values.append(_number(row["value_percent"], f"{where}: value_percent", 0, 100))
        counts.append(float("nan") if row["n"].strip() == "" else _number(
            row["n"], f"{where}: n", 1, 1e8, whole=True))
        if row["indicator"] not in INDICATORS:
            raise ScenarioError(f"{where}: indicator {short(row['indicator'])}; allowed: "
                                f"{', '.join(INDICATORS)}")
        if row["area"] not in AREAS:
            raise ScenarioError(f"{where}: area {short(row['area'])}; allowed: "
                                f"{', '.join(AREAS)}")
        if not row["group"].strip():
            raise ScenarioError(f"{where}: group is empty; allowed: national, urban, rural, "
                                "natural_region:*, department:* or quintile:*")
        if not _known_group(row["group"]):
            raise ScenarioError(f"{where}: group {short(row['group'])}; allowed: national, "
                                "urban, rural, natural_region:Costa|Sierra|Selva, "
                                "department:<a department, e.g. PUNO> or quintile:1-5")
        if metric_and_group(row) is None:
            raise ScenarioError(f"{where}: age_group {short(row['age_group'])} is not "
                                f"available for {row['indicator']} in group "
                                f"{short(row['group'])}; allowed: 0-59m, 6-35m (anemia), or a "
                                f"band ({', '.join(sorted(BANDS))}) for group national")
    table["year"] = pd.Series(years, index=table.index, dtype="int64")
    table["value_percent"] = pd.Series(values, index=table.index, dtype=float)
    table["n"] = pd.Series(counts, index=table.index, dtype=float)
    key = ["year", "indicator", "age_group", "group", "area"]
    twice = table.duplicated(subset=key, keep="first")
    if twice.any():
        i = int(table.index[twice][0])
        figure = " ".join(str(table.loc[i, k]) for k in key)
        raise ScenarioError(f"{path}: row {i + 2}: the figure {short(figure)} is given twice; "
                            "allowed: each figure once")
    return table


def _known_group(group: str) -> bool:
    """Whether a targets ``group`` names a group the results have (see the message above)."""
    from model.geography import NATURAL_REGIONS, department_names

    kind, _, name = str(group).partition(":")
    if not name:
        return kind in ("national", "urban", "rural")
    if kind == "department":
        return name.strip().upper() in department_names()
    if kind == "natural_region":
        return name in NATURAL_REGIONS
    return kind == "quintile" and name in {"1", "2", "3", "4", "5"}


def _number(text: str, where: str, low: float, high: float, whole: bool = False) -> float:
    """``text`` as a finite number from ``low`` to ``high`` (a whole number if ``whole``)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or not low <= value <= high or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise ScenarioError(f"{where} = {short(text)}; allowed: {kind} from {low:g} to "
                            f"{high:g}")
    return int(value) if whole else value


def unreached_targets(targets: pd.DataFrame, scenario) -> pd.Series:
    """Boolean per target row: the run of ``scenario`` never gives its figure.

    A figure is reached if its July (``year``-07) is a recorded month of the run (from the
    start to the last month) and, for a ``department:`` group, the department is in the
    run's geography.
    """
    first = calendar.parse(scenario.start)
    last = first + scenario.months
    when = calendar.mid_year(targets["year"].astype(int))
    unreached = (when < first) | (when > last)
    departments = set(scenario.geography.departments)
    if departments and not scenario.geography.districts:
        department = targets["group"].str.extract(r"^department:([^:]+)", expand=False)
        unreached |= department.notna() & ~department.isin(departments)
    return unreached


def targets_for(targets: pd.DataFrame, scenario) -> pd.DataFrame:
    """The figures the run of ``scenario`` can be compared with, for its geography.

    All of Peru: every figure. Some departments: only those departments' figures (a
    national or area figure is not a region's). Some districts: none, since the survey
    gives no district figures (``require_reached`` then refuses the run).
    """
    geography = scenario.geography
    if not geography.departments and not geography.districts:
        return targets
    if geography.districts:
        return targets.iloc[:0]
    department = targets["group"].str.extract(r"^department:([^:]+)", expand=False)
    return targets[department.isin(geography.departments)].reset_index(drop=True)


def require_reached(targets: pd.DataFrame, scenario, last_year: int | None = None) -> None:
    """Refuse (ScenarioError) targets of which the run of ``scenario`` reaches none.

    With ``last_year`` only figures up to that year count (calibration fits up to 2012).
    Call it before any run: calibrating against figures no run reaches can only give an
    infinite loss.
    """
    table = targets if last_year is None else targets[targets["year"] <= last_year]
    if targets.empty:
        raise ScenarioError("targets: no figure for the run's geography (the survey gives "
                            "national, area and department figures; a set of districts has "
                            "none); allowed: all of Peru or whole departments")
    if table.empty:
        raise ScenarioError(f"targets: no figure up to {last_year}; allowed: targets with "
                            f"years up to {last_year} (the fitted period)")
    if unreached_targets(table, scenario).all():
        years = f"{int(table['year'].min())}-{int(table['year'].max())}"
        raise ScenarioError(
            f"targets: no figure ({years}) falls in the run of scenario {short(scenario.name)} "
            f"({scenario.start}, {scenario.months} months, "
            f"{', '.join(scenario.geography.departments) or 'all Peru'}); allowed: figures "
            "whose July lies in the run and whose department is in its geography")


def metric_and_group(row) -> tuple[str, str] | None:
    """The results (metric, group) that a target row is compared with, or None."""
    age, group, indicator = row["age_group"], row["group"], row["indicator"]
    area = row.get("area", "total")
    area = "total" if pd.isna(area) else area
    if area != "total":
        if group == "national":
            group = area
        elif group.startswith(("department:", "natural_region:")):
            group = f"{group}:{area}"
        else:
            return None
    if indicator in ("stunting", "severe_stunting") and age == "0-59m":
        return indicator, group
    if indicator == "anemia" and age == "6-35m":
        return "anemia", group
    if indicator == "anemia" and age in ("0-59m", "6-59m"):
        return "anemia_6_59m", group  # Hb is measured from 6 months
    if age in BANDS and group == "national":
        return indicator, f"age:{age}"
    return None


def model_values(results: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """The model's value for each target and run (columns: target index, run, value).

    ``results`` may hold several runs (a ``run_id`` column); rows for a date the run did not
    reach are left out.
    """
    runs = results["run_id"] if "run_id" in results else pd.Series("run", index=results.index)
    dates = {f"{int(y)}-07" for y in targets["year"]}
    frame = results.assign(run_id=runs)
    frame = frame[frame["date"].isin(dates)]
    keys = pd.DataFrame([(i, *metric_and_group(row), f"{int(row['year'])}-07")
                         for i, row in targets.iterrows()],
                        columns=["target", "metric", "group", "date"])
    matched = keys.merge(frame[["metric", "group", "date", "run_id", "value"]],
                         on=["metric", "group", "date"])
    matched = matched.sort_values(["target", "run_id"], kind="stable")
    return pd.DataFrame({"target": matched["target"].to_numpy(),
                         "run_id": matched["run_id"].to_numpy(),
                         "model": matched["value"].astype(float).to_numpy()})


def combine_targets(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Several targets tables as one; a figure given twice keeps the later file's row."""
    table = pd.concat(tables, ignore_index=True)
    key = ["year", "indicator", "age_group", "group", "area"]
    return table.drop_duplicates(subset=key, keep="last").reset_index(drop=True)
