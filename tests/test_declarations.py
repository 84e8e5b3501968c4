"""One declaration per parameter: the tables derived from the fields of Parameters."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import pytest

from model.analysis import draws, sensitivity
from model.analysis.search_space import FIT_ORDER, SEARCH_SPACE
from model.declare import Draw, declared, fit_ranges, param
from model.defaults import DEFAULTS, DEPARTMENT_TERMS, PARAMETER_BOUNDS, Parameters

FIELDS = dataclasses.fields(Parameters)
KINDS = re.compile(r"\b[A-E]\d+[a-z]?\b|derived|calibrated|tuned by hand|ASSUMPTION|"
                   r"program documents")


def test_every_parameter_states_unit_source_and_bounds():
    for field in FIELDS:
        facts = field.metadata
        assert facts["unit"] and KINDS.search(facts["source"]), field.name
        low, high, reason = PARAMETER_BOUNDS[field.name]
        assert (low, high, reason) == facts["bounds"] and reason, field.name
        values = getattr(DEFAULTS, field.name)
        for value in values if isinstance(values, tuple) else (values,):
            assert low <= value <= high, field.name


def test_a_parameter_is_fitted_exactly_when_its_source_says_calibrated():
    for field in FIELDS:
        if field.name in DEPARTMENT_TERMS:  # fitted by calibrate --departments
            continue
        fitted = field.metadata["calibrate"] is not None
        assert fitted == ("calibrated" in field.metadata["source"]), field.name


def test_the_search_space_is_the_declared_ranges_in_the_fit_order():
    assert list(SEARCH_SPACE) == list(FIT_ORDER)  # the stored posterior's order
    assert SEARCH_SPACE == fit_ranges(Parameters)
    assert SEARCH_SPACE["haz_falter_schooling[1]"] == (0.0, 0.09)


def test_draws_come_from_the_declarations_and_new_ones_are_appended():
    model_draws = declared(Parameters, "draw")
    model_items = [item for item in draws.UNCERTAIN if "." not in item.name]
    assert {item.name for item in model_items} == set(model_draws)
    for item in model_items:
        spec = model_draws[item.name]
        assert (item.kind, item.low, item.high, item.basis, item.integer) == (
            spec.kind, spec.low, spec.high, spec.basis, spec.integer)
    # every number declared is a column, once, those of COLUMNS first in its order and any
    # declared later appended; a field inherited with its draw is one number
    names = [item.name for item in draws.UNCERTAIN]
    assert names[:len(draws.COLUMNS)] == list(draws.COLUMNS)
    assert len(set(names)) == len(names)
    shared = {item.name: item.targets for item in draws.UNCERTAIN}["home_visits.turnover_base"]
    assert shared == ("home_visits.turnover_base", "municipal_visits.turnover_base")
    appended = draws._in_columns(())
    assert {item.name for item in appended} == set(draws.COLUMNS)
    with pytest.raises(ValueError, match="no draw declared"):
        draws._in_columns(("haz_birth_mean",))


def test_labels_come_from_the_declarations():
    assert sensitivity.plain_label("hb_infection_drop") == "Hb drop with an infection"
    assert sensitivity.plain_label("non_iron_share_by_region[2]") == (
        "non iron share by region (Selva)")
    assert sensitivity.PLAIN_LABELS["iron.gap_closure"].startswith("iron drops")


def test_param_refuses_an_incomplete_declaration():
    with pytest.raises(ValueError, match="bounds"):
        param(1.0, unit="z", source="ASSUMPTION", bounds=(2.0, 0.0, "why"))
    with pytest.raises(ValueError, match="kind"):
        Draw("triangular", 0.0, 1.0, "ASSUMPTION")

    @dataclass(frozen=True)
    class Small:
        x: float = param(0.5, unit="share", source="ASSUMPTION", bounds=(0.0, 1.0, "a share"),
                         calibrate={0: (0.1, 0.9)}, label="x")

    assert declared(Small, "label") == {"x": "x"}
    assert fit_ranges(Small) == {"x[0]": (0.1, 0.9)}


def test_the_generated_doc_tables_are_current():
    from model.analysis import doc_tables

    for name in doc_tables.TABLES:
        assert doc_tables.current(name), (
            f"docs/{name} is out of date: run python -m model.analysis.doc_tables")
