"""The dashboard's logic without a browser: levers, runner, figures, classroom, exercises."""

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cli.app import app as cli_app
from model.analysis import charts
from model.analysis.comparison import check_comparable
from model.analysis.experiments import run_scenario
from model.config import ScenarioError, load_scenario
from model.geography import load_district_table
from model.model import build_model
from viz import exercises, figures, maps, runner
from viz import levers as L
from viz import policy_scenarios as S
from viz import preflight as P
from viz.classroom import Classroom, classroom_scenario, live_programs
from viz.i18n import LANGUAGES, TEXT, tr
from viz.runner import run_comparison
from viz.today import run_today, survey_points

VIZ = Path(__file__).resolve().parent.parent / "viz"
SMALL = dict(region="TUMBES", years=1, replicates=2, seed=3)


@pytest.fixture(scope="module")
def small_result():
    """A finished 2-replicate comparison of the package with the status quo, Tumbes, 1 year,
    chance alone (the default parameters)."""
    *_, last = run_comparison(L.levers_from_scenario("package", uncertainty=False, **SMALL))
    return last


@pytest.fixture(scope="module")
def small_draws():
    """The same comparison with parameter uncertainty (the page's default): 2 draws x 1
    replicate."""
    *_, last = run_comparison(L.levers_from_scenario("package", **SMALL))
    return last


@pytest.fixture(scope="module")
def tumbes_today():
    """Tumbes' history 2000-2019 with records (fast precision, seed 3)."""
    return run_today("TUMBES", 3)


def test_every_text_exists_in_both_languages():
    for key, texts in TEXT.items():
        assert len(texts) == len(LANGUAGES) and all(t.strip() for t in texts), key
    used = set()
    for path in VIZ.glob("*.py"):
        used |= set(re.findall(r"""(?:\bt|_t|tr)\(\s*["']([a-z_.0-9]+)["']""",
                               path.read_text()))
    for program in L.PROGRAMS:
        used.add(f"prog_{program}")
        used |= {f"{program}.{p}" for p in L.LEVERS[program]}
        for parameter, options in L.CHOICES.get(program, {}).items():
            used |= {f"{program}.{parameter}"} | {f"{program}.{parameter}.{o}" for o in options}
    used |= {f"precision_{p}" for p in L.PRECISION_TARGET}
    used |= {f"ref_{r}" for r in L.REFERENCES} | {f"reference_note_{r}" for r in L.REFERENCES}
    used |= {f"anemia_note_{d}" for d in ("who2011", "who2024", "peru")}
    used |= {f"stage_{s}" for s in ("history", "months")}
    used |= {f"note_{n}_{k}" for n in ("rollout", "schedule") for k in ("kept", "replaced")}
    used |= {f"{text}_{kind}" for text in ("interval_title", "interval_text", "interval_short",
                                           "runs_note") for kind in ("draws", "chance")}
    used |= {"policy_file", "policy_file_changed"}
    used |= {f"scen_{name}" for name in L.SHIPPED}
    used |= {"juntos_not_enrolled", "juntos_enrolled", "juntos_suspended", "world_a",
             "world_b"}
    used |= {f"prog_{program}" for program in live_programs()}
    missing = sorted(k for k in used if k not in TEXT)
    assert not missing, missing
    assert tr("running", "en", percent=40) == "Simulating… 40%"


