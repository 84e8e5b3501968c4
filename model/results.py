"""Tidy monthly metrics: prevalences by group, recorded cheaply and returned as one frame.

Every child falls in one *cell*: (district, urban/rural, welfare quintile, age band). Each
month the recorder counts children per cell and outcome class, and sums HAZ and Hb, in one
compiled pass (``kernels.tally``), and then sums cells into the groups of
DESIGN.md §6, plus regions and departments split into urban and rural (e.g.
``department:PUNO:rural``). Columns of the result: ``scenario, seed, step, date, metric,
group, value``;
prevalences are in percent, ``children`` is the number of real children represented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from model import kernels
from model.dynamics import AGE_BANDS, band_label
from model.geography import NATURAL_REGIONS, Geography

N_AREAS, N_QUINTILES, N_BANDS = 2, 5, len(AGE_BANDS)
CELLS_PER_DISTRICT = N_AREAS * N_QUINTILES * N_BANDS
N_HAZ_CLASSES = 3  # 0 not stunted, 1 stunted (not severe), 2 severely stunted
ANEMIA_BANDS_6_35 = [i for i, (lo, hi) in enumerate(AGE_BANDS) if lo >= 6 and hi <= 35]
ANEMIA_BANDS_6_59 = [i for i, (lo, hi) in enumerate(AGE_BANDS) if lo >= 6]

METRICS = {
    "children": "real children 0-59 months represented",
    "children_6_35m": "real children 6-35 months represented (the anemia denominator)",
    "stunting": "% of children 0-59 m with HAZ < -2",
    "severe_stunting": "% of children 0-59 m with HAZ < -3",
    "mean_haz": "mean HAZ of children 0-59 m (z)",
    "anemia": "% of children 6-35 m with altitude-adjusted Hb below the cut-off",
    "anemia_6_59m": "% of children 6-59 m with altitude-adjusted Hb below the cut-off",
    "mean_hb": "mean altitude-adjusted Hb of children 6-35 m (g/dL)",
    "diarrhoea": "% of children 0-59 m with a diarrhoea episode this month",
}


def cell_index(district: np.ndarray, area: np.ndarray, quintile: np.ndarray) -> np.ndarray:
    """Household part of the cell index: to be multiplied by N_BANDS and added the age band."""
    return (district.astype(np.int32) * (N_AREAS * N_QUINTILES) + area * N_QUINTILES
            + (quintile - 1)).astype(np.int32)


class MetricsRecorder:
    """Collects the monthly metrics of one run."""

    def __init__(self, geo: Geography, scale: float, record_districts: bool = False):
        """Prepare the group definitions for the districts of ``geo``."""
        self.geo, self.scale, self.record_districts = geo, scale, record_districts
        rows = [np.ones(geo.n)]
        self.groups = ["national"]
        for r, region in enumerate(NATURAL_REGIONS):
            rows.append(geo.natural_region == r)
            self.groups.append(f"natural_region:{region}")
        for d, dept in enumerate(geo.departments):
            rows.append(geo.department_index == d)
            self.groups.append(f"department:{dept}")
        # groups x districts, one-hot and sparse: a sparse product needs no BLAS threads,
        # which on 2 cores compete with the model (and with other processes) for the CPU
        self.membership = sparse.csr_matrix(np.array(rows, dtype=np.float64))
        self.all_groups = (self.groups[:1] + ["urban", "rural"] + self.groups[1:]
                           + [f"quintile:{q}" for q in range(1, 6)]
                           + [f"age:{band_label(b)}" for b in AGE_BANDS])
        # natural regions and departments split by area, e.g. "department:PUNO:rural"
        self.all_groups += [f"{g}:{area}" for g in self.groups[1:] for area in ("urban", "rural")]
        if record_districts:
            self.all_groups += [f"district:{u}" for u in geo.ubigeo]
        self.steps: list[int] = []
        self.dates: list[str] = []
        self.values: list[np.ndarray] = []  # one (groups x metrics) array per record
        self.extra: list[tuple[int, str, str, str, float]] = []  # step, date, metric, group, value

    def record(self, step: int, date: str, cell: np.ndarray, age_index: np.ndarray,
               band: np.ndarray, haz: np.ndarray, hb: np.ndarray, adjustment: np.ndarray,
               cutoff: np.ndarray, stunting_cutoff: float, severe_cutoff: float,
               illness: np.ndarray) -> None:
        """Count this month's outcomes by cell and store the group metrics.

        ``cell`` is each child's household part of the cell index (times N_BANDS),
        ``age_index`` its age-table row, ``band`` and ``cutoff`` the age band and anemia
        cut-off by row; a child is anemic when ``hb - adjustment`` is below the cut-off.
        One compiled pass (``kernels.tally``) fills the counts and sums.
        """
        n_cells = self.geo.n * CELLS_PER_DISTRICT
        shape = (self.geo.n, N_AREAS, N_QUINTILES, N_BANDS)
        n_outcomes = N_HAZ_CLASSES * 4
        counts = np.zeros(n_cells * n_outcomes, dtype=np.float64)
        haz_sum = np.zeros(n_cells, dtype=np.float64)
        hb_sum = np.zeros(n_cells, dtype=np.float64)
        kernels.tally(cell, age_index, band, haz, hb, adjustment, cutoff,
                      float(stunting_cutoff), float(severe_cutoff), illness, n_outcomes,
                      counts, haz_sum, hb_sum)
        counts = counts.reshape(shape + (N_HAZ_CLASSES, 2, 2))
        haz_sum, hb_sum = haz_sum.reshape(shape), hb_sum.reshape(shape)

        by_group = [np.asarray(self.membership @ a.reshape(self.geo.n, -1)).reshape(
            (-1,) + a.shape[1:]) for a in (counts, haz_sum, hb_sum)]
        nat = [a[0] for a in by_group]
        stacks = []  # each entry: (counts[..., band, class, anemic, diarrhoea], haz, hb) per group
        stacks.append([a[:1].sum(axis=(1, 2)) for a in by_group])       # national
        stacks.append([a.sum(axis=1) for a in nat])                       # urban, rural
        stacks.append([a[1:].sum(axis=(1, 2)) for a in by_group])       # regions, departments
        stacks.append([a.sum(axis=0) for a in nat])                       # quintiles
        grouped = [np.concatenate([s[i] for s in stacks]) for i in range(3)]
        # regions and departments by area: (groups, area, ...) -> (groups * 2, ...)
        by_area = [a[1:].sum(axis=2) for a in by_group]
        by_area = [a.reshape((-1,) + a.shape[2:]) for a in by_area]
        if self.record_districts:
            district_stack = [a.sum(axis=(1, 2)) for a in (counts, haz_sum, hb_sum)]
        values = _metrics(*grouped)
        age_values = _age_metrics(*[a.sum(axis=(0, 1)) for a in nat])
        parts = [values, age_values, _metrics(*by_area)]
        if self.record_districts:
            parts.append(_metrics(*district_stack))
        self.steps.append(step)
        self.dates.append(date)
        self.values.append(np.concatenate(parts) * np.array(
            [self.scale if m.startswith("children") else 1.0 for m in METRICS]))

    def record_extra(self, metric: str, group: str, value: float) -> None:
        """Add one value (e.g. a program's cost) to the current step's record."""
        self.extra.append((self.steps[-1], self.dates[-1], metric, group, float(value)))

    def latest(self, metric: str, group: str) -> float:
        """The most recent value of ``metric`` for ``group``."""
        return float(self.values[-1][self.all_groups.index(group), list(METRICS).index(metric)])

    def to_frame(self, scenario: str, seed: int) -> pd.DataFrame:
        """The tidy table: scenario, seed, step, date, metric, group, value."""
        if not self.values:
            return pd.DataFrame(columns=["scenario", "seed", "step", "date", "metric", "group",
                                         "value"])
        values = np.stack(self.values)  # steps x groups x metrics
        n_steps, n_groups, n_metrics = values.shape
        frame = pd.DataFrame({
            "scenario": scenario,
            "seed": seed,
            "step": np.repeat(self.steps, n_groups * n_metrics),
            "date": np.repeat(self.dates, n_groups * n_metrics),
            "metric": np.tile(list(METRICS), n_steps * n_groups),
            "group": np.tile(np.repeat(self.all_groups, n_metrics), n_steps),
            "value": values.ravel(),
        })
        if self.extra:
            extra = pd.DataFrame(self.extra, columns=["step", "date", "metric", "group", "value"])
            extra.insert(0, "seed", seed)
            extra.insert(0, "scenario", scenario)
            frame = pd.concat([frame, extra], ignore_index=True).sort_values(
                ["step"], kind="stable")
        return frame.dropna(subset=["value"]).reset_index(drop=True)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _metrics(counts: np.ndarray, haz_sum: np.ndarray, hb_sum: np.ndarray) -> np.ndarray:
    """Metrics (columns in METRICS order) for groups stacked on the first axis.

    counts: (groups, band, haz class, anemic, diarrhoea); haz_sum, hb_sum: (groups, band).
    """
    n = counts.sum(axis=(1, 2, 3, 4))
    by_class = counts.sum(axis=(1, 3, 4))
    young = counts[:, ANEMIA_BANDS_6_35].sum(axis=(2, 4))   # groups x bands x anemic
    older = counts[:, ANEMIA_BANDS_6_59].sum(axis=(1, 2, 4))  # groups x anemic
    n_635 = young.sum(axis=(1, 2))
    return np.column_stack([
        n,
        n_635,
        100 * _ratio(by_class[:, 1] + by_class[:, 2], n),
        100 * _ratio(by_class[:, 2], n),
        _ratio(haz_sum.sum(axis=1), n),
        100 * _ratio(young[:, :, 1].sum(axis=1), n_635),
        100 * _ratio(older[:, 1], older.sum(axis=1)),
        _ratio(hb_sum[:, ANEMIA_BANDS_6_35].sum(axis=1), n_635),
        100 * _ratio(counts[..., 1].sum(axis=(1, 2, 3)), n),
    ])


def _age_metrics(counts: np.ndarray, haz_sum: np.ndarray, hb_sum: np.ndarray) -> np.ndarray:
    """Metrics for each national age band (anemia and Hb only from 6 months).

    counts: (band, haz class, anemic, diarrhoea); haz_sum, hb_sum: (band,).
    """
    n = counts.sum(axis=(1, 2, 3))
    by_class = counts.sum(axis=(2, 3))
    anemia = 100 * _ratio(counts[:, :, 1].sum(axis=(1, 2)), n)
    assessed = np.array([lo >= 6 for lo, hi in AGE_BANDS])
    in_635 = np.array([lo >= 6 and hi <= 35 for lo, hi in AGE_BANDS])
    return np.column_stack([
        n,
        np.where(in_635, n, np.nan),
        100 * _ratio(by_class[:, 1] + by_class[:, 2], n),
        100 * _ratio(by_class[:, 2], n),
        _ratio(haz_sum, n),
        np.where(assessed, anemia, np.nan),
        np.where(assessed, anemia, np.nan),
        np.where(assessed, _ratio(hb_sum, n), np.nan),
        100 * _ratio(counts[..., 1].sum(axis=(1, 2)), n),
    ])
