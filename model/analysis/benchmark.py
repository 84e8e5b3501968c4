"""The speed and memory benchmark behind ``python run.py bench``.

1. All of Peru at a given scale (1 = every child, about 2.9 million) for a number of months:
   wall time, peak memory and cost per child-month.
2. The same illness, growth and hemoglobin dynamics written as plain Mesa agents (one Python
   object per child, stepped one by one) at 20,000 children, against the array model.

Targets (issue 3): national run <= 180 s and <= 4 GB peak; arrays >= 50x cheaper per
child-month than plain agents. The plain-agent code lives here only, as the comparison.
"""

from __future__ import annotations

import math
import resource
import time
from typing import Callable

import mesa
import numpy as np

from model import anemia, calendar, dynamics
from model.config import Scenario
from model.model import ECDModel

TARGET_SECONDS = 180.0
TARGET_PEAK_MB = 4096.0
TARGET_RATIO = 50.0


class PlainHousehold(mesa.Agent):
    """A household as a Python object: the attributes the child dynamics read."""

    def __init__(self, model: "PlainModel", index: int):
        """Copy household ``index`` of the array model."""
        super().__init__(model)
        hh = model.source.households
        self.rural = bool(hh.area[index])
        self.welfare = float(hh.welfare[index])
        self.line = float(model.source.population.district_threshold[hh.district[index]])
        self.schooling = int(hh.schooling[index])
        self.improved_water = bool(hh.improved_water[index])
        self.improved_sanitation = bool(hh.improved_sanitation[index])
        self.adequate_feeding = bool(hh.adequate_feeding[index])
        self.district = int(hh.district[index])
        self.altitude_m = float(hh.altitude_m[index])
        self.non_iron = bool(hh.non_iron[index])
        self.anc, self.skilled = float(hh.anc_base[index]), float(hh.facility_base[index])
        self.vaccine = bool(hh.vaccine_access[index])
        self.poor = self.welfare < self.line
        self.quintile = 1 + int(np.searchsorted(model.source.population.quintile_cutoffs,
                                                self.welfare - self.line))

    def yearly_update(self) -> None:
        """A year of welfare churn; poverty and quintile follow."""
        p, rnd = self.model.params, self.model.random
        rho = p.welfare_yearly_correlation
        self.welfare = (rho * self.welfare + math.sqrt(1 - rho * rho) * rnd.gauss(0, 1)
                        - (1 - rho) * p.rural_welfare_gap_sd * self.rural)
        self.poor = self.welfare < self.line
        relative = self.welfare - self.line
        self.quintile = 1 + sum(relative > c for c in self.model.quintile_cutoffs)


