"""The instructor's live model: the classroom scenario, a province network, agents' stories.

``Classroom`` holds one ECDModel (one per browser session: the page creates it inside the
session, never at module level). Stepping it gives exactly the CLI's results for the same
scenario and seed (``python run.py run scenarios/classroom.yaml``, or
``classroom_package.yaml`` with every program): the network only reads
the model and samples the households it shows with its own generator.
"""

from __future__ import annotations

import functools
import math
import threading

import numpy as np
import pandas as pd

from model import places
from model.config import Scenario, load_scenario, validate_scenario
from model.dynamics import AGE_OFFSET
from model.geography import load_district_table
from model.model import ECDModel, build_model
from model.population import Area, JuntosStatus
from viz.i18n import tr
from viz.levers import SCENARIO_DIR, real_children

PROGRAM_SETS = {"none": "classroom.yaml", "package": "classroom_package.yaml"}
CLASSROOM_DEPARTMENT = "HUANCAVELICA"
# ASSUMPTION (display): about as many simulated children as Huancavelica at scale 5, so a
# month takes a fraction of a second in any department on a classroom laptop.
CLASSROOM_CHILDREN = 7_000
JUNTOS_STATUS_KEYS = {JuntosStatus.NOT_ENROLLED: "juntos_not_enrolled",
                      JuntosStatus.ENROLLED: "juntos_enrolled",
                      JuntosStatus.SUSPENDED: "juntos_suspended"}
HOUSEHOLDS_SHOWN = 60  # households sampled per province for the network view
CATEGORIES = ("node_district", "node_post", "node_post_empty", "node_visitor",
              "node_household", "node_household_juntos", "node_child_ok",
              "node_child_stunted", "node_child_anemic", "node_municipality",
              "node_municipality_paid", "node_region")
CATEGORY_COLORS = ("#444444", "#1f77b4", "#000000", "#17becf", "#bdbdbd", "#9467bd",
                   "#2ca02c", "#d62728", "#ff7f0e", "#8c564b", "#bcbd22", "#e377c2")


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
            return _network_option(self, province, lang)

    def story(self, node: str, lang: str) -> dict:
        """Title, facts and (for a child) a chart of the agent named ``node``."""
        with self.lock:
            return _story(self, node, lang)


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


