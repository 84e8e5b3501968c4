"""The classroom's network view: one province's agents as an ECharts graph.

Districts sit at their capitals' coordinates (``district_layout``), joined where they share
a border (the model's neighbour graph), each with its municipality, its health posts, a
sample of households (and their children) and the visitors of those households around it;
the regional government sits above the province. The view only reads the model.
"""

from __future__ import annotations

import numpy as np

from model import places
from model.geography import load_district_table
from model.model import ECDModel
from model.population import JuntosStatus
from viz.i18n import tr
from viz.stories import (
    household_facts,
    municipality_facts,
    post_facts,
    region_facts,
    visitor_facts,
)

CATEGORIES = ("node_district", "node_post", "node_post_empty", "node_visitor",
              "node_household", "node_household_juntos", "node_child_ok",
              "node_child_stunted", "node_child_anemic", "node_municipality",
              "node_municipality_paid", "node_region")
CATEGORY_COLORS = ("#444444", "#1f77b4", "#000000", "#17becf", "#bdbdbd", "#9467bd",
                   "#2ca02c", "#d62728", "#ff7f0e", "#8c564b", "#bcbd22", "#e377c2")


def district_layout(geo, districts: np.ndarray, width: float = 2000.0
                    ) -> tuple[dict[int, tuple[float, float]], dict[int, float]]:
    """Where each district sits on the network view, and the room around it.

    Districts are placed at their capital's coordinates (``capital_lon``, ``capital_lat``
    of the district table; longitude scaled by the cosine of the latitude, north up), the
    whole province ``width`` units across. The room of a district is 0.45 of the distance
    to its nearest neighbour on the view, so the clusters of agents drawn around
    neighbouring capitals do not run into each other.
    """
    table = load_district_table().set_index("ubigeo")
    lon = table.loc[geo.ubigeo[districts], "capital_lon"].to_numpy(dtype=float)
    lat = table.loc[geo.ubigeo[districts], "capital_lat"].to_numpy(dtype=float)
    x = (lon - lon.mean()) * np.cos(np.radians(lat.mean()))
    y = -(lat - lat.mean())  # screen coordinates grow downwards: north up
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-6)
    x, y = x * width / span, y * width / span
    centre = {int(d): (float(x[i]), float(y[i])) for i, d in enumerate(districts)}
    room = {}
    for i, d in enumerate(districts):
        others = np.hypot(x - x[i], y - y[i])[np.arange(len(districts)) != i]
        room[int(d)] = 0.45 * float(others.min()) if len(others) else 0.25 * width
    return centre, room


def _around(point, distance, angle):
    """The point ``distance`` away from ``point`` in the direction ``angle``."""
    return (point[0] + distance * np.cos(angle), point[1] + distance * np.sin(angle))


class _Graph:
    """The graph's nodes and links as they are added, and where the posts were put."""

    def __init__(self, model: ECDModel, districts: np.ndarray, lang: str):
        """An empty graph of ``districts`` (placed by ``district_layout``)."""
        self.model, self.geo, self.lang = model, model.geography, lang
        self.districts = districts
        self.centre, self.room_of = district_layout(self.geo, districts)
        self.nodes: list[dict] = []
        self.links: list[dict] = []
        self.post_at: dict[int, tuple[float, float]] = {}
        self.post_angle: dict[int, float] = {}

    def add(self, node_id, name, category, position, size, facts, label=False,
            symbol="circle"):
        """A node with its hover text (``facts``) and, if ``label``, its name shown."""
        self.nodes.append({"id": node_id, "name": node_id, "category": category,
                           "x": round(float(position[0]), 1),
                           "y": round(float(position[1]), 1),
                           "symbolSize": size, "value": name, "symbol": symbol,
                           "label": {"show": label, "formatter": name, "fontSize": 10,
                                     "position": "top"},
                           "tooltip": {"formatter": f"<b>{name}</b><br/>{facts}"}})


