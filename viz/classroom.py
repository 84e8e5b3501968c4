"""The instructor's live model: the classroom scenario and the model a session steps.

``Classroom`` holds one ECDModel (one per browser session: the page creates it inside the
session, never at module level). Stepping it gives exactly the CLI's results for the same
scenario and seed (``python run.py run scenarios/classroom.yaml``, or
``classroom_package.yaml`` with every program): the network only reads
the model and samples the households it shows with its own generator. The network view is
drawn by ``viz/network.py``, the agents' stories by ``viz/stories.py``.
"""

from __future__ import annotations

import functools
import math
import threading

import numpy as np
import pandas as pd

from model.config import Scenario, load_scenario, validate_scenario
from model.model import build_model
from viz.levers import SCENARIO_DIR
from viz.network import network_option
from viz.policy_scenarios import real_children
from viz.stories import story

PROGRAM_SETS = {"none": "classroom.yaml", "package": "classroom_package.yaml"}
CLASSROOM_DEPARTMENT = "HUANCAVELICA"
# ASSUMPTION (display): about as many simulated children as Huancavelica at scale 5, so a
# month takes a fraction of a second in any department on a classroom laptop.
CLASSROOM_CHILDREN = 7_000
HOUSEHOLDS_SHOWN = 60  # households sampled per province for the network view


@functools.lru_cache(maxsize=1)
def live_programs() -> tuple[str, ...]:
    """The programs a classroom can switch, in the order of ``classroom_package.yaml``."""
    package = load_scenario(SCENARIO_DIR / PROGRAM_SETS["package"])
    return tuple(dict.fromkeys(i.type for i in package.interventions))


def program_set(programs) -> tuple[str, ...]:
    """``programs`` as a tuple of program types: "none", "package" or a collection of types.

    Raises ValueError for an unknown name.
    """
    every = live_programs()
    if isinstance(programs, str):
        if programs not in PROGRAM_SETS:
            raise ValueError(f"programs {programs!r}: allowed {', '.join(PROGRAM_SETS)} or a "
                             f"list of {', '.join(every)}")
        return () if programs == "none" else every
    unknown = set(programs) - set(every)
    if unknown:
        raise ValueError(f"programs {sorted(unknown)}: allowed {', '.join(every)}")
    return tuple(p for p in every if p in set(programs))


def classroom_scale(department: str) -> float:
    """Real children per simulated child for a live department: at least 5, whole."""
    return float(max(5, math.ceil(real_children(department) / CLASSROOM_CHILDREN)))


def classroom_scenario(programs="none", department: str = CLASSROOM_DEPARTMENT) -> Scenario:
    """The live classroom's scenario: ``department`` with ``programs`` running.

    Huancavelica with no program is ``scenarios/classroom.yaml`` and with all of them
    ``scenarios/classroom_package.yaml`` (the CLI gives the same numbers); any other choice
    is the package file with only the chosen programs, in ``department`` at
    ``classroom_scale``.
    """
    chosen = program_set(programs)
    every = live_programs()
    if department == CLASSROOM_DEPARTMENT and chosen in ((), every):
        return load_scenario(SCENARIO_DIR / PROGRAM_SETS["none" if not chosen else "package"])
    body = load_scenario(SCENARIO_DIR / PROGRAM_SETS["package"]).model_dump(mode="json")
    body.update(name="classroom_live",
                description=f"Classroom: {department}, programs: {', '.join(chosen) or 'none'}",
                interventions=[i for i in body["interventions"] if i["type"] in chosen],
                geography={"departments": [department], "districts": []},
                scale=classroom_scale(department))
    return validate_scenario(body, source="classroom")


class Classroom:
    """One live classroom model and the agents its network view shows."""

    def __init__(self, programs="none", department: str = CLASSROOM_DEPARTMENT):
        """Build the classroom model (about a second): ``programs`` as ``program_set``."""
        self.lock = threading.RLock()
        self.programs = program_set(programs)
        self.department = department
        self.scenario = classroom_scenario(self.programs, department)
        self.reset()

    def reset(self) -> None:
        """Start again from month 0 with the same seed."""
        with self.lock:
            self.model = build_model(self.scenario)
            self._sampler = np.random.default_rng(self.scenario.seed)  # display only
            self._shown: dict[str, np.ndarray] = {}
            for province in self.provinces():
                self._shown[province] = self._sample_households(province)
            self._track_shown()

    def reset_to(self, steps: int) -> None:
        """Start again and simulate ``steps`` months (a second world catching up)."""
        with self.lock:
            self.reset()
            for _ in range(min(steps, self.scenario.months)):
                self.step()

    # --- time -----------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """True at the end of the scenario's horizon."""
        return self.model.steps >= self.scenario.months

    @property
    def date(self) -> str:
        """The month the model has reached (YYYY-MM)."""
        return self.model.month_label(self.model.start_index + self.model.steps)

    def step(self) -> bool:
        """Simulate one month; False (and nothing done) at the end of the horizon."""
        with self.lock:
            if self.finished:
                return False
            self.model.step()
            self._track_shown()
            return True

    def trajectory(self) -> pd.DataFrame:
        """Stunting and anemia of the department so far, one row per month."""
        with self.lock:
            results = self.model.results()
        rows = results[(results["group"] == "national")
                       & results["metric"].isin(("stunting", "anemia"))]
        return rows.pivot_table(index="date", columns="metric", values="value").reset_index()

    # --- the agents shown -------------------------------------------------------------------

    def provinces(self) -> list[str]:
        """Provinces of the classroom's department, largest first."""
        geo = self.model.geography
        sizes = pd.Series(geo.population).groupby(geo.province).sum()
        return list(sizes.sort_values(ascending=False).index)

    def _sample_households(self, province: str) -> np.ndarray:
        hh = self.model.households
        districts = np.flatnonzero(self.model.geography.province == province)
        candidates = np.flatnonzero(np.isin(hh.district, districts))
        size = min(HOUSEHOLDS_SHOWN, len(candidates))
        return np.sort(self._sampler.choice(candidates, size=size, replace=False))

    def _track_shown(self) -> None:
        kids = self.model.children
        shown = np.concatenate(list(self._shown.values()))
        slots = np.flatnonzero(np.isin(kids.household, shown) & (kids.uid >= 0))
        new = [u for u in kids.uid[slots].tolist() if not self.model.is_tracked(u)]
        if new:
            self.model.track(new)

    def network(self, province: str, lang: str) -> dict:
        """ECharts graph option of the province's agents, coloured by status.

        Districts sit at their capitals' coordinates, joined where they share a border (the
        model's neighbour graph), each with its municipality (a diamond sized by how complete
        its child registry is, coloured by whether it was paid an incentive at the last
        evaluation), its posts, a sample of households (and their children) and the visitors
        of those households around it; the regional government sits above the province.
        """
        with self.lock:
            return network_option(self.model, province,
                                  self._shown.get(province, np.empty(0, dtype=np.int64)), lang)

    def story(self, node: str, lang: str) -> dict:
        """Title, facts and (for a child) a chart of the agent named ``node``."""
        with self.lock:
            return story(self.model, node, lang)
