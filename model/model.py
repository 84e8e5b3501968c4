"""ECDModel: Peru's districts, households and children, one month per step."""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
from collections import OrderedDict

import mesa
import numpy as np
import pandas as pd
from mesa.agent import AgentSet

from model import (
    anemia,
    calendar,
    demography,
    dynamics,
    fast_random,
    kernels,
    local_government,
    memory,
    network,
    programs,
    recording,
    services,
)
from model.agents import (
    ChildView,
    HealthPost,
    HomeVisitor,
    HouseholdView,
    build_health_posts,
    start_month,
    visitor_store,
)
from model.config import Scenario, validate_scenario
from model.defaults import DEPARTMENT_ORDER
from model.effects import Effects
from model.geography import load_geography
from model.interventions.base import program_outputs, program_states
from model.population import (
    Illness,
    generate_population,
    household_risk_store,
    poverty_shift_by_month,
)
from model.program_outputs import ProgramOutputs, declare_states
from model.results import MetricsRecorder

SOUTHERN_HIGHLANDS = ("PUNO", "CUSCO")  # B13: a smaller Hb rise with altitude
WARM_UP_MONTHS = 60  # every child alive at the start has lived its months under the dynamics
NATIONAL_REPORTERS = ("stunting", "severe_stunting", "mean_haz", "anemia")  # Mesa DataCollector


def _national_latest(model: "ECDModel", name: str) -> float:
    """The latest national value of metric ``name`` (a DataCollector reporter)."""
    return model.recorder.latest(name, "national")