class PlainChild(mesa.Agent):
    """One child as a Python object with the model's monthly dynamics written per agent."""

    def __init__(self, model: "PlainModel", slot: int, household: PlainHousehold):
        """Copy the state of child ``slot`` of the array model."""
        super().__init__(model)
        kids = model.source.children
        self.household = household
        self.age = int(kids.age_months[slot])
        self.haz, self.velocity = float(kids.haz[slot]), float(kids.haz_velocity[slot])
        self.hb, self.hb_offset = float(kids.hb[slot]), float(kids.hb_offset[slot])
        self.rise = float(kids.hb_altitude_rise[slot])
        self.adjustment = float(kids.hb_altitude_adjustment[slot])
        self.vaccinated = bool(kids.vaccinated[slot])
        self.ill = self.diarrhoea = False

    def step(self) -> None:
        """One month: age (newborn at 60), illness, HAZ, Hb, from household attributes."""
        m, p, t, rnd, hh = (self.model, self.model.params, self.model.tables, self.model.random,
                            self.household)
        self.age += 1
        if self.age >= 60:
            self.age = 0
            anc = rnd.random() < hh.anc
            skilled = rnd.random() < hh.skilled
            self.vaccinated = hh.vaccine
            low = rnd.random() < m.lbw_probability[0 if anc else 1]
            self.haz = (p.haz_birth_mean + p.haz_birth_lbw_shift * low
                        + p.haz_birth_unskilled_shift * (not skilled)
                        + p.haz_birth_sd * rnd.gauss(0, 1))
            self.velocity = p.haz_velocity_sd * rnd.gauss(0, 1)
            self.hb_offset = p.hb_individual_sd * rnd.gauss(0, 1)
            self.hb = t.hb_profile[dynamics.AGE_OFFSET] + self.hb_offset + self.rise
        i = self.age + dynamics.AGE_OFFSET
        rr = ((1.0 if hh.improved_water else p.diarrhoea_rr_unimproved_water)
              * (1.0 if hh.improved_sanitation else p.diarrhoea_rr_unimproved_sanitation)
              * (p.diarrhoea_rr_poor if hh.poor else 1.0))
        vaccine_d = p.vaccine_diarrhoea_rr if self.vaccinated else 1.0
        vaccine_r = p.vaccine_respiratory_rr if self.vaccinated else 1.0
        self.diarrhoea = rnd.random() < t.diarrhoea_mult[i] * rr * m.p_diarrhoea * vaccine_d
        respiratory = rnd.random() < t.respiratory_mult[i] * m.p_respiratory * vaccine_r
        self.ill = self.diarrhoea or respiratory
        relief = 1.0
        if self.ill and rnd.random() < p.care_seeking_base:
            relief = 1.0 - p.treated_illness_loss_reduction
        rate = (p.haz_falter_base + p.haz_falter_poor * hh.poor + p.haz_falter_rural * hh.rural
                + p.haz_falter_schooling[hh.schooling]
                + p.haz_falter_per_km_altitude * hh.altitude_m / 1000.0)
        feeding = 0.0 if hh.adequate_feeding else p.haz_falter_inadequate_feeding
        self.haz += (t.falter_window[i] * (self.velocity - rate) - t.feeding_window[i] * feeding
                     + t.drift[i] - self.diarrhoea * t.diarrhoea_loss[i] * relief
                     + p.haz_innovation_sd * rnd.gauss(0, 1))
        gap = (t.iron_gap[i] + p.iron_gap_poor * hh.poor + p.iron_gap_rural * hh.rural
               + p.iron_gap_adequate_feeding * hh.adequate_feeding)
        gap = min(1.0, max(0.0, gap))
        target = (t.hb_profile[i] + self.hb_offset + self.rise - p.hb_iron_gap_deficit * gap
                  - p.hb_infection_drop * self.ill * relief - p.hb_non_iron_drop * hh.non_iron)
        self.hb += p.hb_adjustment_rate * (target - self.hb) + p.hb_innovation_sd * rnd.gauss(
            0, 1)


class PlainModel(mesa.Model):
    """The same monthly model with one Mesa agent per household and per child.

    Each month: welfare churn in January, every child's step, then the same tallies the
    array model records (children, stunted, severely stunted, HAZ sum, anemic 6-35 m, Hb sum,
    diarrhoea) by district x area x quintile x age band.
    """

    def __init__(self, source: ECDModel, n_children: int, seed: int = 1):
        """Copy the first ``n_children`` children (and their households) of ``source``."""
        super().__init__(seed=seed)
        self.source, self.params = source, source.params
        self.tables = dynamics.AgeTables(**{
            name: getattr(source.tables, name).tolist()
            for name in dynamics.AgeTables.__dataclass_fields__})
        self.cutoff = source.anemia_cutoff.tolist()
        self.quintile_cutoffs = source.population.quintile_cutoffs.tolist()
        self.p_diarrhoea = source.params.diarrhoea_monthly_prob
        self.p_respiratory = source.params.respiratory_monthly_prob
        self.lbw_probability = source.lbw_probability
        n_children = min(n_children, source.children.size)
        households: dict[int, PlainHousehold] = {}
        self.children = []
        for slot in range(n_children):  # one Python object per child: the comparator itself
            index = int(source.children.household[slot])
            if index not in households:
                households[index] = PlainHousehold(self, index)
            self.children.append(PlainChild(self, slot, households[index]))
        self.households = mesa.agent.AgentSet(list(households.values()), random=self.random)
        self.child_set = mesa.agent.AgentSet(self.children, random=self.random)
        self.month = 0
        self.tallies: list[dict] = []

    def step(self) -> None:
        """One month for every household and child, then the tallies."""
        self.month += 1
        if calendar.is_january(self.month):
            self.households.do("yearly_update")
        self.child_set.do("step")
        tally: dict = {}
        stunt, severe = self.params.stunting_cutoff, self.params.severe_stunting_cutoff
        for child in self.children:
            hh = child.household
            i = child.age + dynamics.AGE_OFFSET
            key = (hh.district, hh.rural, hh.quintile, self.tables.band[i])
            row = tally.get(key)
            if row is None:
                row = tally[key] = [0, 0, 0, 0.0, 0, 0.0, 0]
            row[0] += 1
            row[1] += child.haz < stunt
            row[2] += child.haz < severe
            row[3] += child.haz
            row[4] += anemia.is_anemic(child.hb, child.adjustment, self.cutoff[i])
            row[5] += anemia.adjusted_hb(child.hb, child.adjustment)
            row[6] += child.diarrhoea
        self.tallies.append(tally)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def time_array_model(scenario: Scenario) -> dict:
    """Build and run ``scenario``; return timings and per-child-month costs."""
    started = time.perf_counter()
    model = ECDModel(scenario)
    setup = time.perf_counter() - started
    step_started = time.perf_counter()
    for _ in range(scenario.months):
        model.step()
    steps = time.perf_counter() - step_started
    child_months = model.children.size * scenario.months
    arrays_mb = sum(store.nbytes() for store in (model.children, model.households,
                                                 model.risk)) / 2**20
    return {"children": int(model.children.size), "households": int(model.households.size),
            "arrays_mb": arrays_mb,
            "setup_s": setup, "steps_s": steps, "total_s": setup + steps,
            "us_per_child_month": 1e6 * steps / child_months, "model": model}