def network_option(model: ECDModel, province: str, shown: np.ndarray, lang: str) -> dict:
    """ECharts graph option of the province's agents, coloured by status.

    ``shown`` are the households sampled for the view. Each district has its municipality
    (a diamond sized by how complete its child registry is, coloured by whether it was paid
    an incentive at the last evaluation) and its posts around it; the regional government
    sits above the province.
    """
    graph = _Graph(model, np.flatnonzero(model.geography.province == province), lang)
    _border_links(graph)
    for d in graph.districts:
        _district_nodes(graph, d)
    _region_nodes(graph)
    _household_nodes(graph, shown)
    _visitor_nodes(graph, shown)
    return _graph_option(graph)


def _border_links(graph: _Graph) -> None:
    """Districts linked where they share a border (the model's neighbour graph)."""
    geo, lang = graph.geo, graph.lang
    inside = set(int(d) for d in graph.districts)
    for a, b, km in geo.graph.edges(data="shared_border_km"):
        if a in inside and b in inside:
            graph.links.append({"source": f"district:{geo.ubigeo[a]}",
                                "target": f"district:{geo.ubigeo[b]}",
                                "lineStyle": {"color": "#444444", "width": 2.5, "opacity": 0.7},
                                "tooltip": {"formatter": tr(
                                    "border_facts", lang,
                                    a=places.district_label(geo.ubigeo[a]),
                                    b=places.district_label(geo.ubigeo[b]), km=km)}})


def _district_nodes(graph: _Graph, d: int) -> None:
    """District ``d`` at its capital, its municipality and its health posts around it."""
    model, geo, lang = graph.model, graph.geo, graph.lang
    c = graph.centre[int(d)]
    room_each = graph.room_of[int(d)]
    graph.add(f"district:{geo.ubigeo[d]}", places.district_label(geo.ubigeo[d]), 0, c, 20,
              tr("district_facts", lang, altitude=geo.altitude_m[d],
                 poverty=100 * geo.poverty[d]), label=True)
    # its municipality, sized by how complete its child registry is
    muni = model.municipal
    paid = bool(muni.paid_registry[d] or muni.paid_visits[d])
    registry = float(muni.registration[d] * muni.data_quality[d])
    graph.add(f"municipality:{geo.ubigeo[d]}", f"{tr('node_municipality', lang)} "
              f"{places.district_label(geo.ubigeo[d])}", 10 if paid else 9,
              _around(c, 0.35 * room_each, -np.pi / 2),
              10 + 14 * registry, municipality_facts(model, int(d), lang), symbol="diamond")
    graph.links.append({"source": f"district:{geo.ubigeo[d]}",
                        "target": f"municipality:{geo.ubigeo[d]}"})
    posts = [p for p in model.post_list if p.district == d]
    for k, post in enumerate(posts):
        angle = 2 * np.pi * (k + 0.5) / max(1, len(posts))
        graph.post_at[post.index] = _around(c, 0.3 * room_each, angle)
        graph.post_angle[post.index] = angle
        graph.add(f"post:{post.index}", f"{tr('node_post', lang)} {post.index}",
                  1 if post.workers else 2, graph.post_at[post.index], 15,
                  post_facts(post, lang))
        graph.links.append({"source": f"district:{geo.ubigeo[d]}",
                            "target": f"post:{post.index}"})


def _region_nodes(graph: _Graph) -> None:
    """The regional government, above the province, linked to its municipalities."""
    geo, districts, centre = graph.geo, graph.districts, graph.centre
    region = int(geo.department_index[districts[0]]) if len(districts) else 0
    top = min((centre[int(d)][1] for d in districts), default=0.0)
    middle = float(np.mean([centre[int(d)][0] for d in districts])) if len(districts) else 0.0
    graph.add(f"region:{geo.departments[region]}", f"{tr('node_region', graph.lang)} "
              f"{places.department_label(geo.departments[region])}", 11,
              (middle, top - 250.0), 22, region_facts(graph.model, region, graph.lang),
              label=True, symbol="rect")
    for d in districts:
        graph.links.append({"source": f"region:{geo.departments[region]}",
                            "target": f"municipality:{geo.ubigeo[d]}",
                            "lineStyle": {"color": "#e377c2", "width": 0.6, "opacity": 0.4}})