def _network_option(room: Classroom, province: str, lang: str) -> dict:
    model, geo = room.model, room.model.geography
    hh, kids = model.households, model.children
    districts = np.flatnonzero(geo.province == province)
    # Districts at their capitals, linked where they share a border (the model's neighbour
    # graph); each district's posts, households and children around it.
    centre, room_of = district_layout(geo, districts)
    nodes, links = [], []

    def add(node_id, name, category, position, size, facts, label=False, symbol="circle"):
        nodes.append({"id": node_id, "name": node_id, "category": category,
                      "x": round(float(position[0]), 1), "y": round(float(position[1]), 1),
                      "symbolSize": size, "value": name, "symbol": symbol,
                      "label": {"show": label, "formatter": name, "fontSize": 10,
                                "position": "top"},
                      "tooltip": {"formatter": f"<b>{name}</b><br/>{facts}"}})

    def around(point, distance, angle):
        return (point[0] + distance * np.cos(angle), point[1] + distance * np.sin(angle))

    shown = room._shown.get(province, np.empty(0, dtype=np.int64))
    post_at, post_angle = {}, {}
    inside = set(int(d) for d in districts)
    for a, b, km in geo.graph.edges(data="shared_border_km"):
        if a in inside and b in inside:
            links.append({"source": f"district:{geo.ubigeo[a]}",
                          "target": f"district:{geo.ubigeo[b]}",
                          "lineStyle": {"color": "#444444", "width": 2.5, "opacity": 0.7},
                          "tooltip": {"formatter": tr(
                              "border_facts", lang, a=places.district_label(geo.ubigeo[a]),
                              b=places.district_label(geo.ubigeo[b]), km=km)}})
    for d in districts:
        c = centre[int(d)]
        room_each = room_of[int(d)]
        add(f"district:{geo.ubigeo[d]}", places.district_label(geo.ubigeo[d]), 0, c, 20,
            tr("district_facts", lang, altitude=geo.altitude_m[d],
               poverty=100 * geo.poverty[d]), label=True)
        # its municipality, sized by how complete its child registry is
        muni = model.municipal
        paid = bool(muni.paid_registry[d] or muni.paid_visits[d])
        registry = float(muni.registration[d] * muni.data_quality[d])
        add(f"municipality:{geo.ubigeo[d]}", f"{tr('node_municipality', lang)} "
            f"{places.district_label(geo.ubigeo[d])}", 10 if paid else 9,
            around(c, 0.35 * room_each, -np.pi / 2),
            10 + 14 * registry, _municipality_facts(model, int(d), lang), symbol="diamond")
        links.append({"source": f"district:{geo.ubigeo[d]}",
                      "target": f"municipality:{geo.ubigeo[d]}"})
        posts = [p for p in model.post_list if p.district == d]
        for k, post in enumerate(posts):
            angle = 2 * np.pi * (k + 0.5) / max(1, len(posts))
            post_at[post.index] = around(c, 0.3 * room_each, angle)
            post_angle[post.index] = angle
            add(f"post:{post.index}", f"{tr('node_post', lang)} {post.index}",
                1 if post.workers else 2, post_at[post.index], 15, _post_facts(post, lang))
            links.append({"source": f"district:{geo.ubigeo[d]}", "target": f"post:{post.index}"})
    # the regional government, above the province, linked to its municipalities
    region = int(geo.department_index[districts[0]]) if len(districts) else 0
    top = min((centre[int(d)][1] for d in districts), default=0.0)
    middle = float(np.mean([centre[int(d)][0] for d in districts])) if len(districts) else 0.0
    add(f"region:{geo.departments[region]}", f"{tr('node_region', lang)} "
        f"{places.department_label(geo.departments[region])}", 11, (middle, top - 250.0), 22,
        _region_facts(model, region, lang), label=True, symbol="rect")
    for d in districts:
        links.append({"source": f"region:{geo.departments[region]}",
                      "target": f"municipality:{geo.ubigeo[d]}",
                      "lineStyle": {"color": "#e377c2", "width": 0.6, "opacity": 0.4}})
    anemic_all = model.anemic_mask()
    by_post: dict[int, int] = {}
    for h in shown:
        room_each = room_of[int(hh.district[h])]
        post = int(hh.health_post[h])
        k = by_post[post] = by_post.get(post, -1) + 1
        base = post_angle.get(post, 0.0)
        angle = base + (k % 9 - 4) * 0.28
        distance = 0.5 * room_each + 0.15 * room_each * (k // 9)
        position = around(post_at.get(post, centre[int(hh.district[h])]), distance, angle)
        juntos = hh.juntos[h] != JuntosStatus.NOT_ENROLLED
        add(f"household:{h}", f"{tr('node_household', lang)} {h}", 5 if juntos else 4,
            position, 12, _household_facts(model, int(h), lang))
        links.append({"source": f"post:{post}", "target": f"household:{h}"})
        for j, slot in enumerate(np.flatnonzero((kids.household == h) & (kids.uid >= 0))):
            stunted = kids.haz[slot] < model.params.stunting_cutoff
            category = 7 if stunted else 8 if anemic_all[slot] else 6
            child_position = around(position, 0.12 * room_each, angle + (j - 0.5) * 0.7)
            add(f"child:{kids.uid[slot]}", f"{tr('node_child', lang)} {kids.uid[slot]}, "
                f"{kids.age_months[slot]} m", category, child_position, 10,
                f"HAZ {kids.haz[slot]:.2f}, Hb {kids.hb[slot]:.1f} g/dL")
            links.append({"source": f"household:{h}", "target": f"child:{kids.uid[slot]}"})
        if hh.visitor[h] >= 0:
            links.append({"source": f"visitor:{int(hh.visitor[h])}", "target": f"household:{h}"})
    visitors = {v.unique_id: v for v in model.visitors}  # households store the unique_id
    for vid in sorted({int(hh.visitor[h]) for h in shown if hh.visitor[h] >= 0}):
        v = visitors.get(vid)
        if v is None:
            continue
        position = around(post_at.get(v.health_post, centre.get(v.district, (0, 0))),
                          0.18 * room_of.get(v.district, 100.0),
                          post_angle.get(v.health_post, 0.0) + np.pi / 2)
        add(f"visitor:{vid}", f"{tr('node_visitor', lang)} {vid}", 3, position, 13,
            _visitor_facts(v, lang))
    known = {n["id"] for n in nodes}
    links = [link for link in links if link["source"] in known and link["target"] in known]
    return {
        "animation": False,  # redrawn every month: no fly-in each time
        "tooltip": {"trigger": "item", "confine": True},  # inside the chart, not cut
        "legend": {"bottom": 0, "data": [tr(c, lang) for c in CATEGORIES]},  # wraps
        "series": [{
            "type": "graph", "layout": "none", "roam": True, "draggable": False,
            "data": nodes, "links": links,
            "categories": [{"name": tr(c, lang), "itemStyle": {"color": color}}
                           for c, color in zip(CATEGORIES, CATEGORY_COLORS)],
            "lineStyle": {"color": "#aaaaaa", "width": 0.8},
            "emphasis": {"focus": "adjacency"},
            # room at the sides for the labels of the outermost capitals (not cut off)
            "left": 70, "right": 70, "top": 30, "bottom": 90, "zoom": 1,
            "labelLayout": {"hideOverlap": True},  # capitals a few hundred metres apart
        }],
    }


def _post_facts(post, lang: str) -> str:
    return tr("post_facts", lang, staff=post.staff, serums=post.serums_staff,
              households=len(post.households), contacts=post.contacts_used,
              capacity=post.capacity)


def _municipality_facts(model: ECDModel, d: int, lang: str) -> str:
    muni = model.municipal
    return tr("municipality_facts", lang,
              registry=100 * muni.registration[d] * muni.data_quality[d],
              capacity=100 * muni.capacity[d], effort_registry=100 * muni.effort_registry[d],
              effort_visits=100 * muni.effort_visits[d])


def _region_facts(model: ECDModel, region: int, lang: str) -> str:
    reg = model.regional
    return tr("region_facts", lang, capacity=100 * reg.capacity[region],
              effort=100 * reg.effort[region], met=int(reg.targets_met[region]),
              payments=reg.payments[region])


def _municipality_story(model: ECDModel, d: int, lang: str) -> list[str]:
    """A municipality's story: capacity and effort, targets, payments, registry, visits."""
    story = next(m for m in model.municipalities if m.district == d).story()

    def yes(flag: bool) -> str:
        return tr("yes" if flag else "no", lang)

    return [_municipality_facts(model, d, lang),
            tr("municipality_targets", lang, **story["stakes_soles_per_child"]),
            tr("municipality_paid", lang, registry=yes(story["paid_last_evaluation"]["registry"]),
               visits=yes(story["paid_last_evaluation"]["visits"]), sello=yes(story["sello"]),
               payments=story["payments_soles"]),
            tr("municipality_registry", lang, registration=100 * story["registration"],
               data=100 * story["data_quality"]),
            tr("municipality_visits", lang, points=story["visit_points"])]


def _visitor_facts(visitor, lang: str) -> str:
    return tr("visitor_facts", lang, families=len(visitor.caseload),
              months=visitor.months_in_post, stipend=visitor.stipend)


def _household_facts(model: ECDModel, h: int, lang: str) -> str:
    hh = model.households
    juntos = tr(JUNTOS_STATUS_KEYS[JuntosStatus(int(hh.juntos[h]))], lang)
    return tr("household_facts", lang,
              area=tr("urban" if hh.area[h] == Area.URBAN else "rural", lang),
              poor=tr("poor" if hh.poor[h] else "not_poor", lang), q=int(hh.quintile[h]),
              km=float(hh.distance_km[h]), juntos=juntos,
              sis=tr("yes" if hh.sis_insured[h] else "no", lang))


def _story(room: Classroom, node: str, lang: str) -> dict:
    model = room.model
    kind, _, key = node.partition(":")
    if kind == "child":
        uid = int(key)
        history = model.tracked_history(uid) if model.is_tracked(uid) else pd.DataFrame()
        alive = bool(np.any(model.children.uid == uid))
        facts = []
        if not history.empty:
            last = history.iloc[-1]
            facts.append(tr("age", lang, age=int(last["age_months"])))
            facts.append(tr("events", lang, visits=int(history["home_visit"].sum()),
                            transfers=int(history["juntos_paid"].sum()),
                            cred=int(history["cred_seen"].sum()),
                            iron=int((history["iron_supplement"] > 0).sum())))
            facts.append(tr("post_staffing", lang, staff=int(last["post_staff"]),
                            serums=int(last["post_serums"])))
        if not alive:
            facts.append(tr("story_gone", lang))
        return {"title": f"{tr('node_child', lang)} {uid}", "facts": facts,
                "chart": _child_chart(history, lang, _anemia_line(model, uid))
                if not history.empty else None}
    if kind == "household":
        h = int(key)
        kids = model.children
        slots = np.flatnonzero((kids.household == h) & (kids.uid >= 0))
        facts = [_household_facts(model, h, lang)]
        facts += [f"child:{kids.uid[s]} — {kids.age_months[s]} m, HAZ {kids.haz[s]:.2f}, "
                  f"Hb {kids.hb[s]:.1f}" for s in slots]
        return {"title": f"{tr('node_household', lang)} {h}", "facts": facts, "chart": None}
    if kind == "post":
        post = model.post_list[int(key)]
        return {"title": f"{tr('node_post', lang)} {key}", "facts": [_post_facts(post, lang)],
                "chart": None}
    if kind == "visitor":
        v = {a.unique_id: a for a in model.visitors}.get(int(key))
        facts = [_visitor_facts(v, lang)] if v is not None else []
        return {"title": f"{tr('node_visitor', lang)} {key}", "facts": facts, "chart": None}
    if kind == "municipality":
        d = model.geography.index_of(key)
        name = places.district_label(model.geography.ubigeo[d])
        return {"title": f"{tr('node_municipality', lang)} {name}",
                "facts": _municipality_story(model, d, lang), "chart": None}
    if kind == "region":
        region = model.geography.departments.index(key)
        return {"title": f"{tr('node_region', lang)} {places.department_label(key)}",
                "facts": [_region_facts(model, region, lang)], "chart": None}
    if kind == "district":
        geo = model.geography
        d = geo.index_of(key)
        return {"title": places.district_label(geo.ubigeo[d]), "facts": [tr(
            "district_facts", lang, altitude=geo.altitude_m[d], poverty=100 * geo.poverty[d])],
            "chart": None}
    raise KeyError(f"unknown agent {node!r}")


def _anemia_line(model: ECDModel, uid: int) -> float | None:
    """The Hb below which this child counts as anemic at 6-35 months (altitude-adjusted)."""
    slots = np.flatnonzero(model.children.uid == uid)
    if not len(slots):
        return None
    rows = np.arange(6, 36) + AGE_OFFSET  # one cut-off over 6-35 months (WHO 2011: 11 g/dL)
    cutoff = float(np.max(model.anemia_cutoff[rows]))
    return cutoff + float(model.children.hb_altitude_adjustment[slots[0]])


def _child_chart(history: pd.DataFrame, lang: str, anemia_hb: float | None = None) -> dict:
    """HAZ and Hb by month, with the months of visits, payments and check-ups marked.

    Dashed lines mark the thresholds: HAZ -2 (stunted below it) and, for a child alive, the
    Hb below which it counts as anemic (11 g/dL plus its altitude's adjustment).
    """
    dates = list(history["date"])

    def marks(column: str, symbol: str, color: str, label: str) -> dict:
        hits = history[history[column].astype(bool)]
        return {"type": "scatter", "name": label, "yAxisIndex": 0, "symbol": symbol,
                "symbolSize": 9, "itemStyle": {"color": color},
                "data": [[d, round(float(z), 2)] for d, z in zip(hits["date"], hits["haz"])]}

    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 50, "top": 30, "bottom": 60},
        "xAxis": {"type": "category", "data": dates},
        "yAxis": [{"type": "value", "name": "HAZ", "scale": True},
                  {"type": "value", "name": "Hb", "scale": True}],
        "series": [
            {"type": "line", "name": tr("haz", lang), "data": [round(float(v), 2) for v in
                                                              history["haz"]],
             "yAxisIndex": 0, "symbol": "none", "itemStyle": {"color": "#1f77b4"},
             # the two labels at opposite ends: the lines may lie close together
             "markLine": _threshold(-2.0, tr("stunting_line", lang), "#1f77b4",
                                    "insideStartBottom")},
            {"type": "line", "name": tr("hb", lang), "data": [round(float(v), 2) for v in
                                                             history["hb"]],
             "yAxisIndex": 1, "symbol": "none", "itemStyle": {"color": "#d62728"},
             **({"markLine": _threshold(round(anemia_hb, 1), tr("anemia_line", lang),
                                        "#d62728")} if anemia_hb is not None else {})},
            marks("home_visit", "circle", "#17becf", tr("node_visitor", lang)),
            marks("juntos_paid", "diamond", "#9467bd", "Juntos"),
            marks("cred_seen", "triangle", "#2ca02c", "CRED"),
        ],
    }


def _threshold(value: float, label: str, color: str, position: str = "insideEndTop") -> dict:
    """A dashed horizontal line at ``value`` with its label (an ECharts markLine)."""
    return {"silent": True, "symbol": "none",
            "lineStyle": {"type": "dashed", "color": color, "width": 1.5},
            "label": {"formatter": label, "position": position, "fontSize": 11,
                      "color": color},
            "data": [{"yAxis": value}]}
