"""The dashboard's logic without a browser: levers, runner, figures, classroom, exercises."""

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import run as cli
from model.comparison import check_comparable
from model.config import ScenarioError, load_scenario
from model.experiments import run_scenario
from viz import exercises, figures, plots
from viz import levers as L
from viz.classroom import Classroom, classroom_scenario
from viz.i18n import LANGUAGES, TEXT, tr
from viz.runner import run_comparison

VIZ = Path(__file__).resolve().parent.parent / "viz"
SMALL = dict(region="TUMBES", years=1, replicates=2, seed=3)


@pytest.fixture(scope="module")
def small_result():
    """A finished 2-replicate comparison of the package in Tumbes over one year."""
    *_, last = run_comparison(L.levers_from_scenario("package", **SMALL))
    return last


def test_every_text_exists_in_both_languages():
    for key, texts in TEXT.items():
        assert len(texts) == len(LANGUAGES) and all(t.strip() for t in texts), key
    used = set()
    for path in VIZ.glob("*.py"):
        used |= set(re.findall(r"""(?:_t|tr)\(\s*["']([a-z_.0-9]+)["']""", path.read_text()))
    for program in L.PROGRAMS:
        used.add(f"prog_{program}")
        used |= {f"{program}.{p}" for p in L.LEVERS[program]}
        for parameter, options in L.CHOICES.get(program, {}).items():
            used |= {f"{program}.{parameter}"} | {f"{program}.{parameter}.{o}" for o in options}
    used |= {f"precision_{p}" for p in L.PRECISION_TARGET}
    missing = sorted(k for k in used if k not in TEXT)
    assert not missing, missing
    assert tr("running", "en", percent=40) == "Simulating… 40%"


def test_levers_start_from_the_shipped_file():
    package = L.levers_from_scenario("package")
    assert set(package.enabled) == set(L.PROGRAMS)
    big = L.levers_from_scenario("cuna_mas_1m")
    assert big.value("home_visits", "families") == 1_000_000
    assert big.value("home_visits", "caseload") == 10  # the intervention's default
    assert L.levers_from_scenario("baseline").enabled == ()
    with pytest.raises(ScenarioError, match="allowed"):
        L.levers_from_scenario("no_such")


def test_levers_build_a_comparable_pair():
    levers = L.levers_from_scenario("cct", region="HUANCAVELICA", years=2).with_value(
        "cct", "transfer_soles", 300)
    reference, policy = L.build_scenarios(levers)
    assert check_comparable([reference, policy]) == []
    assert reference.interventions == [] and reference.months == 24
    assert policy.geography.departments == ["HUANCAVELICA"] and policy.outputs.districts
    (cct,) = policy.interventions
    assert cct.model_extra["transfer_soles"] == 300
    off = levers.with_program("cct", False).with_program("iron", True)
    assert [i.type for i in L.build_scenarios(off)[1].interventions] == ["iron"]
    # the scenario files the page offers reload as the same scenarios
    text = L.scenario_yaml(policy)
    assert "transfer_soles: 300" in text


def test_scale_follows_region_and_precision():
    national = L.scale_for(L.ALL_PERU, "fast")
    assert 150 <= national <= 250  # 2.9 million children / 15,000
    assert L.scale_for("TUMBES", "fine") == 1
    assert L.scale_for(L.ALL_PERU, "fine") < national


def test_checks_refuse_oversized_runs_and_warn_on_empty_programs():
    huge = replace(L.levers_from_scenario("package"), precision="fine", replicates=20, years=10)
    errors, _ = L.check(huge)
    assert [key for key, _ in errors] == ["too_slow"]
    assert L.check(L.levers_from_scenario("package")) == ([], [])
    _, warnings = L.check(L.levers_from_scenario("baseline"))
    assert ("no_programs", {}) in warnings
    rich_only = L.levers_from_scenario("cct", region="LIMA").with_value(
        "cct", "district_poverty_threshold", 0.9)
    assert "cct_no_district" in [key for key, _ in L.check(rich_only)[1]]


