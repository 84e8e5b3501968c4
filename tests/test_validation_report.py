"""The validation report: survey errors, levels, the 90% check, summaries and its charts.

Synthetic results and targets only (no model run), so these tests are fast.
"""

import math

import numpy as np
import pandas as pd
import pytest

from model.analysis.calibration import DESIGN_EFFECT
from model.analysis.validation import (
    anemia_definition_note,
    coverage,
    department_summary,
    fit_by_level,
    survey_se,
    validation_table,
)

TARGET_COLUMNS = ["year", "indicator", "age_group", "group", "area", "value_percent", "n",
                  "source"]


def results_frame(series: dict[tuple[str, str], list[float]], years=(2009, 2010),
                  months=("01", "07")) -> pd.DataFrame:
    """Runs r0, r1, ...: (metric, group) -> one value per run, the same every month."""
    rows = []
    for (metric, group), per_run in series.items():
        for r, value in enumerate(per_run):
            for year in years:
                for month in months:
                    rows.append({"scenario": "s", "seed": r, "run_id": f"r{r}", "step": 0,
                                 "date": f"{year}-{month}", "metric": metric, "group": group,
                                 "value": float(value)})
    return pd.DataFrame(rows)


def targets_frame(rows) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=TARGET_COLUMNS[:-1])
    table["source"] = "test"
    return table


