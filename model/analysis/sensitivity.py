"""Global sensitivity analysis: which uncertain parameters move the headline results most.

The uncertain numbers are those of ``model.analysis.draws``; the analysis runs in their
*probability* space, the unit hypercube: a point ``u`` gives each analysed number the value
at its ``u``-quantile (``draws.values_at``), so every number moves across its own
distribution and the indices of different numbers compare. Numbers not analysed
(``--parameters`` restricts the set) are not set at all: they keep the model's defaults.

Two methods of SALib:

* **Morris** elementary effects (screening, the default): ``R`` trajectories of ``d + 1``
  points each on a grid of ``levels`` levels; each step moves one number by ``delta`` of
  the grid. ``mu*`` is the mean absolute change of an output per step (the importance),
  ``sigma`` its standard deviation over the trajectories (non-linearity or interactions).
  The grid's levels are the mid-quantiles of ``levels`` equal-probability bins (0.125,
  0.375, 0.625, 0.875 for four levels), so a step moves a number by half its distribution.
* **Sobol** (Saltelli's design, ``N (d + 2)`` points): the first-order index ``S1`` is the
  share of an output's variance due to a number alone, the total index ``ST`` its share
  counting its interactions; with 95% confidence from bootstrap.

Outputs per sample point (``OUTPUTS``): national stunting and anemia in a year (the
scenario's level) and, with a reference scenario, the policy's effect on them (scenario
minus reference, the same parameters and seed: paired), and the incremental cost per
child-year of anemia averted, all from ``comparison.summarise`` so they are the numbers
``compare`` reports. Every point runs with one seed: differences between points are the
parameters', not chance (common random numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis import draws
from model.analysis.comparison import AGE_5_BAND, summarise
from model.analysis.experiments import RunSpec, replicate_seeds
from model.config import Scenario
from model.declare import declared
from model.defaults import Parameters

METHODS = ("morris", "sobol")
SOBOL_BOUNDS = (0.001, 0.999)  # keeps the inverse CDFs finite; the tails beyond are not sampled

# output -> (label with {year}, unit, needs a reference)
OUTPUTS = {
    "stunting": ("Stunting 0-59 m in {year}", "pp", False),
    "anemia": ("Anemia 6-35 m in {year}", "pp", False),
    "stunting_effect": ("Policy's effect on stunting in {year}", "pp", True),
    "anemia_effect": ("Policy's effect on anemia in {year}", "pp", True),
    "cost_per_anemia_year": ("Soles per child-year of anemia averted to {year}", "soles", True),
}

INDEX_MEANING = {
    "morris": ("**mu\\*** (Morris): the mean absolute change of the output when the "
               "parameter moves by one step of the design (half its distribution, e.g. from "
               "its 12.5th to its 62.5th percentile, with 4 levels), the other analysed "
               "parameters anywhere on the grid, in the output's unit (`mean_abs_change` in "
               "sensitivity.csv; SALib's `mu_star` is the same per unit of the grid). "
               "**sigma** (`sd_change`): the standard deviation of those changes over the "
               "trajectories: as large as their mean absolute value or larger means the "
               "effect depends on the other parameters (interactions) or on where the "
               "parameter starts (non-linear). Confidence: 95% bootstrap interval of mu\\*. "
               "A screening method: it ranks, it does not "
               "split the variance."),
    "sobol": ("**ST** (Sobol total index): the share of the output's variance over the joint "
              "distribution of the analysed parameters that disappears if this parameter is "
              "fixed, its interactions included; **S1** (first order): the share due to it "
              "alone. ST - S1 is its share through interactions. Confidence: 95% bootstrap "
              "interval (`_conf` columns); with few samples the estimates are rough and can "
              "fall slightly below 0 or above 1."),
}

_PROGRAMS = {"cct": "Juntos", "sis": "SIS", "serums": "SERUMS", "cred": "CRED",
             "home_visits": "Cuna Mas visits", "municipal_visits": "municipal visits",
             "iron": "iron drops"}
_WORDS = {"haz": "HAZ", "hb": "Hb", "rr": "RR", "sd": "SD", "km": "km", "lbw": "LBW",
          "anc": "antenatal care", "ses": "SES", "cred": "CRED", "prob": "probability"}
# Plain-language names: a model parameter's label= and elements= in model/defaults.py, a
# program's json_schema_extra={"label": ...} on its Field.
_ELEMENTS = declared(Parameters, "elements")
PLAIN_LABELS = {**declared(Parameters, "label"), **draws.program_declared("label")}


def plain_label(name: str) -> str:
    """A readable label for an uncertain number's name (``iron.gap_closure`` -> words)."""
    if name in PLAIN_LABELS:
        return PLAIN_LABELS[name]
    program = ""
    if "." in name:
        key, name = name.split(".", 1)
        program = _PROGRAMS.get(key, key) + ": "
    element = re.fullmatch(r"(\w+)\[(\d+)\]", name)
    suffix = ""
    if element:
        name, index = element[1], int(element[2])
        words = _ELEMENTS.get(name, ())
        suffix = f" ({words[index]})" if index < len(words) else f" [{index}]"
    text = " ".join(_WORDS.get(word, word) for word in name.split("_"))
    return program + text + suffix