def test_dashboard_numbers_equal_the_cli_compare(small_result, tmp_path):
    """The scenario files the page offers, run by `run.py compare`, give the same numbers."""
    reference, policy = small_result.reference, small_result.policy
    (tmp_path / "baseline_dashboard.yaml").write_text(L.scenario_yaml(reference))
    (tmp_path / "policy_dashboard.yaml").write_text(L.scenario_yaml(policy))
    out = tmp_path / "out"
    command = L.cli_command(small_result.levers).split()[2:]  # after "python run.py"
    command = [str(tmp_path / a) if a.endswith(".yaml") else a for a in command]
    outcome = CliRunner().invoke(cli.app, command + ["--workers", "1", "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    from_cli = pd.read_parquet(out / "results.parquet")
    districts = from_cli["group"].str.startswith("district:")
    expected = from_cli[~districts].reset_index(drop=True)
    got = small_result.results
    assert list(got.columns) == list(expected.columns)
    assert got[["run_id", "scenario", "date", "metric", "group"]].astype(str).equals(
        expected[["run_id", "scenario", "date", "metric", "group"]].astype(str))
    assert np.array_equal(got["value"].to_numpy(), expected["value"].to_numpy(), equal_nan=True)
    # the map's district values are the CLI's district rows
    row = from_cli[districts & (from_cli["metric"] == "anemia")].iloc[-1]
    scenario = 0 if row["scenario"] == "baseline" else 1
    cube_value = small_result.district_values[
        scenario, row["replicate"], small_result.dates.index(row["date"]),
        small_result.ubigeos.index(row["group"].removeprefix("district:")), 1]
    assert cube_value == pytest.approx(row["value"], rel=1e-6)


def test_stop_keeps_the_finished_pairs():
    calls = {"progress": 0.0}

    def on_progress(fraction):
        calls["progress"] = fraction

    levers = L.levers_from_scenario("iron", **{**SMALL, "replicates": 3})
    results = list(run_comparison(levers, on_progress,
                                  should_stop=lambda: calls["progress"] > 0.45))
    last = results[-1]
    assert last.stopped and not last.complete and last.pairs_done == 1
    assert set(last.results["replicate"]) == {0}
    assert last.district_values.shape[:2] == (2, 1)


def test_figures_describe_the_result(small_result):
    option = figures.trajectory_option(small_result, "stunting", "en")
    medians = [s for s in option["series"] if s["name"] in ("No programs", "Policy")]
    assert len(medians) == 2 and len(medians[0]["data"]) == 13
    cube = small_result.district_values[:, :, -1]  # scenario, replicate, district, metric
    table = figures.map_values(small_result, small_result.dates[-1])
    assert len(table) == 13  # Tumbes has 13 districts
    finite = table.dropna()
    assert np.allclose(finite["anemia_change"], np.median(
        cube[1, :, :, 1] - cube[0, :, :, 1], axis=0)[finite.index])
    # by province: the districts' prevalences weighted by their children
    provinces = figures.map_values(small_result, small_result.dates[-1], "province")
    names = figures.load_district_table().set_index("ubigeo").loc[small_result.ubigeos]
    zarumilla = (names["province"] == "ZARUMILLA").to_numpy()
    assert provinces["stunting_policy"][zarumilla].nunique() == 1
    stunted = cube[1, :, zarumilla, 0] * cube[1, :, zarumilla, 2]  # % x children
    expected = np.median(np.nansum(stunted, axis=0) / np.nansum(cube[1, :, zarumilla, 2], axis=0))
    assert provinces["stunting_policy"][zarumilla].iloc[0] == pytest.approx(expected, rel=1e-5)
    assert provinces["name"][zarumilla].iloc[0] == "ZARUMILLA (TUMBES)"
    with pytest.raises(ValueError, match="allowed"):
        figures.map_values(small_result, small_result.dates[-1], "region")
    chart = figures.map_option(small_result, small_result.dates[-1], "anemia", "change", "es")
    first = chart["series"][0]["data"][0]
    assert "TUMBES" in first["tooltip"]["formatter"] and "Anemia" in first["tooltip"]["formatter"]
    equity = figures.equity_table(small_result, "anemia")
    assert {"urban", "rural", "quintile:1", "quintile:5"} <= set(equity["group"])
    national = figures.headline(small_result)["anemia"]
    assert national["diff_median"] < 0  # the package includes iron


def test_dashboard_pngs_are_drawn(small_result, tmp_path):
    names = {"baseline": "Sin programas", "policy": "Política"}
    plots.plot_comparison(small_result.results, tmp_path / "t.png",
                          titles={"stunting": "Desnutrición", "anemia": "Anemia"}, names=names,
                          colors=figures.COLORS, ylabel="Prevalencia (%)", xlabel="Fecha")
    table = figures.map_values(small_result, small_result.dates[-1])
    plots.plot_district_map(figures.region_geojson("TUMBES"),
                            dict(zip(table["ubigeo"], table["anemia_policy"])),
                            tmp_path / "m.png", "Anemia", "%")
    equity = {o: figures.equity_table(small_result, o) for o in ("stunting", "anemia")}
    plots.plot_equity(equity, list(equity["anemia"]["group"]), names, tmp_path / "e.png", "%")
    for name in ("t", "m", "e"):
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_classroom_gives_the_cli_results():
    room = Classroom("none")
    while room.step():
        pass
    assert room.finished and room.model.steps == 60
    cli_run = run_scenario(load_scenario(Path("scenarios/classroom.yaml")))
    assert room.model.results().equals(cli_run.results)
    room.reset()
    assert room.model.steps == 0


def test_classroom_package_matches_its_scenario_file():
    """The full-package classroom is scenarios/classroom_package.yaml: classroom + package."""
    package = load_scenario(Path("scenarios/package.yaml"))
    room_file = load_scenario(Path("scenarios/classroom_package.yaml"))
    classroom = load_scenario(Path("scenarios/classroom.yaml"))
    assert room_file.interventions == package.interventions
    for field in ("start", "months", "seed", "scale", "geography", "anemia_definition"):
        assert getattr(room_file, field) == getattr(classroom, field), field
    room = Classroom("package")
    for _ in range(12):
        room.step()
    cli_run = run_scenario(room_file.model_copy(update={"months": 12}))
    assert room.model.results().equals(cli_run.results)


def test_classroom_network_and_stories():
    room = Classroom("package")
    for _ in range(4):
        room.step()
    option = room.network(room.provinces()[0], "en")
    nodes = option["series"][0]["data"]
    ids = {n["id"] for n in nodes}
    kinds = {i.split(":")[0] for i in ids}
    assert {"district", "post", "household", "child", "visitor"} <= kinds
    assert all(link["source"] in ids and link["target"] in ids
               for link in option["series"][0]["links"])
    child = next(i for i in ids if i.startswith("child:"))
    story = room.story(child, "en")
    history = room.model.tracked_history(int(child.split(":")[1]))
    assert len(history) >= 2 and story["chart"]["series"][0]["data"] == [
        round(float(v), 2) for v in history["haz"]]
    assert f"{int(history['cred_seen'].sum())} CRED" in " ".join(story["facts"])
    for kind in ("district", "post", "household", "visitor"):
        node = next(i for i in ids if i.startswith(kind + ":"))
        assert room.story(node, "es")["facts"]
    with pytest.raises(KeyError):
        room.story("planet:1", "en")
    with pytest.raises(ValueError, match="allowed"):
        classroom_scenario("everything")


def test_exercises_show_their_mechanism():
    assert len(exercises.EXERCISES) >= 4
    assert {e.interventions[0]["type"] for e in exercises.EXERCISES} == set(L.PROGRAMS)
    docs = (VIZ.parent / "docs" / "teaching.md").read_text()
    for item in exercises.EXERCISES:
        assert item.title[1] in docs, item.key
    iron = exercises.run_exercise(exercises.exercise("iron"))
    assert iron["high"] < 0 and iron["policy"] < iron["baseline"]  # drops lower anemia
    serums = exercises.run_exercise(exercises.exercise("serums"))
    assert abs(serums["diff"]) < 0.05  # staff without CRED demand change nothing
