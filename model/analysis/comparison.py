"""Scenario comparison over parameter draws and replicates: the runs, summary and files.

Every scenario runs with the same replicate seeds (``SeedSequence(seed).spawn(n)``). Scenarios
that share geography, scale and start therefore have the same children and the same illness
and growth draws (common random numbers), so the replicate-by-replicate difference from the
first scenario is the policy's effect, not noise. With ``draws`` > 0 every replicate is run
under each of ``draws`` parameter sets (``model.analysis.draws``), each draw with its own
replicate seeds: within a draw all scenarios share the parameters and the seeds, so a
difference is the policy's effect under that draw. Intervals are the 5th-95th percentiles
over all draws x replicates (a 90% interval: "90% of plausible models and chance");
without draws they are chance alone.

Outcomes are defined once (``docs/uncertainty.md``):

* **prevalence** at a date (stunting 0-59 m, anemia 6-35 m) and its change (pp);
* **child-years averted**: the children stunted (or anemic) each month, summed over the
  months from the start to that date and divided by 12, in the reference minus the scenario;
* **children stunted at age 5 averted**: those leaving the 48-59 m band stunted (a twelfth of
  the band each month), summed the same way (national);
* **development**: mean development score of children under 3 (SD), national;
* **incremental cost**: the scenario's cumulative cost minus the reference's; the cost per
  child-year averted divides the same cost by each outcome in turn, so the cost is *shared*
  between outcomes, not additive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import calendar
from model.analysis.batches import BatchOutcome, BatchSettings, run_batch_in, write_draws
from model.analysis.charts import plot_comparison, region_words
from model.analysis.experiments import RunSpec, draw_seeds, replicate_seeds
from model.analysis.outputs import OutFolder, atomic_path, write_atomic, write_csv, write_text
from model.analysis.spreadsheet import COMPARISON_COLUMNS, write_workbook
from model.config import Scenario

OUTCOMES = {"stunting": "children", "anemia": "children_6_35m"}  # outcome -> its denominator
SUMMARY_GROUPS = ("national", "urban", "rural", "natural_region:Costa",
                  "natural_region:Sierra", "natural_region:Selva",
                  *(f"quintile:{q}" for q in range(1, 6)))
AGE_5_BAND = "age:48-59m"  # children about to turn 5
LOW, HIGH = 5, 95  # percentiles of the 90% interval


def comparison_specs(scenarios: list[Scenario], replicates: int, seed: int,
                     draws: int = 0) -> list[RunSpec]:
    """The runs of a comparison: every scenario x replicate (x parameter draw).

    Without draws, run ids are ``s00-<name>-r000``. With draws, ``s00-<name>-d000-r000``, and
    the runs of one draw and replicate (every scenario) share a ``group``: a pool runs them in
    one worker, which lives their common history once.
    """
    seeds = replicate_seeds(seed, replicates)
    bodies = [scenario.model_dump(mode="json") for scenario in scenarios]
    specs = []
    if draws <= 0:
        for s, (scenario, body) in enumerate(zip(scenarios, bodies)):
            for r, replicate_seed in enumerate(seeds):
                specs.append(RunSpec(run_id=f"s{s:02d}-{scenario.name}-r{r:03d}",
                                     scenario=body, seed=replicate_seed,
                                     labels={"replicate": r}, group=f"r{r:03d}"))
        return specs
    from model.analysis.draws import apply_draw, parameter_draws

    table = parameter_draws(draws, seed)
    for d, seeds_of_draw in enumerate(draw_seeds(seed, draws, replicates)):
        values = table.iloc[d].to_dict()
        for r, replicate_seed in enumerate(seeds_of_draw):  # every scenario shares them
            for s, (scenario, body) in enumerate(zip(scenarios, bodies)):
                specs.append(RunSpec(
                    run_id=f"s{s:02d}-{scenario.name}-d{d:03d}-r{r:03d}",
                    scenario=apply_draw(body, values), seed=replicate_seed,
                    labels={"draw": d, "replicate": r}, group=f"d{d:03d}-r{r:03d}"))
    return specs


def check_comparable(scenarios: list[Scenario]) -> list[str]:
    """Fields that differ between scenarios and break common random numbers (empty if none)."""
    first = scenarios[0]
    problems = []
    for other in scenarios[1:]:
        for name in ("start", "months", "scale", "geography", "anemia_definition"):
            if getattr(other, name) != getattr(first, name):
                problems.append(f"{other.name}.{name} = {getattr(other, name)!r} differs from "
                                f"{first.name}.{name} = {getattr(first, name)!r}")
        if other.history != first.history:  # a different path to the start: other children
            def label(s: Scenario) -> str:
                return "none" if s.history is None else f"{s.history.name} ({s.history.digest()})"
            problems.append(f"{other.name}.history = {label(other)} differs from "
                            f"{first.name}.history = {label(first)}")
    return problems


def default_years(results: pd.DataFrame) -> list[int]:
    """The year of the last record, and the year halfway through if it is after the start."""
    dates = sorted(results["date"].unique())
    first, last = int(dates[0][:4]), int(dates[-1][:4])
    middle = int(dates[len(dates) // 2][:4])
    return sorted({last} | ({middle} if first < middle < last else set()))


def _at_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows dated January of ``year`` (else the latest date in that year)."""
    dates = sorted(d for d in frame["date"].unique() if d.startswith(f"{year}-"))
    if not dates:
        return frame.iloc[0:0]
    return frame[frame["date"] == dates[0]]


