"""Peru's districts: the table from ``model/data`` and the networkx graph of neighbours.

The 1,874 districts of the 2017 census frame (INEI ubigeo codes) with their department,
province, natural region, capital altitude, 2019 population, urban share and 2018 monetary
poverty. Sources and licenses: ``model/data/SOURCES.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).parent / "data"
DISTRICTS_CSV = DATA_DIR / "peru_districts.csv"
ADJACENCY_CSV = DATA_DIR / "gpl3" / "district_adjacency_2017frame.csv"
BOUNDARIES_GEOJSON = DATA_DIR / "gpl3" / "peru_districts_2017frame_simplified.geojson"

NATURAL_REGIONS = ("Costa", "Sierra", "Selva")


@lru_cache(maxsize=1)
def load_district_table() -> pd.DataFrame:
    """All 1,874 districts as a DataFrame indexed by position, ubigeo kept as text."""
    table = pd.read_csv(DISTRICTS_CSV, dtype={"ubigeo": str, "ubigeo_reniec": str})
    for column in ("department", "province", "district", "natural_region"):
        table[column] = table[column].str.strip()  # the source has e.g. "LIMA " with a space
    return table.sort_values("ubigeo").reset_index(drop=True)


def load_boundaries() -> dict:
    """District boundaries (GeoJSON, GPL-3) with their names cleaned as in the table.

    The boundary file spells some names with a trailing space ("LIMA "): read as they are,
    the Lima department matched no feature and its map came out blank.
    """
    data = json.loads(BOUNDARIES_GEOJSON.read_text(encoding="utf-8"))
    for feature in data["features"]:
        properties = feature["properties"]
        for key, value in properties.items():
            if isinstance(value, str):
                properties[key] = value.strip()
    return data


def national_poverty() -> np.ndarray:
    """Monetary poverty share (2018 map) of every district, in ``load_geography()``'s order."""
    return load_district_table()["poverty_total_pct_2018"].to_numpy(dtype=float) / 100.0


def poverty_floor(n: int, among: np.ndarray | None = None) -> float:
    """Poverty of Peru's n-th poorest district (among the districts of mask ``among``).

    "The n poorest districts" is a national list: a run restricted to a department keeps
    those of its districts at or above this floor, not its own n poorest. ``among`` is a
    boolean mask over ``national_poverty()`` (default: all).
    """
    poverty = national_poverty()
    poverty = np.sort(poverty if among is None else poverty[among])[::-1]
    return float(poverty[min(n, len(poverty)) - 1]) if len(poverty) else float("inf")


def department_names() -> list[str]:
    """The 25 department names as spelled in the data (upper case, no accents)."""
    return sorted(load_district_table()["department"].unique())


def district_codes() -> list[str]:
    """The 1,874 INEI ubigeo codes."""
    return list(load_district_table()["ubigeo"])


@dataclass
class Geography:
    """The districts a run covers, as aligned arrays (one entry per district).

    Attributes:
        ubigeo: INEI 6-digit codes (text).
        name, department, province: names, upper case.
        natural_region: index into ``NATURAL_REGIONS``.
        department_index: index into ``departments``.
        altitude_m: capital altitude, metres above sea level.
        population: persons, 2019.
        urban_share: fraction of the 2019 population that is urban.
        poverty: fraction of the population in monetary poverty (INEI map 2018).
        graph: networkx graph, nodes are positions 0..n-1, edges join districts sharing a border
            (attribute ``shared_border_km``).
        idh: PNUD human development index 2019 (0-1).
        lat, lon: the district capital's coordinates (WGS84 degrees).
    """

    ubigeo: np.ndarray
    name: np.ndarray
    department: np.ndarray
    province: np.ndarray
    natural_region: np.ndarray
    department_index: np.ndarray
    departments: list[str]
    altitude_m: np.ndarray
    population: np.ndarray
    urban_share: np.ndarray
    poverty: np.ndarray
    graph: nx.Graph
    idh: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    @property
    def n(self) -> int:
        """Number of districts in the run."""
        return len(self.ubigeo)

    def index_of(self, ubigeo: str) -> int:
        """Position of a district in these arrays."""
        hits = np.flatnonzero(self.ubigeo == ubigeo)
        if len(hits) == 0:
            raise KeyError(f"district {ubigeo} is not in this run")
        return int(hits[0])


def load_geography(departments: list[str] | None = None,
                   districts: list[str] | None = None) -> Geography:
    """Load the districts, restricted to ``departments`` and/or ``districts`` if given.

    Both lists are assumed valid (the scenario schema checks names against the data).
    With both given, a district is kept if it is in either list. The result is shared
    between the runs of a process (a draw's history and its arms), so its arrays are
    read-only and its graph frozen: a run that needs to change one copies it.
    """
    return _shared_geography(tuple(departments or ()), tuple(districts or ()))


@lru_cache(maxsize=16)
def _shared_geography(departments: tuple[str, ...], districts: tuple[str, ...]) -> Geography:
    """``load_geography``'s cached, read-only result for one selection."""
    geography = _read_geography(list(departments), list(districts))
    for value in vars(geography).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    nx.freeze(geography.graph)
    return geography


def _read_geography(departments: list[str], districts: list[str]) -> Geography:
    """Build the Geography of the selected districts from the district table."""
    table = load_district_table()
    keep = np.ones(len(table), dtype=bool)
    if departments or districts:
        keep = table["department"].isin(departments or []) | table["ubigeo"].isin(districts or [])
        keep = keep.to_numpy()
    sub = table[keep].reset_index(drop=True)
    dept_names = sorted(sub["department"].unique())
    graph = _neighbour_graph(sub["ubigeo"].to_numpy())
    return Geography(
        ubigeo=sub["ubigeo"].to_numpy(),
        name=sub["district"].to_numpy(),
        department=sub["department"].to_numpy(),
        province=sub["province"].to_numpy(),
        natural_region=np.array([NATURAL_REGIONS.index(r) for r in sub["natural_region"]],
                                dtype=np.int8),
        department_index=np.searchsorted(dept_names, sub["department"].to_numpy()).astype(np.int16),
        departments=dept_names,
        altitude_m=sub["capital_altitude_m"].to_numpy(dtype=float),
        population=sub["pop_2019"].to_numpy(dtype=float),
        urban_share=sub["urban_share_2019"].to_numpy(dtype=float),
        poverty=sub["poverty_total_pct_2018"].to_numpy(dtype=float) / 100.0,
        graph=graph,
        idh=sub["idh_2019"].to_numpy(dtype=float),
        lat=sub["capital_lat"].to_numpy(dtype=float),
        lon=sub["capital_lon"].to_numpy(dtype=float),
    )


def _neighbour_graph(ubigeos: np.ndarray) -> nx.Graph:
    """Graph of the given districts (nodes = positions) with an edge per shared border."""
    edges = pd.read_csv(ADJACENCY_CSV, dtype={"ubigeo_a": str, "ubigeo_b": str})
    position = {code: i for i, code in enumerate(ubigeos)}
    graph = nx.Graph()
    for i, code in enumerate(ubigeos):
        graph.add_node(i, ubigeo=code)
    inside = edges["ubigeo_a"].isin(position) & edges["ubigeo_b"].isin(position)
    for a, b, km in edges.loc[inside, ["ubigeo_a", "ubigeo_b", "shared_border_km"]].itertuples(
            index=False):
        graph.add_edge(position[a], position[b], shared_border_km=float(km))
    return graph