def unknown_names(requested: list[str]) -> list[str]:
    """The names in ``requested`` that are not uncertain numbers of ``draws.names()``."""
    valid = set(draws.names())
    return [name for name in requested if name not in valid]


@dataclass(frozen=True)
class Design:
    """The sample points of one analysis.

    ``unit`` holds SALib's sample (one row per point, one column per analysed name, in
    probability space); ``values`` the parameter values at those points (the same shape,
    from ``draws.values_at``); ``delta`` is Morris's step in grid units (None for Sobol).
    """

    method: str
    names: list
    unit: np.ndarray
    values: pd.DataFrame
    seed: int
    levels: int
    bounds: tuple[float, float]

    @property
    def problem(self) -> dict:
        """The SALib problem: one variable per analysed name, in probability space."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [list(self.bounds)] * len(self.names)}

    @property
    def delta(self) -> float | None:
        """Morris's step in grid units (``levels / (2 (levels - 1))``); None for Sobol."""
        return self.levels / (2 * (self.levels - 1)) if self.method == "morris" else None

    def table(self) -> pd.DataFrame:
        """One row per point: the probabilities (``u:<name>``) and the values (``<name>``)."""
        unit = pd.DataFrame(self.unit, columns=[f"u:{name}" for name in self.names])
        frame = pd.concat([unit, self.values.reset_index(drop=True)], axis=1)
        frame.index.name = "point"
        return frame


def morris_bounds(levels: int) -> tuple[float, float]:
    """Probability bounds whose ``levels`` grid points are mid-quantiles of equal bins."""
    return 1 / (2 * levels), 1 - 1 / (2 * levels)