def _household_nodes(graph: _Graph, shown: np.ndarray) -> None:
    """The sampled households around their posts, and their children around them."""
    model, lang = graph.model, graph.lang
    hh, kids = model.households, model.children
    anemic_all = model.anemic_mask()
    by_post: dict[int, int] = {}
    for h in shown:
        room_each = graph.room_of[int(hh.district[h])]
        post = int(hh.health_post[h])
        k = by_post[post] = by_post.get(post, -1) + 1
        base = graph.post_angle.get(post, 0.0)
        angle = base + (k % 9 - 4) * 0.28
        distance = 0.5 * room_each + 0.15 * room_each * (k // 9)
        position = _around(graph.post_at.get(post, graph.centre[int(hh.district[h])]),
                           distance, angle)
        juntos = hh.juntos[h] != JuntosStatus.NOT_ENROLLED
        graph.add(f"household:{h}", f"{tr('node_household', lang)} {h}", 5 if juntos else 4,
                  position, 12, household_facts(model, int(h), lang))
        graph.links.append({"source": f"post:{post}", "target": f"household:{h}"})
        for j, slot in enumerate(np.flatnonzero((kids.household == h) & (kids.uid >= 0))):
            stunted = kids.haz[slot] < model.params.stunting_cutoff
            category = 7 if stunted else 8 if anemic_all[slot] else 6
            child_position = _around(position, 0.12 * room_each, angle + (j - 0.5) * 0.7)
            graph.add(f"child:{kids.uid[slot]}", f"{tr('node_child', lang)} {kids.uid[slot]}, "
                      f"{kids.age_months[slot]} m", category, child_position, 10,
                      f"HAZ {kids.haz[slot]:.2f}, Hb {kids.hb[slot]:.1f} g/dL")
            graph.links.append({"source": f"household:{h}",
                                "target": f"child:{kids.uid[slot]}"})
        if hh.visitor[h] >= 0:
            graph.links.append({"source": f"visitor:{int(hh.visitor[h])}",
                                "target": f"household:{h}"})


def _visitor_nodes(graph: _Graph, shown: np.ndarray) -> None:
    """The home visitors of the sampled households, beside their posts."""
    hh = graph.model.households
    visitors = {v.unique_id: v for v in graph.model.visitors}  # households store the unique_id
    for vid in sorted({int(hh.visitor[h]) for h in shown if hh.visitor[h] >= 0}):
        v = visitors.get(vid)
        if v is None:
            continue
        position = _around(graph.post_at.get(v.health_post, graph.centre.get(v.district, (0, 0))),
                           0.18 * graph.room_of.get(v.district, 100.0),
                           graph.post_angle.get(v.health_post, 0.0) + np.pi / 2)
        graph.add(f"visitor:{vid}", f"{tr('node_visitor', graph.lang)} {vid}", 3, position, 13,
                  visitor_facts(v, graph.lang))


def _graph_option(graph: _Graph) -> dict:
    """The ECharts option of the graph (links to nodes not shown are dropped)."""
    lang = graph.lang
    known = {n["id"] for n in graph.nodes}
    links = [link for link in graph.links if link["source"] in known and link["target"] in known]
    return {
        "animation": False,  # redrawn every month: no fly-in each time
        "tooltip": {"trigger": "item", "confine": True},  # inside the chart, not cut
        "legend": {"bottom": 0, "data": [tr(c, lang) for c in CATEGORIES]},  # wraps
        "series": [{
            "type": "graph", "layout": "none", "roam": True, "draggable": False,
            "data": graph.nodes, "links": links,
            "categories": [{"name": tr(c, lang), "itemStyle": {"color": color}}
                           for c, color in zip(CATEGORIES, CATEGORY_COLORS)],
            "lineStyle": {"color": "#aaaaaa", "width": 0.8},
            "emphasis": {"focus": "adjacency"},
            # room at the sides for the labels of the outermost capitals (not cut off)
            "left": 70, "right": 70, "top": 30, "bottom": 90, "zoom": 1,
            "labelLayout": {"hideOverlap": True},  # capitals a few hundred metres apart
        }],
    }