def run_benchmark(months: int = 120, scale: float = 1.0, mesa_children: int = 20_000,
                  mesa_months: int = 12, log: Callable[[str], None] = print) -> dict:
    """Run both parts of the benchmark and return figures and pass/fail checks."""
    log(f"1. All of Peru, scale {scale:g}, {months} months (includes a 60-month warm-up at "
        "set-up) ...")
    national = time_array_model(Scenario(name="bench-national", months=months, scale=scale))
    peak = _peak_mb()
    log(f"   {national['children']:,} children, {national['households']:,} households; "
        f"set-up {national['setup_s']:.1f} s, {months} months {national['steps_s']:.1f} s, "
        f"total {national['total_s']:.1f} s; peak memory {peak:,.0f} MB (agent arrays "
        f"{national['arrays_mb']:,.0f} MB)")
    log(f"   cost per child-month (monthly step incl. metrics): "
        f"{national['us_per_child_month']:.3f} us")

    small_scale = max(1.0, national["children"] * scale / mesa_children)
    small = time_array_model(Scenario(name="bench-small", months=months, scale=small_scale))
    log(f"2. Array model at {small['children']:,} children (scale {small_scale:.0f}): "
        f"{small['us_per_child_month']:.3f} us per child-month")

    plain = PlainModel(national.pop("model"), mesa_children)
    started = time.perf_counter()
    for _ in range(mesa_months):
        plain.step()
    plain_us = 1e6 * (time.perf_counter() - started) / (mesa_children * mesa_months)
    ratio = plain_us / national["us_per_child_month"]
    log(f"   Plain Mesa agents (Household and Child objects, same equations and monthly "
        f"tallies), {mesa_children:,} children x {mesa_months} months: "
        f"{plain_us:.2f} us per child-month")
    log(f"   ratio plain Mesa / arrays (national): {ratio:.0f}x; "
        f"at equal size: {plain_us / small['us_per_child_month']:.0f}x")
    small.pop("model")
    local = time_local_government(scale=scale, log=log)
    status_quo = time_status_quo(log=log)
    checks = []
    if scale == 1.0 and months == 120:
        checks.append({"name": "national run, scale 1, 120 months (s)",
                       "value": round(national["total_s"], 1), "target": f"<= {TARGET_SECONDS:g}",
                       "passed": national["total_s"] <= TARGET_SECONDS})
        checks.append({"name": "peak memory (MB)", "value": round(peak),
                       "target": f"<= {TARGET_PEAK_MB:g}", "passed": peak <= TARGET_PEAK_MB})
    checks.append({"name": "plain Mesa / array cost per child-month",
                   "value": f"{ratio:.0f}x", "target": f">= {TARGET_RATIO:g}x",
                   "passed": ratio >= TARGET_RATIO and math.isfinite(ratio)})
    checks.append({"name": "local government and border graph, share of a month with programs",
                   "value": f"{local['share']:.0%}",
                   "target": f"<= {TARGET_LOCAL_SHARE:.0%}",
                   "passed": local["share"] <= TARGET_LOCAL_SHARE})
    checks.append({"name": "status quo restored from its saved history (s)",
                   "value": round(status_quo["restore_s"], 2),
                   "target": f"<= {TARGET_RESTORE_FRACTION:.0%} of living it",
                   "passed": status_quo["restore_s"]
                   <= TARGET_RESTORE_FRACTION * status_quo["history_s"]})
    return {"national": national, "small": small, "plain_us_per_child_month": plain_us,
            "ratio": ratio, "peak_mb": peak, "local": local, "status_quo": status_quo,
            "checks": checks}