def test_levers_start_at_the_status_quo():
    """The levers show the history's last programs, merged with the file's own changes."""
    today = L.levers_from_scenario()
    assert today.scenario == "baseline" and today.reference == "baseline"
    # every program but SMS reminders runs in the status quo
    assert set(today.enabled) == set(L.PROGRAMS) - {"sms"}
    expected = {("cct", "transfer_soles"): 200, ("sis", "coverage_poor"): 0.72,
                ("sis", "coverage_nonpoor"): 0.37, ("serums", "placements_per_year"): 6384,
                ("serums", "rule"): "poverty_map", ("home_visits", "families"): 110_000,
                ("municipal_visits", "max_districts"): 865, ("iron", "adherence_mean"): 0.589,
                ("iron", "start_age_months"): 4, ("iron", "channel"): "both",
                ("cred", "attendance"): 0.30}
    for key, value in expected.items():
        assert today.value(*key) == value, key
    # Juntos' roll-out (the 1,142 poorest districts) shown as the poverty of the last of them
    assert today.value("cct", "district_poverty_threshold") == 0.28
    assert L.rollout_districts(L.status_quo_programs(L.shipped_scenario("baseline"))["cct"][
        "rollout"], "2020-01") == 1142
    package = L.levers_from_scenario("package")
    assert package.value("sis", "coverage_poor") == 0.95
    assert package.value("cct", "district_poverty_threshold") == 0.20
    assert package.value("home_visits", "families") == 270_000
    assert package.value("cct", "transfer_soles") == 200  # not changed by the file
    big = L.levers_from_scenario("cuna_mas_1m")
    assert big.value("home_visits", "families") == 1_000_000
    assert big.value("home_visits", "caseload") == 10  # the status quo's
    assert L.levers_from_scenario("no_programs").enabled == ()
    with pytest.raises(ScenarioError, match="allowed"):
        L.levers_from_scenario("no_such")


def test_levers_become_changes_of_the_status_quo():
    # an untouched file is the file
    for name in ("package", "cct", "cuna_mas_1m", "no_programs"):
        _, policy = S.build_scenarios(L.levers_from_scenario(name))
        assert policy.interventions == load_scenario(L.SCENARIO_DIR / f"{name}.yaml"
                                                     ).interventions, name
    assert S.policy_interventions(L.levers_from_scenario()) == []
    # a moved lever adds or updates its program's entry (merged by the model)
    moved = L.levers_from_scenario("cct").with_value("cct", "transfer_soles", 300)
    assert S.policy_interventions(moved) == [
        {"type": "cct", "rollout": [], "district_poverty_threshold": 0.2, "transfer_soles": 300}]
    # levers that stand for a schedule replace it when moved
    today = L.levers_from_scenario()
    assert S.policy_interventions(today.with_value("cct", "district_poverty_threshold",
                                                   0.5)) == [
        {"type": "cct", "district_poverty_threshold": 0.5, "rollout": []}]
    assert S.policy_interventions(today.with_value("home_visits", "families", 200_000)) == [
        {"type": "home_visits", "families": 200_000, "families_schedule": {}}]
    notes = L.lever_notes(today)
    assert notes[("cct", "district_poverty_threshold")][0] == "note_rollout_kept"
    assert L.lever_notes(today.with_value("home_visits", "families", 200_000))[
        ("home_visits", "families")][0] == "note_schedule_replaced"
    # switching off ends the program the month before the start; on again: as it runs today
    off = today.with_program("sis", False)
    assert S.policy_interventions(off) == [{"type": "sis", "end": "2019-12"}]
    assert S.policy_interventions(off.with_program("sis", True)) == []
    back = L.levers_from_scenario("no_programs").with_program("iron", True)
    assert {"type": "iron", "end": "2019-12"} not in S.policy_interventions(back)
    ended = L.shipped_scenario("no_programs")["interventions"]
    assert len(S.policy_interventions(back)) == len(ended) - 1  # all but iron stay ended


