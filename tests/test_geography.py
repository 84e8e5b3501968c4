"""Districts, departments and the neighbour graph."""

import networkx as nx

from model.geography import department_names, load_district_table, load_geography


def test_all_districts_with_attributes():
    geo = load_geography()
    assert geo.n == 1874
    assert len(geo.departments) == 25 and "LIMA" in geo.departments  # names are stripped
    assert abs(geo.population.sum() - 32_131_400) < 1
    assert ((geo.poverty >= 0) & (geo.poverty <= 1)).all()
    assert ((geo.urban_share >= 0) & (geo.urban_share <= 1)).all()
    assert geo.altitude_m.max() > 4000 and geo.altitude_m.min() < 100
    assert set(geo.natural_region) == {0, 1, 2}


def test_neighbour_graph_matches_the_edge_list():
    geo = load_geography()
    graph = geo.graph
    assert graph.number_of_nodes() == 1874
    assert graph.number_of_edges() == 5202
    isolated = {geo.ubigeo[i] for i in nx.isolates(graph)}
    assert isolated == {"210103", "211302"}  # the two Lake Titicaca islands
    assert nx.number_connected_components(graph) == 3


def test_restriction_to_departments_and_districts():
    geo = load_geography(departments=["HUANCAVELICA"])
    assert geo.n == 100 and set(geo.department) == {"HUANCAVELICA"}
    assert geo.departments == ["HUANCAVELICA"]
    both = load_geography(departments=["TUMBES"], districts=["010101"])
    assert "010101" in set(both.ubigeo) and set(both.department) == {"TUMBES", "AMAZONAS"}
    # the subgraph keeps only edges between kept districts
    assert all(u < geo.n and v < geo.n for u, v in geo.graph.edges)


def test_department_names_are_sorted_and_unique():
    names = department_names()
    assert names == sorted(set(names))


def test_every_department_has_its_boundaries():
    from viz.figures import region_geojson
    table = load_district_table()
    for department, districts in table.groupby("department"):
        features = region_geojson(department)["features"]
        assert len(features) == len(districts), department  # "LIMA " in the file: was 0