class ECDModel(mesa.Model):
    """Agent-based model of early-childhood growth and anemia on Peru's district network.

    Build it from a validated ``Scenario`` (``model.config.load_scenario``). Children and
    households are numpy arrays in ``self.population``; health posts and home visitors are
    Mesa agents (``self.health_posts``, ``self.visitors``) over arrays (``self.posts``,
    ``self.visitor_store``). ``step()`` simulates one month;
    ``results()`` returns the tidy metrics recorded so far.
    """

    def __init__(self, scenario: Scenario | None = None, *, seed: int | None = None,
                 rng: np.random.Generator | None = None, begin: bool = True, **fields):
        """Create the population for ``scenario`` (default: all Peru, no programs).

        Args:
            scenario: what to simulate; ``Scenario(name="default")`` if omitted.
            seed: overrides ``scenario.seed``.
            rng: a ready generator instead of a seed (e.g. spawned for a replicate).
            begin: False stops after the history, before the scenario's changes and the
                first record (``build_model`` saves that state; ``begin()`` goes on).
            **fields: scenario fields to override, validated like a scenario file
                (e.g. ``ECDModel(scale=50, months=12)``; this is how ``mesa.batch_run``
                passes its parameters).
        """
        memory.keep_freed_arrays()
        if fields or scenario is None:
            base = scenario.model_dump() if scenario else {"name": "default"}
            scenario = validate_scenario({**base, **fields}, source="ECDModel arguments")
        if rng is None:
            super().__init__(seed=scenario.seed if seed is None else seed)
        else:
            super().__init__(rng=rng)
        self.seed = scenario.seed if seed is None else seed
        self.scenario = scenario
        self.params = scenario.model_parameters()
        self.scale = scenario.scale
        self._open_streams()
        self._build_world()
        self._set_calendar()
        self._district_terms()
        self.tracker = recording.Tracker()  # children followed month by month
        self.interventions: list = []
        programs.add_programs(self, (self.scenario.history or scenario).interventions)
        # how programs act on each other: named effects, combined in the programs' order
        self.effects = Effects(self)
        for intervention in self.interventions:
            intervention.setup(self)
        self._new_records()
        self._first_risk()
        self._warm_up()
        if begin:
            self.begin()

    def _open_streams(self) -> None:
        """The model's named random streams, spawned from its one generator.

        Independent streams so that programs drawing numbers do not shift the draws of
        demography or health: scenario comparisons then use common random numbers. Each
        program has a stream of its own, keyed by its entry (``programs.keyed_stream``);
        "services" is the health posts' (rationing CRED contacts, care across a border).
        """
        self.streams = dict(zip(("population", "demography", "health", "growth", "services"),
                                self.rng.spawn(5)))
        # local government's draws (the child registry) come from a sixth stream, spawned
        # after the others so that their draws are those of models without it
        self.streams["local"] = self.rng.spawn(1)[0]

    def _build_world(self) -> None:
        """Districts, households and children, health posts, the border graph, governments."""
        scenario = self.scenario
        self.geography = load_geography(scenario.geography.departments,
                                        scenario.geography.districts)
        self.national_geography = load_geography()
        self.population = generate_population(self.geography, self.national_geography,
                                              self.params, self.scale,
                                              self.streams["population"])
        declare_states(self.population, program_states())  # the programs' own arrays
        self.households = self.population.households
        self.children = self.population.children
        demography.draw_registry_uniforms(self, np.arange(self.children.size))
        self.tables = dynamics.age_tables(self.params)
        self.cred_due = services.cred_due_table()
        self.anemia_cutoff = dynamics.anemia_cutoff_by_age(scenario.anemia_definition,
                                                           self.params)
        self.health_posts = build_health_posts(self)
        self.post_list: list[HealthPost] = list(self.health_posts)
        self.visitors = AgentSet([], random=self.random)
        self.network = network.Neighbours(self.geography)  # the border graph, as arrays
        self.municipalities, self.regions = local_government.build_local_government(self)
        self.visitor_store = visitor_store()
        self._first_child = np.concatenate(
            ([0], np.cumsum(self.households.n_children, dtype=np.int64)[:-1]))
        self.lbw_probability = services.low_birth_weight_by_anc(self.params)
        # this month's costs, coverage and figures; the scale rule (``outputs.real``)
        self.outputs = ProgramOutputs(self.scale, program_outputs())

    def _set_calendar(self) -> None:
        """The start month, the history lived before it, its trends and poverty path."""
        scenario, history = self.scenario, self.scenario.history
        self.start_index = calendar.parse(scenario.start)  # months since year 0
        # A history (the status quo's path) is lived before the start: its trends and programs
        self.trends = (history or scenario).trends
        self.history_months = 0
        if history is not None:
            self.history_months = self.start_index - calendar.parse(history.start)
        self.poverty_shift = self._poverty_path()
        self.care_trends = bool(self.trends.antenatal_care_pct or self.trends.skilled_birth_pct)

    def _district_terms(self) -> None:
        """Per district: its department's terms, the true Hb rise with altitude, its region."""
        geo = self.geography
        southern = np.isin(np.asarray(geo.departments)[geo.department_index],
                           SOUTHERN_HIGHLANDS)
        # each district's department as an index into the department-term tuples
        self.district_department = np.array(
            [DEPARTMENT_ORDER.index(name) for name in geo.departments],
            dtype=np.intp)[geo.department_index]
        self.district_hb_rise = dynamics.altitude_rise_true(geo.altitude_m, southern,
                                                            self.params)
        self.district_hb_shift = np.asarray(self.params.hb_department_shift,
                                            dtype=np.float32)[self.district_department]
        self.household_region = geo.natural_region[self.households.district]

    def _first_risk(self) -> None:
        """Household risk and services before the first month, on its calendar.

        Set-up happens on the calendar of the first simulated month: the history's, if any
        (its own run counts from step 0 at its start, the same month).
        """
        self.risk = household_risk_store(self.children.size)
        self.steps = -self.history_months
        self.refresh_household_risk()
        self.households.anc_prob[:] = self.households.anc_base
        self.households.facility_prob[:] = self.households.facility_base
        self.children.care_prob[:] = self.params.care_seeking_base  # no programs in warm-up
        self._treated = np.empty(0, dtype=np.intp)  # children treated for illness this month

    def begin(self) -> None:
        """Apply the scenario's changes to the status quo (if it has a history); record step 0."""
        if self.scenario.history is not None:
            programs.change_status_quo(self, self.scenario.interventions)
        self._record()

    def _new_records(self) -> None:
        """An empty metrics recorder and Mesa DataCollector."""
        self.recorder = MetricsRecorder(self.geography, self.scale,
                                        self.scenario.outputs.districts)
        self.datacollector = mesa.DataCollector(model_reporters={
            name: functools.partial(_national_latest, name=name) for name in NATIONAL_REPORTERS})

    def adopt(self, scenario: Scenario) -> None:
        """Take over ``scenario`` in a model restored after the same history (build_model).

        Only what may differ between scenarios sharing a history key changes: the scenario
        itself (name, months, outputs, its changes to the programs), the poverty path's
        length, and the records.
        """
        self.scenario = scenario
        self.poverty_shift = self._poverty_path()
        self._new_records()

    def _poverty_path(self) -> np.ndarray:
        """Shift of the poverty lines for every month from the history's start to the end."""
        return poverty_shift_by_month(
            self.trends.poverty_national_pct, self.national_geography, self.params,
            self.start_index - self.history_months,
            self.history_months + self.scenario.months + 1)

    # --- calendar ------------------------------------------------------------------------------

    def month_index(self, step: int | None = None) -> int:
        """Months since year 0 of the month simulated at ``step`` (default: the current one)."""
        return self.start_index + (self.steps if step is None else step) - 1

    @staticmethod
    def month_label(index: int) -> str:
        """'YYYY-MM' of a month index."""
        return calendar.label(index)

    # --- the month ---------------------------------------------------------------------------

    def step(self) -> None:
        """Simulate one month, in the order of DESIGN.md §3.

        1. Demography: everyone ages a month; children reaching 60 months leave and a newborn
           of the same household takes the slot (antenatal care, skilled attendance,
           vaccination, birth weight, HAZ and Hb at birth); every January, households'
           latent welfare churns (a year's worth), poverty, schooling, water, care at birth,
           vaccination and post staffing follow the scenario's trends, non-iron causes of
           anemia are redrawn against water and sanitation, and the per-child copies of
           household risk are refreshed.
        2. Supply: health posts reset their monthly contact counters (staffing changes arrive
           with the SERUMS intervention); the visitor roster counts another month.
           Local government (``model/local_government.py``): incentive programs (FED, Sello
           Municipal, the municipal visits' points) evaluate last year's targets and pay in
           January and keep their stakes on offer; in January every municipality and regional
           government sets the year's effort on each target (capacity, stakes, neighbours
           that were paid); then the child registry moves with the municipalities' effort and
           decides which children are found this month (interventions/registry.py).
        3. Programs: each intervention's ``apply(model)``, in scenario order (enrolment,
           transfers, insurance, requests for CRED contacts, home visits, iron taken); then the
           health posts see the CRED requests up to their capacity (services.serve_cred),
           with counselling and iron handed out at the contact.
        4. Health: diarrhoea and respiratory episodes by age, water, sanitation, poverty and
           season; care seeking decides which ill children are treated.
        5. Growth and blood: HAZ and Hb updates from risk, feeding, illness, iron and altitude.
        6. Record: metrics by group (from step 1; step 0 is recorded by ``begin``).

        This is the only place the month's order is written. Before step 0 (``__init__``,
        ``_warm_up``) the same month runs, unrecorded: 60 months of warm-up without steps 2-3
        (no services or programs), then, for a scenario with a ``history``, the history's
        months with its programs and trends; then the scenario's changes to those programs
        and the first record.
        """
        demography.month(self)
        if not self._warming_up:
            self._supply()
            self._local_government()
            self._programs()
        self._health()
        self._growth_and_blood()
        if self.steps > 0:
            self._record()

    def refresh_household_risk(self, households: np.ndarray | None = None) -> None:
        """Recompute the per-child copies of household risk (``demography``)."""
        demography.refresh_household_risk(self, households)

    def youngest_child_age(self) -> np.ndarray:
        """Age in months of each household's youngest child (children are contiguous)."""
        ages = self.children.age_months
        out = np.empty(self.households.size, dtype=ages.dtype)
        kernels.youngest(ages, self._first_child, out)
        return out

    def children_of(self, households: np.ndarray) -> np.ndarray:
        """Child slots of the given households (children are stored household by household)."""
        households = np.asarray(households)
        counts = self.households.n_children[households].astype(np.int64)
        starts = np.repeat(self._first_child[households], counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return starts + offsets

    def _supply(self) -> None:
        start_month(self)  # all posts and visitors at once, on their arrays

    def _local_government(self) -> None:
        """Step 2's second half: incentives, January decisions, the registry (see ``step``)."""
        self.outputs.start_month(self.interventions)
        if not self.interventions:
            return
        for intervention in self.interventions:
            if intervention.phase == "incentives":
                intervention.apply(self)
            elif intervention.is_active(self):
                intervention.govern(self)
        local_government.month(self)
        for intervention in self.interventions:
            if intervention.phase == "registry":
                intervention.apply(self)

    def _programs(self) -> None:
        if not self.interventions:
            return  # nothing sets the program arrays, which keep their no-program values
        kids, hh = self.children, self.households
        kids.iron_supplement[:] = 0.0
        kids.care_prob[:] = self.params.care_seeking_base
        kids.cred_due_last[:] = kids.cred_due
        kids.cred_seen_last[:] = kids.cred_seen
        kids.cred_request[:] = False
        kids.cred_seen[:] = False
        kids.cred_due[:] = self.cred_due[self.age_index] > 0
        hh.anc_prob[:] = hh.anc_base
        hh.facility_prob[:] = hh.facility_base
        for intervention in self.interventions:
            if intervention.phase == "programs":
                intervention.apply(self)
        services.serve_cred(self)

    def _health(self) -> None:
        kids, rng = self.children, self.streams["health"]
        n = kids.size
        season = dynamics.season_factor(calendar.month_of_year(self.month_index()),
                                         self.params)
        kids.illness[:] = dynamics.draw_illness(
            self.age_index, self.risk.diarrhoea_rr, season, self.tables, self.params,
            fast_random.uniform(rng, n), fast_random.uniform(rng, n), vaccinated=kids.vaccinated)
        kids.diarrhoea_episodes += np.bitwise_and(kids.illness, np.int8(Illness.DIARRHOEA))
        # Care seeking: one draw per ill child (the ill are the same whatever programs run).
        ill = np.flatnonzero(kids.illness != 0)
        kids.treated[self._treated] = False
        care = kids.care_prob[ill] if self.interventions else self.params.care_seeking_base
        self._treated = ill[rng.random(len(ill), dtype=np.float32) < care]
        kids.treated[self._treated] = True

    def _growth_and_blood(self) -> None:
        kids, rng, risk = self.children, self.streams["growth"], self.risk
        n = kids.size
        kids.haz += dynamics.haz_change(
            self.age_index, risk.falter_rate, risk.feeding_penalty, kids.haz_velocity,
            kids.illness, self.tables, self.params, fast_random.standard_normal(rng, n),
            treated=kids.treated)
        target = dynamics.hb_target(
            self.age_index, kids.hb_offset, kids.hb_altitude_rise, risk.iron_gap,
            kids.iron_supplement, kids.illness, self.tables, self.params,
            treated=kids.treated, non_iron_drop=self.risk.non_iron_drop)
        kids.hb[:] = dynamics.hb_update(kids.hb, target, self.params,
                                        fast_random.standard_normal(rng, n))

    def _warm_up(self) -> None:
        """Live through the months before the start so every child has a history.

        Children start at (true age - 60) months; each of the 60 warm-up months before the
        history (or before the start, without one) runs demography (births when a slot reaches
        age 0, January welfare churn), health and growth, without programs. The history's
        months then run the whole month (``step``) with its programs and trends. Nothing is
        recorded: steps are negative until the start, which is step 0.
        """
        self.steps = -WARM_UP_MONTHS - self.history_months  # step() counts each month
        self._warming_up = True
        for _ in range(WARM_UP_MONTHS):
            self.step()
        self._warming_up = False
        for _ in range(self.history_months):
            self.step()

    # --- records -----------------------------------------------------------------------------

    def anemic_mask(self, slots: np.ndarray | None = None) -> np.ndarray:
        """Whether each child (all, or ``slots``) is anemic under the scenario's definition."""
        kids = self.children
        if slots is None:
            return anemia.is_anemic(kids.hb, kids.hb_altitude_adjustment,
                                    np.take(self.anemia_cutoff, self.age_index))
        rows = kids.age_months[slots].astype(np.intp) + dynamics.AGE_OFFSET
        return anemia.is_anemic(kids.hb[slots], kids.hb_altitude_adjustment[slots],
                                self.anemia_cutoff[rows])

    def _record(self) -> None:
        """Step 6: the month's metrics, programs' figures and tracked children (recording.py)."""
        if self.steps >= self.scenario.months:
            self.running = False  # for mesa.batch_run and SolaraViz
        recording.record_month(self)
        self.datacollector.collect(self)
        self.tracker.record(self)

    def results(self) -> pd.DataFrame:
        """Tidy metrics recorded so far (step 0 = the state at the start)."""
        return self.recorder.to_frame(self.scenario.name, self.seed)

    # --- inspection ----------------------------------------------------------------------------

    def child(self, uid: int) -> ChildView:
        """View of the child with stable id ``uid``."""
        return ChildView(self, uid)

    def household(self, index: int) -> HouseholdView:
        """View of household ``index``."""
        return HouseholdView(self, index)

    def track(self, uids) -> None:
        """Follow these children month by month (their ``history``) from now on."""
        self.tracker.follow(self, uids)

    def is_tracked(self, uid: int) -> bool:
        """Whether ``track`` follows child ``uid``."""
        return self.tracker.follows(uid)

    def tracked_history(self, uid: int) -> pd.DataFrame:
        """Monthly records of a tracked child."""
        return self.tracker.history(uid)

# --- the status quo's history, lived once per process ------------------------------------------

HISTORY_STATES_KEPT = 4  # saved states of histories in this process (about 60 MB each at scale 20)
_history_states: OrderedDict[str, bytes] = OrderedDict()


def history_key(scenario: Scenario) -> str:
    """A digest of what decides the state a history reaches.

    The history, parameters (of the model and of programs), scale, seed, geography, anemia
    definition and start; not the scenario's own changes, months or outputs.
    """
    fields = scenario.model_dump(mode="json", include={
        "history", "parameters", "program_parameters", "scale", "seed", "geography",
        "anemia_definition", "start"})
    text = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def build_model(scenario: Scenario) -> ECDModel:
    """The model of ``scenario``, reusing this process's saved state of its history.

    A scenario with a history lives 240 months before it starts; scenarios that share the
    history (same ``history_key``: a comparison's arms within one replicate, the dashboard's
    policy and reference) start from the same saved state, restored with pickle, so the
    history is computed once. The result is identical to ``ECDModel(scenario)`` (tested).
    """
    if scenario.history is None:
        return ECDModel(scenario)
    key = history_key(scenario)
    state = _history_states.get(key)
    if state is None:
        model = ECDModel(scenario, begin=False)
        _history_states[key] = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        while len(_history_states) > HISTORY_STATES_KEPT:
            _history_states.popitem(last=False)
    else:
        _history_states.move_to_end(key)
        model = pickle.loads(state)
        model.adopt(scenario)
    model.begin()
    return model


__all__ = ["ECDModel", "HealthPost", "HomeVisitor", "build_model"]