def _interval(values: pd.Series) -> tuple[float, float, float]:
    values = values.dropna()
    if values.empty:
        return (np.nan, np.nan, np.nan)
    return (float(values.median()), float(np.percentile(values, LOW)),
            float(np.percentile(values, HIGH)))


def parameter_share(values: pd.Series) -> float:
    """Share of the variance of ``values`` (indexed by draw and replicate) due to the draws.

    One-way analysis of variance: chance is the mean within-draw variance; parameters, the
    variance of the draw means less chance's share of it (floored at 0). NaN without at
    least two draws with two replicates each.
    """
    values = values.dropna()
    if values.empty or "draw" not in values.index.names:
        return float("nan")
    by_draw = values.groupby(level="draw")
    sizes = by_draw.size()
    if len(sizes) < 2 or sizes.min() < 2:
        return float("nan")
    chance = float(by_draw.var(ddof=1).mean())
    between = float(by_draw.mean().var(ddof=1)) - chance / float(sizes.mean())
    between = max(between, 0.0)
    total = between + chance
    return between / total if total > 0 else float("nan")


def _with_draw(results: pd.DataFrame) -> pd.DataFrame:
    """``results`` with a ``draw`` column (0 for runs without parameter draws)."""
    if "draw" in results:
        return results.assign(draw=results["draw"].fillna(0).astype(int))
    return results.assign(draw=0)


def _cumulative_cases(wide: pd.DataFrame) -> pd.DataFrame:
    """Per run and group: child-years stunted and anemic, and children stunted at 5, to date.

    Months after the start (step >= 1) count; each month adds a twelfth of a child-year.
    """
    wide = wide.sort_values("step")
    after = (wide["step"] >= 1).astype(float)
    wide = wide.assign(
        stunting_cases=calendar.years(after * wide["stunting"] / 100 * wide["children"]),
        anemia_cases=calendar.years(after * wide["anemia"] / 100 * wide["children_6_35m"]))
    keys = ["scenario", "draw", "replicate", "group"]
    wide["stunting_child_years"] = wide.groupby(keys)["stunting_cases"].cumsum()
    wide["anemia_child_years"] = wide.groupby(keys)["anemia_cases"].cumsum()
    return wide


