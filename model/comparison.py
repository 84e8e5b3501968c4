"""Scenario comparison with replicates: the runs to make and the summary a policymaker reads.

Every scenario runs with the same replicate seeds (``SeedSequence(seed).spawn(n)``). Scenarios
that share geography, scale and start therefore have the same children and the same illness
and growth draws (common random numbers), so the replicate-by-replicate difference from the
first scenario is the policy's effect, not noise. Intervals are the 5th-95th percentiles over
replicates (a 90% interval).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.config import Scenario
from model.experiments import RunSpec, replicate_seeds

OUTCOMES = {"stunting": "children", "anemia": "children_6_35m"}  # outcome -> its denominator
SUMMARY_GROUPS = ("national", "urban", "rural", "natural_region:Costa",
                  "natural_region:Sierra", "natural_region:Selva",
                  *(f"quintile:{q}" for q in range(1, 6)))
LOW, HIGH = 5, 95  # percentiles of the 90% interval


def comparison_specs(scenarios: list[Scenario], replicates: int, seed: int) -> list[RunSpec]:
    """One run per scenario and replicate, all scenarios sharing the replicate seeds."""
    seeds = replicate_seeds(seed, replicates)
    specs = []
    for s, scenario in enumerate(scenarios):
        body = scenario.model_dump(mode="json")
        for r, replicate_seed in enumerate(seeds):
            specs.append(RunSpec(run_id=f"s{s:02d}-{scenario.name}-r{r:03d}", scenario=body,
                                 seed=replicate_seed, labels={"replicate": r}))
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


def summarise(results: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """The comparison table: one row per scenario, year, outcome and group.

    Columns: value (median, p5, p95 over replicates, %); difference from the first scenario
    (paired by replicate, percentage points); cases averted at that date (children who would
    otherwise be stunted/anemic); cumulative cost to that date and incremental cost over the
    first scenario (soles, national rows); cost per case averted (incremental cost / cases
    averted, per replicate, national rows).
    """
    years = years or default_years(results)
    order = list(dict.fromkeys(results["scenario"]))
    reference = order[0]
    wide = results.pivot_table(index=["scenario", "replicate", "step", "date", "group"],
                               columns="metric", values="value").reset_index()
    cost = results[(results["metric"] == "cost_total") & (results["group"] == "national")]
    rows = []
    for year in years:
        at = _at_year(wide, year)
        if at.empty:
            continue
        date = at["date"].iloc[0]
        spend = cost[cost["date"] <= date].groupby(["scenario", "replicate"])["value"].sum()
        base = at[at["scenario"] == reference].set_index(["replicate", "group"])
        for scenario in order:
            mine = at[at["scenario"] == scenario].set_index(["replicate", "group"])
            for outcome, denominator in OUTCOMES.items():
                for group in SUMMARY_GROUPS:
                    if group not in mine.index.get_level_values("group"):
                        continue
                    value = mine.xs(group, level="group")[outcome]
                    ref = base.xs(group, level="group")
                    diff = value - ref[outcome]
                    averted = -diff / 100 * ref[denominator]
                    row = {"scenario": scenario, "year": year, "date": date, "outcome": outcome,
                           "group": group, "replicates": int(value.notna().sum())}
                    row.update(zip(("median", "p5", "p95"), _interval(value)))
                    row.update(zip(("diff_median", "diff_p5", "diff_p95"), _interval(diff)))
                    row.update(zip(("averted_median", "averted_p5", "averted_p95"),
                                   _interval(averted)))
                    if group == "national":
                        mine_cost = spend.get(scenario, pd.Series(dtype=float)).reindex(
                            value.index, fill_value=0.0)
                        ref_cost = spend.get(reference, pd.Series(dtype=float)).reindex(
                            value.index, fill_value=0.0)
                        extra = mine_cost - ref_cost
                        per_case = (extra / averted).where(averted > 0)
                        row.update(zip(("cost_median", "cost_p5", "cost_p95"),
                                       _interval(mine_cost)))
                        row.update(zip(("extra_cost_median", "extra_cost_p5", "extra_cost_p95"),
                                       _interval(extra)))
                        row.update(zip(("cost_per_case_median", "cost_per_case_p5",
                                        "cost_per_case_p95"), _interval(per_case)))
                    rows.append(row)
    return pd.DataFrame(rows)


def _fmt(median: float, low: float, high: float, digits: int = 1, scale: float = 1.0) -> str:
    if np.isnan(median):
        return "-"
    median, low, high = (0.0 if v == 0 else v for v in (median, low, high))  # no "-0"
    return (f"{median / scale:,.{digits}f} ({low / scale:,.{digits}f} to "
            f"{high / scale:,.{digits}f})")


def summary_markdown(summary: pd.DataFrame, replicates: int,
                     anemia_definition: str = "who2011") -> str:
    """The national table a policymaker pastes into a memo."""
    from model.validation import anemia_definition_note

    reference = summary["scenario"].iloc[0]
    lines = [f"# Scenario comparison ({replicates} replicates, medians with 90% intervals)", "",
             f"Differences are from **{reference}**, replicate by replicate (common random "
             "numbers). Cases averted are children who would otherwise be stunted (0-59 m) or "
             "anemic (6-35 m) at that date. Costs are cumulative from the start, in soles. "
             f"The intervals show run-to-run chance only, not parameter uncertainty. "
             f"{_sentence(anemia_definition_note(anemia_definition))}.", ""]
    national = summary[summary["group"] == "national"]
    for year, block in national.groupby("year", sort=True):
        lines += [f"## {block['date'].iloc[0]}", "",
                  "| scenario | stunting (%) | change (pp) | stunting cases averted | "
                  "anemia 6-35 m (%) | change (pp) | anemia cases averted | cost (million "
                  "soles) | soles per stunting case averted | soles per anemia case averted |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for scenario in dict.fromkeys(block["scenario"]):
            st = block[(block["scenario"] == scenario) & (block["outcome"] == "stunting")].iloc[0]
            an = block[(block["scenario"] == scenario) & (block["outcome"] == "anemia")].iloc[0]
            lines.append(" | ".join([
                f"| {scenario}",
                _fmt(st["median"], st["p5"], st["p95"]),
                _fmt(st["diff_median"], st["diff_p5"], st["diff_p95"], 2),
                _fmt(st["averted_median"], st["averted_p5"], st["averted_p95"], 0),
                _fmt(an["median"], an["p5"], an["p95"]),
                _fmt(an["diff_median"], an["diff_p5"], an["diff_p95"], 2),
                _fmt(an["averted_median"], an["averted_p5"], an["averted_p95"], 0),
                _fmt(st["cost_median"], st["cost_p5"], st["cost_p95"], 1, 1e6),
                _fmt(st["cost_per_case_median"], st["cost_per_case_p5"],
                     st["cost_per_case_p95"], 0),
                _fmt(an["cost_per_case_median"], an["cost_per_case_p5"],
                     an["cost_per_case_p95"], 0)]) + " |")
        lines.append("")
    return "\n".join(lines)


def _sentence(text: str) -> str:
    """``text`` with its first letter capitalised (the rest kept: 'WHO', 'g/dL')."""
    return text[:1].upper() + text[1:]
