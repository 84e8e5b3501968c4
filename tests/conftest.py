"""Shared fixtures: small, fast models built once per test session."""

from __future__ import annotations

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