def summarise(results: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """The comparison table: one row per scenario, year, outcome and group.

    Columns (median, p5 and p95 over draws x replicates): value (% or, for development, SD);
    ``diff`` from the first scenario (paired by draw and replicate, pp or SD); ``averted``:
    child-years of the outcome averted from the start to that date; ``param_share``: the
    share of the variance of ``diff`` due to parameter draws (NaN without draws). National
    rows add children stunted at age 5 averted (stunting), cumulative ``cost`` and
    ``extra_cost`` over the first scenario (soles) and ``cost_per_case`` (soles per
    child-year averted; the same cost divided by each outcome in turn).
    """
    results = _with_draw(results)
    years = years or default_years(results)
    order = list(dict.fromkeys(results["scenario"]))
    reference = order[0]
    keys = ["scenario", "draw", "replicate"]
    needed = results[results["group"].isin(SUMMARY_GROUPS) & results["metric"].isin(
        ["stunting", "anemia", "children", "children_6_35m"])]
    wide = _cumulative_cases(needed.pivot_table(
        index=keys + ["step", "date", "group"], columns="metric", values="value").reset_index())
    band = _stunted_at_5(results, keys)
    national = results[results["group"] == "national"]
    cost = national[national["metric"] == "cost_total"]
    development = national[national["metric"] == "mean_development"]
    rows = []
    for year in years:
        at = _at_year(wide, year)
        if at.empty:
            continue
        date = at["date"].iloc[0]
        spend = cost[cost["date"] <= date].groupby(keys)["value"].sum()
        leaving = band[band["date"] == date].set_index(keys)["stunted_at_5"]
        score = development[development["date"] == date].set_index(keys)["value"]
        indexed = at.set_index(keys + ["group"])
        for scenario in order:
            for outcome, denominator in OUTCOMES.items():
                for group in SUMMARY_GROUPS:
                    mine = _select(indexed, scenario, group)
                    if mine is None or mine[outcome].isna().all():  # no child in the group
                        continue
                    ref = _select(indexed, reference, group).reindex(mine.index)
                    value = mine[outcome]
                    diff = value - ref[outcome]
                    averted = ref[f"{outcome}_child_years"] - mine[f"{outcome}_child_years"]
                    row = {"scenario": scenario, "year": year, "date": date, "outcome": outcome,
                           "group": group, "replicates": int(value.notna().sum()),
                           "draws": int(value.index.get_level_values("draw").nunique()),
                           "param_share": parameter_share(diff)}
                    row.update(zip(("median", "p5", "p95"), _interval(value)))
                    row.update(zip(("diff_median", "diff_p5", "diff_p95"), _interval(diff)))
                    row.update(zip(("averted_median", "averted_p5", "averted_p95"),
                                   _interval(averted)))
                    if group == "national":
                        extra = _costs(row, spend, scenario, reference, value.index)
                        per_case = (extra / averted).where(averted > 0)
                        row.update(zip(("cost_per_case_median", "cost_per_case_p5",
                                        "cost_per_case_p95"), _interval(per_case)))
                        if outcome == "stunting" and not leaving.empty:
                            at_5 = (_runs(leaving, reference, value.index)
                                    - _runs(leaving, scenario, value.index))
                            row.update(zip(("at_5_averted_median", "at_5_averted_p5",
                                            "at_5_averted_p95"), _interval(at_5)))
                    rows.append(row)
            scored = score.index.get_level_values("scenario") if not score.empty else []
            if scenario in scored:  # development is tracked only where a program runs
                rows.append(_development_row(score, spend, scenario, reference, year, date))
    return pd.DataFrame(rows)


def _stunted_at_5(results: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per run and month: children leaving the 48-59 m band stunted, cumulated (child counts)."""
    band = results[(results["group"] == AGE_5_BAND) & results["metric"].isin(
        ["stunting", "children"])].pivot_table(index=keys + ["step", "date"], columns="metric",
                                               values="value").reset_index().sort_values("step")
    band["leaving"] = calendar.years((band["step"] >= 1) * band["stunting"] / 100
                                     * band["children"])
    band["stunted_at_5"] = band.groupby(keys)["leaving"].cumsum()
    return band


def _development_row(score: pd.Series, spend: pd.Series, scenario: str, reference: str,
                     year: int, date: str) -> dict:
    """The national development row of ``scenario`` (SD), against the reference if tracked."""
    scored = score.index.get_level_values("scenario")
    mine = _runs(score, scenario, None)
    diff = (mine - _runs(score, reference, mine.index)) if reference in scored \
        else pd.Series(np.nan, index=mine.index)
    row = {"scenario": scenario, "year": year, "date": date,
           "outcome": "development", "group": "national",
           "replicates": int(mine.notna().sum()),
           "draws": int(mine.index.get_level_values("draw").nunique()),
           "param_share": parameter_share(diff)}
    row.update(zip(("median", "p5", "p95"), _interval(mine)))
    row.update(zip(("diff_median", "diff_p5", "diff_p95"), _interval(diff)))
    _costs(row, spend, scenario, reference, mine.index)
    return row


def _select(indexed: pd.DataFrame, scenario: str, group: str) -> pd.DataFrame | None:
    """The rows of one scenario and group, indexed by (draw, replicate)."""
    try:
        return indexed.xs((scenario, group), level=("scenario", "group"))
    except KeyError:
        return None


def _runs(series: pd.Series, scenario: str, index) -> pd.Series:
    """One scenario's values indexed by (draw, replicate), aligned to ``index`` if given."""
    if scenario not in series.index.get_level_values("scenario"):
        return pd.Series(0.0, index=index)  # e.g. no cost recorded: nothing spent
    mine = series.xs(scenario, level="scenario")
    return mine if index is None else mine.reindex(index, fill_value=0.0)


def _costs(row: dict, spend: pd.Series, scenario: str, reference: str, index) -> pd.Series:
    """Add cumulative and incremental cost intervals to ``row``; return the incremental cost."""
    mine = _runs(spend, scenario, index)
    extra = mine - _runs(spend, reference, index)
    row.update(zip(("cost_median", "cost_p5", "cost_p95"), _interval(mine)))
    row.update(zip(("extra_cost_median", "extra_cost_p5", "extra_cost_p95"), _interval(extra)))
    return extra


def _fmt(median: float, low: float, high: float, digits: int = 1, scale: float = 1.0) -> str:
    if np.isnan(median):
        return "-"
    median, low, high = (0.0 if v == 0 else v for v in (median, low, high))  # no "-0"
    return (f"{median / scale:,.{digits}f} ({low / scale:,.{digits}f} to "
            f"{high / scale:,.{digits}f})")


def interval_meaning(draws: int, replicates: int) -> str:
    """What a 90% interval of the comparison includes, in one sentence."""
    if draws > 0:
        return (f"90% intervals over {draws} parameter draws x {replicates} replicates: they "
                "include the uncertainty of the evidence and of the calibration (90% of "
                "plausible models) and chance, not the survey's error or the model's "
                "structure")
    return (f"90% intervals over {replicates} replicates: chance alone, not parameter "
            "uncertainty (use --draws to include it)")


def summary_markdown(summary: pd.DataFrame, replicates: int,
                     anemia_definition: str = "who2011", draws: int = 0) -> str:
    """The national table a policymaker pastes into a memo."""
    from model.analysis.validation import anemia_definition_note

    reference = summary["scenario"].iloc[0]
    lines = [f"# Scenario comparison (medians with {interval_meaning(draws, replicates)})", "",
             f"Differences are from **{reference}**, paired by draw and replicate (common "
             "random numbers). Child-years averted are the children stunted (0-59 m) or "
             "anemic (6-35 m) each month, summed from the start to that date, in the "
             "reference minus the scenario; children stunted at 5 averted count those turning "
             "five stunted. Costs are cumulative from the start, in soles; the cost per "
             "child-year averted divides the same incremental cost by each outcome, so it is "
             "shared between outcomes, not additive. "
             f"{_sentence(anemia_definition_note(anemia_definition))}.", ""]
    national = summary[summary["group"] == "national"]
    for year, block in national.groupby("year", sort=True):
        lines += [f"## {block['date'].iloc[0]}", "",
                  "| scenario | stunting (%) | change (pp) | child-years of stunting averted | "
                  "stunted at 5 averted | anemia 6-35 m (%) | change (pp) | child-years of "
                  "anemia averted | development (SD) | incremental cost (million soles) | "
                  "soles per child-year of stunting averted | soles per child-year of anemia "
                  "averted |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for scenario in dict.fromkeys(block["scenario"]):
            mine = block[block["scenario"] == scenario].set_index("outcome")
            st, an = mine.loc["stunting"], mine.loc["anemia"]
            dev = mine.loc["development"] if "development" in mine.index else None
            lines.append(" | ".join([
                f"| {scenario}",
                _fmt(st["median"], st["p5"], st["p95"]),
                _fmt(st["diff_median"], st["diff_p5"], st["diff_p95"], 2),
                _fmt(st["averted_median"], st["averted_p5"], st["averted_p95"], 0),
                _fmt(*(st.get(f"at_5_averted_{k}", np.nan) for k in ("median", "p5", "p95")),
                     0),
                _fmt(an["median"], an["p5"], an["p95"]),
                _fmt(an["diff_median"], an["diff_p5"], an["diff_p95"], 2),
                _fmt(an["averted_median"], an["averted_p5"], an["averted_p95"], 0),
                "-" if dev is None else _fmt(dev["diff_median"], dev["diff_p5"],
                                             dev["diff_p95"], 3),
                _fmt(st["extra_cost_median"], st["extra_cost_p5"], st["extra_cost_p95"], 1,
                     1e6),
                _fmt(st["cost_per_case_median"], st["cost_per_case_p5"],
                     st["cost_per_case_p95"], 0),
                _fmt(an["cost_per_case_median"], an["cost_per_case_p5"],
                     an["cost_per_case_p95"], 0)]) + " |")
        lines.append("")
        shares = block[(block["scenario"] != reference) & block["param_share"].notna()]
        if not shares.empty:
            lines += ["Share of the variance of each change due to parameter uncertainty "
                      "(the rest is chance):", ""]
            for _, row in shares.iterrows():
                lines.append(f"- {row['scenario']}, {row['outcome']}: "
                             f"{100 * row['param_share']:.0f}%")
            lines.append("")
    return "\n".join(lines)


def _sentence(text: str) -> str:
    """``text`` with its first letter capitalised (the rest kept: 'WHO', 'g/dL')."""
    return text[:1].upper() + text[1:]


def comparison_job(runs: list[RunSpec], manifest: dict, specs: list[Scenario],
                   years: list[int] | None, draws: int, replicates: int, seed: int,
                   folder: OutFolder, settings: BatchSettings) -> BatchOutcome:
    """Run (or resume) a comparison in ``folder.out`` and write its files.

    Writes results.parquet (all runs), summary.csv, summary.xlsx, summary.md,
    comparison.png and, with draws, draws.csv; the outcome's ``table`` is the summary (None
    when no run finished: nothing is written). The folder is finished when no run failed.
    """
    out = folder.out
    report, results = run_batch_in(out, runs, manifest, settings)
    if results.empty:
        return BatchOutcome(report)
    written = [out / name for name in ("results.parquet", "summary.csv", "summary.xlsx",
                                       "summary.md", "comparison.png")]
    if draws:
        written.append(write_draws(out, draws, seed))
    write_atomic(written[0], lambda path: results.to_parquet(path, index=False))
    summary = summarise(results, years)
    write_csv(summary, written[1])
    note = interval_meaning(draws, replicates)
    write_workbook(written[2], summary, "summary", COMPARISON_COLUMNS,
                   note=note + ". Simulated by the model, not measured.")
    write_text(written[3], summary_markdown(summary, replicates, specs[0].anemia_definition,
                                            draws))
    label = f"{draws} draws x {replicates} replicates" if draws else f"{replicates} replicates"
    names = " vs ".join(s.name for s in specs)
    with atomic_path(written[4]) as chart:
        plot_comparison(results, chart, title=f"{names}: "
                                              f"{region_words(specs[0].geography.model_dump())}"
                                              f", simulated ({label})", note=note + ".")
    if not report.failed:
        folder.finish()
    return BatchOutcome(report, summary, written)