def test_levers_build_a_comparable_pair():
    levers = L.levers_from_scenario("cct", region="HUANCAVELICA", years=2).with_value(
        "cct", "transfer_soles", 300)
    reference, policy = S.build_scenarios(levers)
    assert check_comparable([reference, policy]) == []
    status_quo = load_scenario(L.SCENARIO_DIR / "baseline.yaml")
    assert reference.name == "baseline" and reference.interventions == []
    assert reference.history == status_quo.history and reference.start == "2020-01"
    assert reference.months == 24
    assert policy.geography.departments == ["HUANCAVELICA"] and policy.outputs.districts
    (cct,) = policy.interventions
    assert cct.model_extra["transfer_soles"] == 300
    # the counterfactual reference: every program ended in December 2019
    counter, _ = S.build_scenarios(replace(levers, reference="no_programs"))
    assert counter.name == "no_programs" and check_comparable([counter, policy]) == []
    assert {i.type for i in counter.interventions} == set(L.PROGRAMS) - {"sms"} | {"sello"}
    assert all(i.model_extra == {"end": "2019-12"} for i in counter.interventions)
    # the scenario files the page offers reload as the same scenarios
    text = S.scenario_yaml(policy)
    assert "transfer_soles: 300" in text
    assert text.index("interventions:") < text.index("history:")  # the history last
    assert yaml.safe_load(text)["history"]["name"] == "peru_2000_2019"


def test_a_moved_lever_reaches_the_model():
    """The policy's change entry updates the status quo's program (parameters merged)."""
    levers = L.levers_from_scenario(region="TUMBES", years=1).with_value(
        "cct", "transfer_soles", 300).with_value("iron", "adherence_mean", 0.9)
    _, policy = S.build_scenarios(levers)
    model = build_model(policy)
    cct = [i for i in model.interventions if i.name == "cct"][-1]
    assert cct.p.transfer_soles == 300 and cct.p.rollout  # the roll-out kept: not moved
    assert cct.p.period_months == 2  # every other Juntos setting kept
    iron = [i for i in model.interventions if i.name == "iron"][-1]
    assert iron.p.adherence_mean == 0.9 and iron.p.channel == "both"


def test_scale_follows_region_and_precision():
    national = S.scale_for(L.ALL_PERU, "fast")
    assert 150 <= national <= 250  # 2.9 million children / 15,000
    assert S.scale_for("TUMBES", "fine") == 1
    assert S.scale_for(L.ALL_PERU, "fine") < national


def test_checks_refuse_oversized_runs_and_warn_on_empty_programs():
    huge = replace(L.levers_from_scenario("package"), precision="fine", replicates=20, years=10)
    errors, _ = P.check(huge)
    assert [key for key, _ in errors] == ["too_slow"]
    assert P.check(L.levers_from_scenario("package")) == ([], [])
    assert P.check(L.levers_from_scenario("baseline"))[1] == [("no_change", {})]
    nothing = L.levers_from_scenario("no_programs", reference="no_programs")
    assert ("no_programs", {}) in P.check(nothing)[1]
    rich_only = L.levers_from_scenario("cct", region="LIMA").with_value(
        "cct", "district_poverty_threshold", 0.9)
    assert "cct_no_district" in [key for key, _ in P.check(rich_only)[1]]
    iron_alone = L.levers_from_scenario().with_value("iron", "channel", "visits")
    assert "iron_needs_visits" not in [key for key, _ in P.check(iron_alone)[1]]
    no_visitors = iron_alone.with_program("home_visits", False).with_program(
        "municipal_visits", False)
    assert "iron_needs_visits" in [key for key, _ in P.check(no_visitors)[1]]


def test_time_estimate_includes_the_history(small_result):
    levers = L.levers_from_scenario(region="HUANCAVELICA", years=2, replicates=3)
    history = P.history_seconds("HUANCAVELICA", "fast")
    assert 1 < history < 20
    assert P.estimated_seconds(levers, saved=0) == pytest.approx(
        3 * history + 6 * P.arm_seconds("HUANCAVELICA", "fast", 2))
    assert P.history_seconds(L.ALL_PERU, "fast") > history  # districts cost
    # a comparison that ran saved its replicates' histories: a rerun restores them
    done = small_result.levers
    assert P.histories_saved(done) == done.replicates == 2
    assert P.estimated_seconds(done) == pytest.approx(
        P.estimated_seconds(done, saved=0) - 2 * P.history_seconds("TUMBES", "fast"))
    assert P.histories_saved(replace(done, seed=done.seed + 1)) == 0