TARGET_RESTORE_FRACTION = 0.1  # restoring a saved history must cost under a tenth of living it
# issue 14: municipalities, regions, the registry and the graph must not make the month with
# programs much dearer (ASSUMPTION: a quarter of the month is the most we accept)
TARGET_LOCAL_SHARE = 0.25
LOCAL_PROGRAMS = ({"type": "sis"}, {"type": "serums"}, {"type": "cred"}, {"type": "cct"},
                  {"type": "home_visits"}, {"type": "iron", "channel": "both"},
                  {"type": "registry"}, {"type": "fed"}, {"type": "sello"},
                  {"type": "municipal_visits"})


def time_local_government(scale: float = 1.0, months: int = 12,
                          log: Callable[[str], None] = print) -> dict:
    """The added cost per month of local government and the border graph, all Peru.

    Runs the status quo's programs (the classroom package's, without a history) with the
    registry, FED, Sello Municipal and municipal visits, and times each month, the local
    government's half of step 2 (incentives, January decisions, the registry) and the
    cross-border care inside the CRED service.
    """
    from model import network

    scenario = Scenario(name="bench-local", months=months, scale=scale,
                        interventions=list(LOCAL_PROGRAMS))
    model = ECDModel(scenario)
    spent = {"local": 0.0, "cross": 0.0}
    local_step, cross = model._local_government, network.cross_border_care

    def timed_local():
        started = time.perf_counter()
        local_step()
        spent["local"] += time.perf_counter() - started

    def timed_cross(*args, **kwargs):
        started = time.perf_counter()
        out = cross(*args, **kwargs)
        spent["cross"] += time.perf_counter() - started
        return out

    model._local_government = timed_local
    network.cross_border_care = timed_cross
    try:
        started = time.perf_counter()
        for _ in range(months):
            model.step()
        month = (time.perf_counter() - started) / months
    finally:
        network.cross_border_care = cross
    added = (spent["local"] + spent["cross"]) / months
    log(f"   Local government and border graph (all Peru, scale {scale:g}, {months} months with "
        f"the programs, registry, FED, Sello and municipal visits): a month {1000 * month:.0f} "
        f"ms, of which local government {1000 * spent['local'] / months:.0f} ms and "
        f"cross-border care {1000 * spent['cross'] / months:.0f} ms: "
        f"{added / month:.0%} of the month")
    return {"month_s": month, "local_s": spent["local"] / months,
            "cross_s": spent["cross"] / months, "share": added / month}


def time_status_quo(scale: float = 20.0, months: int = 12,
                    log: Callable[[str], None] = print) -> dict:
    """What starting from the status quo costs: the history lived, then restored.

    ``scenarios/baseline.yaml`` (all Peru, 2020-01) lives the 240 months of 2000-2019 before
    its start; ``build_model`` saves that state, and a second scenario with the same history
    (a comparison's other arm) restores it.
    """
    from pathlib import Path

    from model import model as model_module
    from model.config import load_scenario

    path = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
    scenario = load_scenario(path, {"scale": scale, "months": months})
    plain = time_array_model(Scenario(name="bench-no-history", start=scenario.start,
                                      months=months, scale=scale))
    model_module._history_states.clear()
    started = time.perf_counter()
    model_module.build_model(scenario)
    history = time.perf_counter() - started
    started = time.perf_counter()
    model = model_module.build_model(scenario)
    restore = time.perf_counter() - started
    for _ in range(months):
        model.step()
    log(f"3. Status quo (scenarios/baseline.yaml, all Peru, scale {scale:g}): set-up without a "
        f"history {plain['setup_s']:.1f} s; living the 240 months of 2000-2019 "
        f"{history:.1f} s; restoring the saved history for another scenario {restore:.2f} s; "
        f"{months} months after the start {plain['steps_s']:.1f} s")
    model_module._history_states.clear()
    plain.pop("model")
    return {"scale": scale, "plain_setup_s": plain["setup_s"], "history_s": history,
            "restore_s": restore, "steps_s": plain["steps_s"]}


__all__ = ["run_benchmark", "PlainModel", "PlainChild"]


TARGET_POOL_SPEEDUP = 1.7


