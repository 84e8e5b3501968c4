"""Programs' state and outputs: what each program declares, and the scale rule, in one place.

A program declares the arrays it keeps per household or per child (``State``, in its class's
``states``) and the national figures it reports besides its cost and coverage (its
``outputs``). The model allocates every declared array once, for every program type, so
that a program may read another's state (Juntos enrolment, a home visit this month) whether
or not it runs; ``population.py`` holds only what the core needs.

Each month programs report through ``ProgramOutputs``: soles spent (``add_cost``), % covered
(``set_coverage``) and their declared figures (``set_figure``). Counts of simulated agents
become counts of real people only through ``real`` (times the model's scale): the one place
the scale rule is applied to programs' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    """One array a program keeps: in which store, its name, dtype, value at start, meaning."""

    store: str        # "households" or "children"
    name: str
    dtype: object
    default: object
    meaning: str


def declare_states(population, declarations) -> None:
    """Add each declared array to its store once (the same name twice must match)."""
    seen: dict[str, State] = {}
    for state in declarations:
        key = f"{state.store}.{state.name}"
        if key in seen:
            if seen[key] != state:
                raise ValueError(f"state {key} is declared twice, differently: {seen[key]} "
                                 f"and {state}")
            continue
        seen[key] = state
        getattr(population, state.store).add(state.name, state.dtype, state.default)


class ProgramOutputs:
    """The national program figures of the month: costs, coverage and declared outputs."""

    def __init__(self, scale: float, outputs: dict[str, str]):
        """Outputs of a model at ``scale`` whose programs may report the named ``outputs``."""
        self.scale, self.declared = scale, outputs
        self.start_month(())

    def start_month(self, programs) -> None:
        """Zero costs for every program of the run; no coverage or figures yet."""
        self.costs = {program.name: 0.0 for program in programs}
        self.coverage: dict[str, float] = {}
        self.figures: dict[str, float] = {}

    def real(self, simulated):
        """Real people (or things) that ``simulated`` agents stand for."""
        return simulated * self.scale

    def simulated(self, real):
        """Simulated agents that stand for ``real`` people (or things)."""
        return real / self.scale

    def add_cost(self, program: str, soles: float) -> None:
        """Count ``soles`` (real money: scale simulated counts with ``real``) spent this month."""
        self.costs[program] = self.costs.get(program, 0.0) + soles

    def set_coverage(self, program: str, percent: float) -> None:
        """``program``'s coverage this month (%, defined per program in the docs)."""
        self.coverage[program] = percent

    def set_figure(self, name: str, value: float) -> None:
        """A declared national figure of this month (see the programs' ``outputs``)."""
        if name not in self.declared:
            raise KeyError(f"output {name!r} is not declared by any program; declared: "
                           f"{', '.join(sorted(self.declared))}")
        self.figures[name] = value

    def record(self, recorder) -> None:
        """Write this month's costs, their total, coverage and figures as national metrics."""
        for name, soles in sorted(self.costs.items()):
            recorder.record_extra(f"cost:{name}", "national", soles)
        recorder.record_extra("cost_total", "national", sum(self.costs.values()))
        for name, percent in self.coverage.items():
            recorder.record_extra(f"coverage:{name}", "national", percent)
        for name, value in self.figures.items():
            recorder.record_extra(name, "national", value)