@pytest.mark.parametrize("fixture", ["small_result", "small_draws"])
def test_dashboard_numbers_equal_the_cli_compare(fixture, request, tmp_path):
    """The scenario files the page offers, run by `run.py compare`, give the same numbers
    (with parameter draws too: the command then says --draws N --replicates 1)."""
    small_result = request.getfixturevalue(fixture)
    reference, policy = small_result.reference, small_result.policy
    (tmp_path / "reference_dashboard.yaml").write_text(S.scenario_yaml(reference))
    (tmp_path / "policy_dashboard.yaml").write_text(S.scenario_yaml(policy))
    out = tmp_path / "out"
    command = S.cli_command(small_result.levers).split()[2:]  # after "python run.py"
    assert ("--draws 2 --replicates 1" in " ".join(command)) == (fixture == "small_draws")
    command = [str(tmp_path / a) if a.endswith(".yaml") else a for a in command]
    outcome = CliRunner().invoke(cli_app, command + ["--workers", "1", "--out", str(out)])
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
    pair = row["draw"] if small_result.draws else row["replicate"]
    cube_value = small_result.district_values[
        scenario, pair, small_result.dates.index(row["date"]),
        small_result.ubigeos.index(row["group"].removeprefix("district:")), 1]
    assert cube_value == pytest.approx(row["value"], rel=1e-6)


def test_runner_pairs_draws_and_their_cube(small_draws, small_result):
    """With parameter uncertainty each pair is one draw (one replicate seed): reference and
    policy of a draw run together, the cube's pair axis follows the draws."""
    result = small_draws
    assert result.draws == 2 and result.complete and result.pairs_done == 2
    assert small_result.draws == 0
    assert list(dict.fromkeys(result.results["run_id"])) == [
        "s00-baseline-d000-r000", "s01-policy-d000-r000",
        "s00-baseline-d001-r000", "s01-policy-d001-r000"]  # the CLI's order
    assert set(result.results["replicate"]) == {0} and set(result.results["draw"]) == {0, 1}
    assert result.district_values.shape == (2, 2, 13, 13, len(runner.CUBE_METRICS))
    # pairs by group, scenario within: both orders of comparison_specs
    reference, policy = result.reference, result.policy
    for draws, replicates, groups in ((2, 1, ["d000-r000", "d001-r000"]),
                                      (0, 3, ["r000", "r001", "r002"])):
        specs = runner.comparison_specs([reference, policy], replicates, 3, draws)
        pairs = runner.execution_order(specs)
        assert [pair[0].group for pair in pairs] == groups
        assert all([s.run_id[:3] for s in pair] == ["s00", "s01"] and pair[0].group ==
                   pair[1].group for pair in pairs)
    # the draws differ in their parameters; both arms of a draw share them
    specs = runner.comparison_specs([reference, policy], 1, 3, 2)
    assert specs[0].scenario["parameters"] == specs[1].scenario["parameters"]
    assert specs[0].scenario["parameters"] != specs[2].scenario["parameters"]
    # a draw's reference and policy differ (the package), the two draws' references too
    cube = result.district_values
    assert not np.array_equal(cube[0, 0], cube[0, 1], equal_nan=True)
    assert not np.array_equal(cube[0, 0], cube[1, 0], equal_nan=True)
    # the histories the draws lived are saved: a rerun restores them
    assert P.histories_saved(result.levers) == 2
    assert result.summary["draws"].max() == 2
    assert figures.interval_kind(result) == "draws" and figures.interval_kind(
        small_result) == "chance"


def test_stop_keeps_the_finished_pairs():
    calls = {"progress": 0.0}

    def on_progress(fraction):
        calls["progress"] = fraction

    levers = L.levers_from_scenario("iron", **{**SMALL, "replicates": 3})
    results = list(run_comparison(levers, on_progress,
                                  should_stop=lambda: calls["progress"] > 0.45))
    last = results[-1]
    assert last.stopped and not last.complete and last.pairs_done == 1
    assert set(last.results["draw"]) == {0} and last.draws == 3
    assert last.district_values.shape[:2] == (2, 1)


