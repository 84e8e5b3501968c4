"""Shared fixtures: small, fast models built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from model.config import Scenario
from model.model import ECDModel


def make_model(**fields) -> ECDModel:
    """A model from scenario fields (name defaults to 'test')."""
    fields.setdefault("name", "test")
    return ECDModel(Scenario(**fields))


@pytest.fixture(scope="session")
def national_model() -> ECDModel:
    """All of Peru at scale 50 (about 58,000 children), run for 12 months."""
    model = make_model(scale=50, months=12, seed=11)
    for _ in range(12):
        model.step()
    return model


@pytest.fixture(scope="session")
def national_results(national_model) -> "pd.DataFrame":  # noqa: F821
    """Tidy results of ``national_model``."""
    return national_model.results()


def prevalence_se(p: float, n: int) -> float:
    """Binomial standard error of a proportion."""
    return float(np.sqrt(p * (1 - p) / n))


def person_weights(hh) -> np.ndarray:
    """Household weights back to persons.

    Rural areas have ``rural_children_ratio`` times as many young children per person, so
    each rural household with children stands for fewer persons.
    """
    from model.defaults import DEFAULTS
    from model.population import Area
    return hh.n_children / np.where(hh.area == Area.RURAL, DEFAULTS.rural_children_ratio, 1.0)


# A value no shipped scenario uses; a model whose scenario sets haz_falter_base to it fails
# while being built, in every process started with ``failing_model_env`` (workers included).
FAILING_VALUE = 0.0123456
_FAILING_SITE = f"""
import model.model as _m
_build = _m.ECDModel.__init__
def _failing(self, scenario, *args, **kwargs):
    if (scenario.parameters or {{}}).get("haz_falter_base") == {FAILING_VALUE!r}:
        raise ValueError("lam < 0: a failure injected by the test")
    _build(self, scenario, *args, **kwargs)
_m.ECDModel.__init__ = _failing
"""


def failing_model_env(folder: Path) -> dict:
    """An environment whose Python processes fail to build a model that sets FAILING_VALUE.

    A ``sitecustomize`` on PYTHONPATH wraps ``ECDModel.__init__``: the real failure path of
    the CLI and of the batch runner, without an input the schema would refuse.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_FAILING_SITE)
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}