def _inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Model results of two replicates and nine survey figures (see the comments)."""
    results = results_frame({
        ("stunting", "national"): [20.0, 30.0],
        ("stunting", "urban"): [10.0, 10.0],
        ("stunting", "department:PUNO"): [20.0, 30.0],
        ("stunting", "department:PUNO:rural"): [40.0, 40.0],
        ("anemia", "department:PUNO"): [60.0, 60.0],
        ("anemia", "age:6-8m"): [70.0, 70.0],
    })
    targets = targets_frame([
        (2009, "stunting", "0-59m", "national", "total", 35.0, 200),     # inside, widened
        (2010, "stunting", "0-59m", "national", "total", 45.0, 200),     # outside
        (2009, "stunting", "0-59m", "national", "urban", 12.0, np.nan),  # no n: unknown
        (2009, "stunting", "0-59m", "department:PUNO", "total", 50.0, 200),
        (2010, "stunting", "0-59m", "department:PUNO", "total", 30.0, 200),
        (2009, "stunting", "0-59m", "department:PUNO", "rural", 38.0, 100),
        (2009, "anemia", "6-35m", "department:PUNO", "total", 64.0, 150),
        (2009, "anemia", "6-35m", "department:LIMA", "total", 40.0, 150),  # not simulated
        (2009, "anemia", "6-8m", "national", "total", 60.0, np.nan),
    ])
    return results, targets


@pytest.fixture
def table():
    return validation_table(*_inputs())


def test_survey_se_follows_the_clustered_binomial():
    se = survey_se(pd.Series([50.0, 20.0, 30.0]), pd.Series([200, 100, np.nan]))
    assert se[0] == pytest.approx(100 * math.sqrt(DESIGN_EFFECT * 0.25 / 200))
    assert se[1] == pytest.approx(100 * math.sqrt(DESIGN_EFFECT * 0.2 * 0.8 / 100))
    assert math.isnan(se[2])


def test_table_keeps_its_columns_and_adds_se_level_and_inside(table):
    for column in ("model_median", "model_p5", "model_p95", "error", "runs", "metric",
                   "model_group", "survey_se", "level", "inside_90"):
        assert column in table
    assert list(table["level"]) == ["national", "national", "area", "department", "department",
                                    "department_area", "department", "department", "band"]
    assert table.loc[0, "survey_se"] == pytest.approx(100 * math.sqrt(DESIGN_EFFECT * 0.35
                                                                      * 0.65 / 200))
    assert math.isnan(table.loc[2, "survey_se"])


def test_inside_90_uses_the_predictive_interval(table):
    p5, p95 = table.loc[0, "model_p5"], table.loc[0, "model_p95"]
    assert (p5, p95) == pytest.approx((20.5, 29.5))
    median, se = table.loc[0, "model_median"], table["survey_se"]
    sampling = 1.645 * se[0]
    assert table.loc[0, "predictive_p95"] == pytest.approx(
        median + math.sqrt((p95 - median) ** 2 + sampling ** 2))
    assert table.loc[0, "predictive_p5"] == pytest.approx(
        median - math.sqrt((median - p5) ** 2 + sampling ** 2))
    # wider than either source alone, narrower than adding the two widths
    assert p95 < table.loc[0, "predictive_p95"] < p95 + sampling
    for i in (0, 1, 5):
        value = table.loc[i, "value_percent"]
        expected = table.loc[i, "predictive_p5"] <= value <= table.loc[i, "predictive_p95"]
        assert bool(table.loc[i, "inside_90"]) is bool(expected)
    assert bool(table.loc[1, "inside_90"]) is False          # 45 vs a model near 25
    assert pd.isna(table.loc[2, "inside_90"])               # no n
    assert table.loc[7, "runs"] == 0 and pd.isna(table.loc[7, "inside_90"])  # not simulated
    assert pd.isna(table.loc[8, "inside_90"])
    assert bool(table.loc[5, "inside_90"]) is True          # 40 vs 38 with a wide survey SE


def test_the_misfit_interval_widens_the_survey_part_by_the_dispersion(table):
    wide = validation_table(*_inputs(), dispersion=4.0)
    median, p5 = wide.loc[0, "model_median"], wide.loc[0, "model_p5"]
    sampling = 1.645 * 2.0 * wide.loc[0, "survey_se"]  # sqrt(4) times the survey's sd
    assert wide.loc[0, "misfit_p5"] == pytest.approx(
        median - math.sqrt((median - p5) ** 2 + sampling ** 2))
    assert (wide["misfit_p5"].dropna() <= wide["predictive_p5"].dropna()).all()
    inside = wide["inside_90"].astype("boolean")
    assert not (inside & ~wide["inside_90_misfit"].astype("boolean")).fillna(False).any()
    shares = coverage(wide)
    assert (shares["inside_90_misfit"] >= shares["inside_90"]).all()
    with pytest.raises(ValueError, match="dispersion"):
        validation_table(*_inputs(), dispersion=0.5)


def test_coverage_splits_fitted_and_held_out_figures(table):
    shares = coverage(table.assign(fitted=[True] * 4 + [False] * 5))
    assert set(shares["figures_used"]) == {"fitted", "held out"}
    known = table.dropna(subset=["inside_90"])
    assert shares["figures"].sum() == len(known)
    fitted = shares[shares["figures_used"] == "fitted"]
    assert (fitted["inside_90"] >= 0).all() and (fitted["inside_90"] <= 1).all()


def test_fit_by_level_counts_reached_figures(table):
    fit = fit_by_level(table)
    assert list(fit.columns[:6]) == ["indicator", "level", "figures", "mae", "mean_survey_se",
                                     "share_inside_90"]
    row = fit.set_index(["indicator", "level"])
    national = row.loc[("stunting", "national")]
    assert national["figures"] == 2
    assert national["mae"] == pytest.approx((abs(25 - 35) + abs(25 - 45)) / 2)
    assert national["share_inside_90"] == pytest.approx(
        table.loc[[0, 1], "inside_90"].astype(float).mean())
    assert national["mean_survey_se"] == pytest.approx(table.loc[[0, 1], "survey_se"].mean())
    area = row.loc[("stunting", "area")]
    assert area["figures"] == 1 and math.isnan(area["share_inside_90"])
    assert row.loc[("anemia", "department"), "figures"] == 1   # LIMA was not simulated
    assert ("anemia", "band") in row.index
    assert list(fit["indicator"]) == sorted(fit["indicator"], key=["stunting", "anemia"].index)


def test_department_summary_means_over_the_years(table):
    summary = department_summary(table)
    assert {"department", "area", "indicator", "survey_mean", "model_mean", "error",
            "mean_survey_se"} <= set(summary.columns)
    puno = summary.set_index(["department", "area", "indicator"])
    stunting = puno.loc[("PUNO", "total", "stunting")]
    assert stunting["years"] == 2 and stunting["survey_mean"] == pytest.approx(40.0)
    assert stunting["model_mean"] == pytest.approx(25.0)
    assert stunting["error"] == pytest.approx(-15.0)
    assert stunting["mean_survey_se"] == pytest.approx(table.loc[[3, 4], "survey_se"].mean())
    assert puno.loc[("PUNO", "rural", "stunting"), "error"] == pytest.approx(2.0)
    lima = puno.loc[("LIMA", "total", "anemia")]
    assert lima["survey_mean"] == 40.0 and math.isnan(lima["error"])
    assert len(summary) == 4
    assert department_summary(table[table["level"] == "national"]).empty


def test_anemia_definition_is_named():
    assert "CDC altitude" in anemia_definition_note("who2011")
    assert anemia_definition_note("peru").startswith("anemia: ")


def test_plots_write_pngs(table, tmp_path):
    from model.analysis.survey_charts import (
        plot_department_error_map,
        plot_department_multiples,
        plot_validation,
    )

    results = results_frame({("stunting", "national"): [20.0, 30.0],
                             ("stunting", "urban"): [10.0, 10.0],
                             ("stunting", "department:PUNO"): [20.0, 30.0],
                             ("anemia", "department:PUNO"): [60.0, 60.0],
                             ("anemia", "age:6-8m"): [70.0, 70.0]})
    paths = [plot_validation(results, table, tmp_path / "v.png", title="t"),
             plot_department_multiples(results, table, tmp_path / "s.png", "stunting"),
             plot_department_multiples(results, table, tmp_path / "a.png", "anemia"),
             plot_department_error_map(table, tmp_path / "m.png")]
    for path in paths:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_later_figures_are_judged_against_persistence():
    from model.analysis.validation import forecast_against_persistence, forecast_summary
    rows = []
    for year, survey, model in ((2011, 20.0, 21.0), (2012, 18.0, 18.5), (2014, 14.0, 15.0),
                                (2016, 12.0, 27.0)):
        rows.append({"year": year, "indicator": "stunting", "age_group": "0-59m",
                     "group": "national", "area": "total", "value_percent": survey,
                     "model_median": model, "level": "national"})
    forecast = forecast_against_persistence(pd.DataFrame(rows))
    assert list(forecast["year"]) == [2014, 2016]
    assert list(forecast["persistence"]) == [19.0, 19.0]
    assert list(forecast["model_closer"]) == [True, False]  # |15-14| < |19-14|; |27-12| > |19-12|
    summary = forecast_summary(forecast)
    assert summary["model_closer"].iloc[0] == 0.5


def test_the_forecast_summary_sets_each_level_beside_persistence_and_the_noise_floor():
    from model.analysis.validation import forecast_summary

    forecast = pd.DataFrame({
        "indicator": ["anemia"] * 3, "level": ["department"] * 3,
        "model_abs_error": [1.0, 3.0, 5.0], "persistence_abs_error": [2.0, 2.0, 2.0],
        "model_closer": [True, False, False], "survey_se": [2.0, 4.0, np.nan]})
    row = forecast_summary(forecast).iloc[0]
    assert row["figures"] == 3 and row["model_mae"] == 3.0 and row["persistence_mae"] == 2.0
    # a perfect forecast still misses by E|N(0, se)| = se sqrt(2/pi): (2 + 4) / 2 x 0.798
    assert abs(row["noise_floor"] - 3.0 * np.sqrt(2 / np.pi)) < 1e-12
    assert abs(row["model_closer"] - 1 / 3) < 1e-12