def test_figures_describe_the_result(small_result):
    option = figures.trajectory_option(small_result, "stunting", "en")
    medians = [s for s in option["series"] if s["name"] in ("Status quo", "Policy")]
    assert len(medians) == 2 and len(medians[0]["data"]) == 13
    cube = small_result.district_values[:, :, -1]  # scenario, replicate, district, metric
    table = maps.map_values(small_result, small_result.dates[-1])
    assert len(table) == 13  # Tumbes has 13 districts
    finite = table.dropna()
    assert np.allclose(finite["anemia_change"], np.median(
        cube[1, :, :, 1] - cube[0, :, :, 1], axis=0)[finite.index])
    # by province: the districts' prevalences weighted by their children
    provinces = maps.map_values(small_result, small_result.dates[-1], "province")
    names = load_district_table().set_index("ubigeo").loc[small_result.ubigeos]
    zarumilla = (names["province"] == "ZARUMILLA").to_numpy()
    assert provinces["stunting_policy"][zarumilla].nunique() == 1
    stunted = cube[1, :, zarumilla, 0] * cube[1, :, zarumilla, 2]  # % x children
    expected = np.median(np.nansum(stunted, axis=0) / np.nansum(cube[1, :, zarumilla, 2], axis=0))
    assert provinces["stunting_policy"][zarumilla].iloc[0] == pytest.approx(expected, rel=1e-5)
    assert provinces["name"][zarumilla].iloc[0] == "Zarumilla (Tumbes)"  # INEI's spelling
    # the hover counts the simulated children behind each number
    children = cube[1, :, zarumilla, 2].sum(axis=0) / small_result.policy.scale
    assert provinces["stunting_simulated"][zarumilla].iloc[0] == round(float(np.median(
        children)))
    with pytest.raises(ValueError, match="allowed"):
        maps.map_values(small_result, small_result.dates[-1], "region")
    chart = maps.map_option(small_result, small_result.dates[-1], "anemia", "change", "es")
    first = chart["series"][0]["data"][0]
    hover = first["tooltip"]["formatter"]
    assert "Tumbes" in hover and "Anemia" in hover and "niños simulados" in hover
    equity = figures.equity_table(small_result, "anemia")
    assert {"urban", "rural", "quintile:1", "quintile:5"} <= set(equity["group"])
    assert (equity["policy_p5"] <= equity["policy"]).all()
    assert (equity["policy"] <= equity["policy_p95"]).all()
    summary = small_result.summary
    rural = summary[(summary["outcome"] == "anemia") & (summary["group"] == "rural")
                    & (summary["scenario"] == "baseline")].iloc[0]
    assert equity.set_index("group").loc["rural", "baseline_p95"] == rural["p95"]
    # the equity chart: two bars and each one's 90% interval as error bars
    option = figures.equity_option(small_result, "anemia", "es")
    bars = [s for s in option["series"] if s["type"] == "bar"]
    whiskers = [s for s in option["series"] if s["type"] == "line"]
    assert len(bars) == 2 and len(whiskers) == 2
    assert all(w["xAxisIndex"] == 1 for w in whiskers)
    first = equity.iloc[0]
    x = -figures.BAR_WIDTH / 2  # the reference's bar of the first group
    assert whiskers[0]["data"][:2] == [[x, round(first["baseline_p5"], 2)],
                                       [x, round(first["baseline_p95"], 2)]]
    assert "intervalo 90%" in bars[1]["data"][0]["tooltip"]["formatter"]
    # downloads carry their context
    assert figures.context_title(small_result, "es") == (
        "Tumbes, simulado: Política «Paquete: seis cambios a la vez» frente a Situación actual")
    assert "solo azar" in figures.context_note(small_result, "es", "2026-12-01")
    assert "2026-12-01" in figures.context_note(small_result, "es", "2026-12-01")
    table = figures.with_context(small_result.summary, small_result, "en", "2026-12-01")
    assert table[["region", "interval", "simulated", "generated"]].iloc[0].tolist() == [
        "TUMBES", "90% interval: chance alone", True, "2026-12-01"]
    moved = replace(small_result, levers=small_result.levers.with_value(
        "iron", "adherence_mean", 0.9))
    assert figures.policy_label(moved, "en") == "Policy “Package: six changes at once” with changes"
    national = figures.headline(small_result)["anemia"]
    assert national["diff_median"] < 0  # the package raises iron adherence
    assert figures.reference_label(small_result, "es") == "Situación actual"