def make_design(method: str, names: list[str] | None = None, seed: int = 1,
                trajectories: int = 4, levels: int = 4, samples: int = 16,
                spreads: dict[str, float] | None = None) -> Design:
    """The sample points of a Morris or Sobol analysis, reproducible from ``seed``.

    Args:
        method: ``morris`` or ``sobol``.
        names: the uncertain numbers analysed (default: all of ``draws.names()``).
        seed: seeds the sample (and nothing else).
        trajectories: Morris's ``R``: ``R x (d + 1)`` points.
        levels: Morris's grid levels (even).
        samples: Sobol's base sample ``N`` (a power of 2): ``N x (d + 2)`` points (first
            and total indices, no second order).
        spreads: width factors per name passed to ``draws.values_at`` (0 fixes a number at
            its default: the tests' check that an inert input gets a zero index).
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    every = draws.names()
    names = list(dict.fromkeys(names or every))
    bad = unknown_names(names)
    if bad:
        raise ValueError(f"unknown parameters {', '.join(bad)}")
    bounds = morris_bounds(levels) if method == "morris" else SOBOL_BOUNDS
    problem = {"num_vars": len(names), "names": names, "bounds": [list(bounds)] * len(names)}
    if method == "morris":
        unit = morris_sample.sample(problem, N=trajectories, num_levels=levels, seed=seed)
    else:
        unit = sobol_sample.sample(problem, N=samples, calc_second_order=False, seed=seed)
    full = np.full((len(unit), len(every)), 0.5)
    columns = [every.index(name) for name in names]
    full[:, columns] = unit
    values = draws.values_at(full, spreads=spreads)[names]
    return Design(method=method, names=names, unit=unit, values=values, seed=seed,
                  levels=levels, bounds=bounds)


def run_count(method: str, parameters: int, trajectories: int, samples: int,
              paired: bool) -> int:
    """How many runs an analysis needs (two per point with a reference)."""
    points = trajectories * (parameters + 1) if method == "morris" else \
        samples * (parameters + 2)
    return points * (2 if paired else 1)


def sensitivity_specs(design: Design, scenario: Scenario, reference: Scenario | None,
                      seed: int) -> list[RunSpec]:
    """The runs: every point (x reference and scenario), all with one model seed.

    The seed is ``replicate_seeds(seed, 1)[0]``, replicate 0 of ``compare --seed``. With a
    reference, a point's two runs share the parameter values, the seed and a ``group`` (one
    worker lives their common history once); run ids are ``p0000-0-<reference>`` and
    ``p0000-1-<scenario>``, else ``p0000-<scenario>``.
    """
    model_seed = replicate_seeds(seed, 1)[0]
    arms = [scenario] if reference is None else [reference, scenario]
    bodies = [arm.model_dump(mode="json") for arm in arms]
    specs = []
    for point, row in enumerate(design.values.to_dict("records")):
        for k, (arm, body) in enumerate(zip(arms, bodies)):
            run_id = f"p{point:04d}-{arm.name}" if reference is None else \
                f"p{point:04d}-{k}-{arm.name}"
            specs.append(RunSpec(run_id=run_id, scenario=draws.apply_draw(body, row),
                                 seed=model_seed, labels={"point": point, "replicate": 0},
                                 group=f"p{point:04d}"))
    return specs


def point_outputs(results: pd.DataFrame, points: int, scenario: str,
                  reference: str | None = None, years: list[int] | None = None
                  ) -> pd.DataFrame:
    """The outputs of every point: columns ``point, year, output, value``.

    ``results`` are the runs of ``sensitivity_specs`` (labelled by ``point``). Each point is
    summarised on its own with ``comparison.summarise`` (national rows): levels are
    ``scenario``'s, effects ``scenario`` minus ``reference``, the cost per child-year of
    anemia averted NaN where none was averted. Every point, year (default: ``results``' last)
    and output has a row: NaN where a run is missing (failed) or the year is not simulated.
    """
    outputs = [name for name, (_, _, paired) in OUTPUTS.items() if reference or not paired]
    years = years or [int(results["date"].max()[:4])]
    values = pd.Series(np.nan, name="value", index=pd.MultiIndex.from_product(
        [range(points), years, outputs], names=["point", "year", "output"]))
    results = results[results["group"].isin(["national", AGE_5_BAND])]  # all that is used
    for point, runs in results.groupby("point", sort=True):
        present = set(runs["scenario"])
        if scenario not in present:
            continue
        arms = [reference, scenario] if reference in present else [scenario]
        summary = summarise(pd.concat([runs[runs["scenario"] == arm] for arm in arms]), years)
        mine = summary[(summary["group"] == "national") & (summary["scenario"] == scenario)
                       & summary["outcome"].isin(["stunting", "anemia"])]
        for _, row in mine.iterrows():
            key, outcome = (int(point), int(row["year"])), row["outcome"]
            values[key + (outcome,)] = row["median"]
            if len(arms) == 2:
                values[key + (f"{outcome}_effect",)] = row["diff_median"]
                if outcome == "anemia":
                    values[key + ("cost_per_anemia_year",)] = row["cost_per_case_median"]
    return values.reset_index()


def analyse(design: Design, outputs: pd.DataFrame) -> pd.DataFrame:
    """The indices of every analysed name for every output and year, ranked.

    Columns: ``year, output, parameter, label`` and, for Morris, SALib's ``mu_star,
    mu_star_conf, sigma, mu`` (per unit of the grid) and the same per step in the output's
    unit, ``mean_abs_change, mean_abs_change_conf, sd_change, mean_change``; for Sobol
    ``S1, S1_conf, ST, ST_conf``; then ``rank`` (1 = moves the output most: by mu* or ST)
    and ``note`` (why an output has no indices: a missing point, or an output that never
    changed).
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    frames = []
    points = len(design.unit)
    for (year, output), block in outputs.groupby(["year", "output"], sort=False):
        y = block.set_index("point")["value"].reindex(range(points)).to_numpy(dtype=float)
        table = pd.DataFrame({"year": year, "output": output, "parameter": design.names,
                              "label": [plain_label(name) for name in design.names]})
        missing = int(np.isnan(y).sum())
        constant = not missing and np.ptp(y) == 0
        note = (f"{missing} of {points} points have no value (a failed run, a year not "
                "simulated, or no anemia averted for the cost ratio): no indices" if missing
                else "the output is the same at every point: no parameter analysed moves it"
                if constant else "")
        morris = design.method == "morris"
        keys = ["mu_star", "mu_star_conf", "sigma", "mu"] if morris else \
            ["S1", "S1_conf", "ST", "ST_conf"]
        table[keys] = np.nan
        if morris and not missing:  # a constant output: every mu* is 0
            result = morris_analyze.analyze(design.problem, design.unit, y,
                                            num_levels=design.levels, seed=design.seed)
        elif not morris and not note:  # a constant output has no variance to split
            result = sobol_analyze.analyze(design.problem, y, calc_second_order=False,
                                           seed=design.seed)
        else:
            result = {}
        for key in keys:
            if key in result:
                table[key] = np.asarray(result[key], dtype=float)
        if morris:
            for column, key in (("mean_abs_change", "mu_star"), ("mean_abs_change_conf",
                                "mu_star_conf"), ("sd_change", "sigma"), ("mean_change", "mu")):
                table[column] = table[key] * design.delta  # per step, in the output's unit
        order = keys[0] if morris else "ST"
        table["rank"] = table[order].rank(ascending=False, method="first",
                                          na_option="bottom").astype(int)
        table["note"] = note
        frames.append(table.sort_values("rank"))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def output_title(output: str, year: int) -> str:
    """An output's label for tables and panels, e.g. 'Anemia 6-35 m in 2025 (pp)'."""
    label, unit, _ = OUTPUTS[output]
    return f"{label.format(year=year)} ({unit})"


def headline_output(indices: pd.DataFrame) -> str:
    """The output the terminal shows: the policy's effect on anemia, else anemia's level."""
    return "anemia_effect" if "anemia_effect" in set(indices["output"]) else "anemia"


def number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, larger numbers whole with commas.

    Rounding noise (below 1e-9) shows as 0.
    """
    if abs(value) < 1e-9:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 10 ** digits else f"{value:.{digits}g}"


def _reading(row: pd.Series, method: str, unit: str) -> str:
    """One line saying what a parameter's index means for the output."""
    name = f"**{row['label']}** (`{row['parameter']}`)"
    if method == "morris" and abs(row["mu_star"]) < 1e-9:
        return f"{name}: did not change the output at any step"
    if method == "morris":
        direction = ("higher values raise the output" if row["mu"] >= 0.9 * row["mu_star"]
                     else "higher values lower the output" if row["mu"] <= -0.9 * row["mu_star"]
                     else "it moves the output both ways")
        shape = ("by amounts that depend on the others or on where it starts (sigma >= mu*)"
                 if row["sigma"] >= row["mu_star"] else "by a fairly steady amount")
        return (f"{name}: a step of half its distribution changes the output by "
                f"{number(row['mean_abs_change'])} {unit} on average (95% +/- "
                f"{number(row['mean_abs_change_conf'], 2)}, SD {number(row['sd_change'])}); "
                f"{direction}, {shape}")
    inter = max(row["ST"] - max(row["S1"], 0.0), 0.0)
    return (f"{name}: {100 * row['ST']:.0f}% of the variance with its interactions (ST "
            f"{row['ST']:.2f} +/- {row['ST_conf']:.2f}), {100 * row['S1']:.0f}% alone (S1 "
            f"{row['S1']:.2f} +/- {row['S1_conf']:.2f})"
            + (f", {100 * inter:.0f} points through interactions" if inter >= 0.05 else ""))


def markdown(indices: pd.DataFrame, design: Design, runs: int, description: str,
             top: int = 10) -> str:
    """``sensitivity.md``: the method, what its index means, and the top parameters."""
    method = design.method
    lines = [f"# Sensitivity of the headline results ({method})", "", description, "",
             f"{len(design.names)} uncertain parameters analysed, {len(design.unit)} sample "
             f"points, {runs} runs; the others are held at their defaults. Every point runs "
             "with the same seed, so the differences between points are the parameters' "
             "(common random numbers); at a coarse scale chance still adds some noise, as a "
             "changed parameter shifts which child draws which event.", "",
             INDEX_MEANING[method], ""]
    if any(output.endswith("_effect") for output in indices["output"]):
        lines += ["The policy's effect is the scenario minus the reference, negative when the "
                  "policy lowers the outcome: for it, 'higher values lower the output' means a "
                  "larger reduction.", ""]
    calibrated = [name for name in design.names if name in draws.calibrated_names()]
    if calibrated:
        lines += [f"Calibrated parameters ({', '.join(calibrated)}) come from the fit's joint "
                  "normal through its Cholesky factor (`draws.values_at`): each input moves its "
                  "parameter by the standard deviation left once the parameters before it in "
                  "`search_space.SEARCH_SPACE` are known (all of it for the first of a "
                  "correlated block, less further down), and also moves the later ones when "
                  "they are analysed too. Their indices are those of that direction.", ""]
    for (year, output), block in indices.groupby(["year", "output"], sort=False):
        unit = OUTPUTS[output][1]
        lines += [f"## {output_title(output, year)}", ""]
        if block["note"].iloc[0]:
            lines += [f"No indices: {block['note'].iloc[0]}.", ""]
            continue
        for _, row in block.sort_values("rank").head(top).iterrows():
            lines.append(f"{int(row['rank'])}. {_reading(row, method, unit)}")
        lines.append("")
    return "\n".join(lines)


def tornado_panels(indices: pd.DataFrame, year: int, top: int = 15) -> dict[str, pd.DataFrame]:
    """Per output of ``year``: the ``top`` parameters' bar (``value``, ``error``, ``label``).

    The bar is the mean absolute change per step (Morris, the output's unit) or ST (Sobol),
    the error its 95% confidence half-width; outputs without indices are left out.
    """
    panels = {}
    morris = "mean_abs_change" in indices
    for output, block in indices[indices["year"] == year].groupby("output", sort=False):
        if block["note"].iloc[0]:
            continue
        best = block.sort_values("rank").head(top)
        value, error = ("mean_abs_change", "mean_abs_change_conf") if morris else \
            ("ST", "ST_conf")
        panels[output_title(output, year)] = pd.DataFrame({
            "label": best["label"], "value": best[value], "error": best[error]})
    return panels


def write_outputs(out: Path, design: Design, outputs: pd.DataFrame, indices: pd.DataFrame,
                  runs: int, description: str) -> list[Path]:
    """Write ``sensitivity.csv``, ``sensitivity.md``, ``points.csv`` and ``tornado.png``."""
    from model.analysis.charts import plot_tornado

    written = [out / "sensitivity.csv", out / "sensitivity.md", out / "points.csv",
               out / "tornado.png"]
    indices.to_csv(written[0], index=False)
    written[1].write_text(markdown(indices, design, runs, description))
    wide = outputs.pivot_table(index="point", columns=["output", "year"], values="value")
    wide.columns = [f"{output}:{year}" for output, year in wide.columns]
    design.table().join(wide).to_csv(written[2])
    year = int(indices["year"].max())
    xlabel = ("Morris mu*: mean |change| per step of half the distribution, 95% CI"
              if design.method == "morris" else "Sobol total index ST (share of the variance), "
              "95% CI")
    plot_tornado(tornado_panels(indices, year), written[3], xlabel=xlabel,
                 title=f"{description} ({design.method}, {len(design.unit)} points)")
    return written