def run_sweep_benchmark(sweep_file: str, worker_counts=(1, 2), repeats: int = 3,
                        log: Callable[[str], None] = print) -> dict:
    """Time the same sweep serially and on process pools; check the numbers are identical."""
    import tempfile
    from pathlib import Path

    from model.analysis.experiments import load_runs, run_batch
    from model.analysis.sweeps import load_sweep

    _, runs, _ = load_sweep(sweep_file)
    timings, frames = {}, {}
    for workers in worker_counts:
        best = float("inf")
        for _ in range(repeats):  # best of `repeats`: short runs are sensitive to noise
            with tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                report = run_batch(runs, Path(folder), workers=workers)
                best = min(best, time.perf_counter() - started)
                frames[workers] = load_runs(Path(folder)).sort_values(
                    ["run_id", "step", "metric", "group"]).reset_index(drop=True)
        timings[workers] = best
        log(f"   {workers} worker(s): {len(runs)} runs in {best:.2f} s "
            f"({len(runs) / best:.2f} runs/s, best of {repeats}), {len(report.failed)} failed")
    serial = worker_counts[0]
    identical = all(frames[w].equals(frames[serial]) for w in worker_counts)
    checks = []
    for workers in worker_counts[1:]:
        speedup = timings[serial] / timings[workers]
        log(f"   speed-up with {workers} workers: {speedup:.2f}x")
        if workers == 2:
            checks.append({"name": "pool of 2 workers vs serial", "value": f"{speedup:.2f}x",
                           "target": f">= {TARGET_POOL_SPEEDUP}x",
                           "passed": speedup >= TARGET_POOL_SPEEDUP})
    checks.append({"name": "same numbers serially and on the pool", "value": identical,
                   "target": "True", "passed": identical})
    return {"timings": timings, "checks": checks}


TARGET_DRAWS_SECONDS = 600.0  # issue 12: 100 draws x 2 scenarios, all Peru, scale 20, 5 years


def run_uncertainty_benchmark(draws: int = 100, scale: float = 20.0, months: int = 60,
                              workers: int = 2, dask_draws: int = 6,
                              log: Callable[[str], None] = print) -> dict:
    """Time a comparison over parameter draws, on a pool and on a local Dask cluster.

    1. ``draws`` draws x 2 scenarios (``scenarios/baseline.yaml`` against
       ``scenarios/package.yaml``), all Peru at ``scale`` for ``months``, one replicate per
       draw, on a pool of ``workers`` processes: every draw lives its own history (the
       parameters change it) and restores it for the second arm.
    2. ``dask_draws`` draws of the same on a local Dask cluster of 1 and then 2 worker
       processes: the speed-up with the cluster's cores, and identical numbers.
    """
    import tempfile
    from pathlib import Path

    from model.analysis.comparison import comparison_specs
    from model.analysis.experiments import load_runs, run_batch
    from model.config import load_scenario

    folder = Path(__file__).resolve().parents[2] / "scenarios"
    scenarios = [load_scenario(folder / name, {"scale": scale, "months": months})
                 for name in ("baseline.yaml", "package.yaml")]
    checks, timings = [], {}
    runs = comparison_specs(scenarios, 1, seed=1, draws=draws)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        report = run_batch(runs, Path(out), workers=workers)
        pool_s = time.perf_counter() - started
    log(f"4. Parameter uncertainty: {draws} draws x 2 scenarios, all Peru, scale {scale:g}, "
        f"{months} months, {workers} workers: {pool_s:.0f} s ({len(report.failed)} failed)")
    checks.append({"name": f"{draws} draws x 2 scenarios, scale {scale:g}, {months} months (s)",
                   "value": round(pool_s), "target": f"<= {TARGET_DRAWS_SECONDS:g}",
                   "passed": pool_s <= TARGET_DRAWS_SECONDS and not report.failed})
    frames = {}
    try:
        from distributed import LocalCluster
    except ImportError:  # pragma: no cover - the [cluster] extra is not installed
        log("   Dask not installed (pip install -e '.[cluster]'): cluster part skipped")
        return {"pool_s": pool_s, "checks": checks}
    runs = comparison_specs(scenarios, 1, seed=1, draws=dask_draws)
    for n_workers in (1, 2):
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, \
                tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            run_batch(runs, Path(out), cluster=cluster.scheduler_address)
            timings[n_workers] = time.perf_counter() - started
            frames[n_workers] = load_runs(Path(out)).sort_values(
                ["run_id", "step", "metric", "group"]).reset_index(drop=True)
        log(f"   Dask, {n_workers} worker(s): {dask_draws} draws x 2 scenarios in "
            f"{timings[n_workers]:.0f} s")
    speedup = timings[1] / timings[2]
    identical = frames[1].equals(frames[2])
    log(f"   Dask speed-up with 2 workers: {speedup:.2f}x; same numbers: {identical}")
    checks.append({"name": "Dask: 2 workers vs 1", "value": f"{speedup:.2f}x",
                   "target": f">= {TARGET_POOL_SPEEDUP}x",
                   "passed": speedup >= TARGET_POOL_SPEEDUP})
    checks.append({"name": "same numbers on 1 and 2 Dask workers", "value": identical,
                   "target": "True", "passed": identical})
    return {"pool_s": pool_s, "dask_s": timings, "checks": checks}