def test_today_shows_the_history_against_the_surveys(tumbes_today):
    today = tumbes_today
    dates = list(today.trajectory["date"])
    assert dates[0] == "2000-01" and dates[-1] == today.date == "2020-01" and len(dates) == 241
    assert today.anemia_definition == "who2011"
    survey = today.survey
    assert set(survey["year"]) == {2009, 2010, 2011, 2012}
    assert set(survey["indicator"]) == {"stunting", "anemia"}
    assert (survey["se"] > 0).all() and survey["model"].notna().all()
    july = today.trajectory.set_index("date").loc["2011-07", "anemia"]
    assert survey[(survey["year"] == 2011) & (survey["indicator"] == "anemia")][
        "model"].iloc[0] == pytest.approx(july)
    national = survey_points(L.ALL_PERU)
    assert {2000, 2007, 2009, 2012} <= set(national[national["indicator"] == "stunting"]["year"])
    # the map: the last month, by district (a department's run records its districts)
    table = maps.today_map_values(today)
    assert len(table) == 13 and table["stunting"].notna().all()
    assert today.departments.set_index("department").loc["TUMBES", "stunting"] == pytest.approx(
        today.trajectory["stunting"].iloc[-1])
    option = maps.today_map_option(today, "anemia", "es")
    assert "situación actual, fin de 2019" in option["title"]["text"]
    chart = figures.history_option(today, "stunting", "en")
    model, whiskers, points = chart["series"]
    assert len(model["data"]) == 241 and len(points["data"]) == 4
    assert points["data"][0]["value"][0] == "2009-07"
    assert "ENDES 2009" in points["data"][0]["tooltip"]["formatter"]
    assert len(whiskers["data"]) == 3 * 4  # low, high, gap per survey year
    assert run_today("TUMBES", 3) is today  # kept for the process


def test_dashboard_pngs_are_drawn(small_result, tmp_path):
    names = {"baseline": "Sin programas", "policy": "Política"}
    note = figures.context_note(small_result, "es", "2026-12-01")
    charts.plot_comparison(small_result.results, tmp_path / "t.png",
                           titles={"stunting": "Desnutrición", "anemia": "Anemia"}, names=names,
                           colors=figures.COLORS, ylabel="Prevalencia (%)", xlabel="Fecha",
                           note=note)
    table = maps.map_values(small_result, small_result.dates[-1])
    charts.plot_district_map(figures.region_geojson("TUMBES"),
                             dict(zip(table["ubigeo"], table["anemia_policy"])),
                             tmp_path / "m.png", "Anemia", "%", note=note)
    equity = {o: figures.equity_table(small_result, o) for o in ("stunting", "anemia")}
    charts.plot_equity(equity, list(equity["anemia"]["group"]), names, tmp_path / "e.png",
                       "%", note=note)
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
    """The full-package classroom is scenarios/classroom_package.yaml: the classroom (no
    history: Huancavelica from 2019, a teaching counterfactual) with six programs at their
    default parameters, iron at CRED and by visitors, and local government at work."""
    room_file = load_scenario(Path("scenarios/classroom_package.yaml"))
    classroom = load_scenario(Path("scenarios/classroom.yaml"))
    assert classroom.history is None and room_file.history is None
    assert classroom.interventions == []
    assert [i.type for i in room_file.interventions] == [
        "sis", "serums", "cred", "cct", "home_visits", "iron", "registry", "fed", "sello",
        "municipal_visits"]
    assert [i.model_extra for i in room_file.interventions] == (
        [{}] * 5 + [{"channel": "both"}] + [{}] * 4)
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
    assert {"district", "post", "household", "child", "visitor", "municipality",
            "region"} <= kinds
    assert all(link["source"] in ids and link["target"] in ids
               for link in option["series"][0]["links"])
    child = next(i for i in ids if i.startswith("child:"))
    story = room.story(child, "en")
    history = room.model.tracked_history(int(child.split(":")[1]))
    assert len(history) >= 2 and story["chart"]["series"][0]["data"] == [
        round(float(v), 2) for v in history["haz"]]
    assert f"{int(history['cred_seen'].sum())} CRED" in " ".join(story["facts"])
    # a municipality's story: targets, payments, registry, visits (issue 14, point 6)
    municipality = next(i for i in ids if i.startswith("municipality:"))
    told = " ".join(room.story(municipality, "en")["facts"])
    assert "Targets that pay" in told and "Child registry" in told and "points" in told
    for kind in ("district", "post", "household", "visitor", "municipality", "region"):
        node = next(i for i in ids if i.startswith(kind + ":"))
        assert room.story(node, "es")["facts"]
    with pytest.raises(KeyError):
        room.story("planet:1", "en")
    with pytest.raises(ValueError, match="allowed"):
        classroom_scenario("everything")


def test_exercises_show_their_mechanism():
    assert len(exercises.EXERCISES) >= 4
    assert {e.interventions[0]["type"] for e in exercises.EXERCISES} == set(L.PROGRAMS)
    municipal = exercises.exercise("municipal_visits")
    assert {"type": "iron", "channel": "visits"} in municipal.interventions
    docs = (VIZ.parent / "docs" / "teaching.md").read_text()
    for item in exercises.EXERCISES:
        assert item.title[1] in docs, item.key
    iron = exercises.run_exercise(exercises.exercise("iron"))
    assert iron["high"] < 0 and iron["policy"] < iron["baseline"]  # drops lower anemia
    serums = exercises.run_exercise(exercises.exercise("serums"))
    assert abs(serums["diff"]) < 0.05  # staff without CRED demand change nothing


def test_the_classroom_draws_the_real_border_graph():
    # issue 14, point 6: districts at their capitals' coordinates, borders as edges
    from model.geography import load_district_table
    room = Classroom("none")
    geo = room.model.geography
    for province in room.provinces():
        option = room.network(province, "es")
        districts = {n["id"]: n for n in option["series"][0]["data"]
                     if n["id"].startswith("district:")}
        inside = set(np.flatnonzero(geo.province == province).tolist())
        borders = {frozenset((f"district:{geo.ubigeo[a]}", f"district:{geo.ubigeo[b]}"))
                   for a, b in geo.graph.edges if a in inside and b in inside}
        drawn = {frozenset((link["source"], link["target"]))
                 for link in option["series"][0]["links"]
                 if link["source"].startswith("district:")
                 and link["target"].startswith("district:")}
        assert drawn == borders and len(districts) == len(inside)
        # north is up and east is right: the order of the capitals is kept on the view
        table = load_district_table().set_index("ubigeo")
        codes = [i.split(":")[1] for i in districts]
        lat = table.loc[codes, "capital_lat"].to_numpy()
        lon = table.loc[codes, "capital_lon"].to_numpy()
        y = np.array([districts[f"district:{c}"]["y"] for c in codes])
        x = np.array([districts[f"district:{c}"]["x"] for c in codes])
        if len(codes) > 1:
            assert np.argmax(lat) == np.argmin(y) and np.argmax(lon) == np.argmax(x)
