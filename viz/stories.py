"""Agents' stories in the classroom: what the network's hover and the story card say.

The facts of a post, municipality, regional government, visitor and household (the
network's hover text), and the story of the agent clicked: title, facts and, for a child,
its HAZ and Hb by month with the thresholds (``child_chart``). Only reads the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import places
from model.anemia import anemia_line
from model.dynamics import AGE_OFFSET
from model.model import ECDModel
from model.population import Area, JuntosStatus
from viz.i18n import tr

JUNTOS_STATUS_KEYS = {JuntosStatus.NOT_ENROLLED: "juntos_not_enrolled",
                      JuntosStatus.ENROLLED: "juntos_enrolled",
                      JuntosStatus.SUSPENDED: "juntos_suspended"}


def post_facts(post, lang: str) -> str:
    """A health post in one line: staff, SERUMS, households, contacts given and capacity."""
    return tr("post_facts", lang, staff=post.staff, serums=post.serums_staff,
              households=len(post.households), contacts=post.contacts_used,
              capacity=post.capacity)


def municipality_facts(model: ECDModel, d: int, lang: str) -> str:
    """District ``d``'s municipality in one line: registry, capacity and effort."""
    muni = model.municipal
    return tr("municipality_facts", lang,
              registry=100 * muni.registration[d] * muni.data_quality[d],
              capacity=100 * muni.capacity[d], effort_registry=100 * muni.effort_registry[d],
              effort_visits=100 * muni.effort_visits[d])


def region_facts(model: ECDModel, region: int, lang: str) -> str:
    """A regional government in one line: capacity, effort, FED targets met and payments."""
    reg = model.regional
    return tr("region_facts", lang, capacity=100 * reg.capacity[region],
              effort=100 * reg.effort[region], met=int(reg.targets_met[region]),
              payments=reg.payments[region])


def _municipality_story(model: ECDModel, d: int, lang: str) -> list[str]:
    """A municipality's story: capacity and effort, targets, payments, registry, visits."""
    story = next(m for m in model.municipalities if m.district == d).story()

    def yes(flag: bool) -> str:
        return tr("yes" if flag else "no", lang)

    return [municipality_facts(model, d, lang),
            tr("municipality_targets", lang, **story["stakes_soles_per_child"]),
            tr("municipality_paid", lang, registry=yes(story["paid_last_evaluation"]["registry"]),
               visits=yes(story["paid_last_evaluation"]["visits"]), sello=yes(story["sello"]),
               payments=story["payments_soles"]),
            tr("municipality_registry", lang, registration=100 * story["registration"],
               data=100 * story["data_quality"]),
            tr("municipality_visits", lang, points=story["visit_points"])]


def visitor_facts(visitor, lang: str) -> str:
    """A home visitor in one line: families, months in post and stipend."""
    return tr("visitor_facts", lang, families=len(visitor.caseload),
              months=visitor.months_in_post, stipend=visitor.stipend)


def household_facts(model: ECDModel, h: int, lang: str) -> str:
    """Household ``h`` in one line: area, poverty, quintile, distance, Juntos and SIS."""
    hh = model.households
    juntos = tr(JUNTOS_STATUS_KEYS[JuntosStatus(int(hh.juntos[h]))], lang)
    return tr("household_facts", lang,
              area=tr("urban" if hh.area[h] == Area.URBAN else "rural", lang),
              poor=tr("poor" if hh.poor[h] else "not_poor", lang), q=int(hh.quintile[h]),
              km=float(hh.distance_km[h]), juntos=juntos,
              sis=tr("yes" if hh.sis_insured[h] else "no", lang))


def story(model: ECDModel, node: str, lang: str) -> dict:
    """Title, facts and (for a child) a chart of the agent named ``node``."""
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
        facts = [household_facts(model, h, lang)]
        facts += [f"child:{kids.uid[s]} — {kids.age_months[s]} m, HAZ {kids.haz[s]:.2f}, "
                  f"Hb {kids.hb[s]:.1f}" for s in slots]
        return {"title": f"{tr('node_household', lang)} {h}", "facts": facts, "chart": None}
    if kind == "post":
        post = model.post_list[int(key)]
        return {"title": f"{tr('node_post', lang)} {key}", "facts": [post_facts(post, lang)],
                "chart": None}
    if kind == "visitor":
        v = {a.unique_id: a for a in model.visitors}.get(int(key))
        facts = [visitor_facts(v, lang)] if v is not None else []
        return {"title": f"{tr('node_visitor', lang)} {key}", "facts": facts, "chart": None}
    if kind == "municipality":
        d = model.geography.index_of(key)
        name = places.district_label(model.geography.ubigeo[d])
        return {"title": f"{tr('node_municipality', lang)} {name}",
                "facts": _municipality_story(model, d, lang), "chart": None}
    if kind == "region":
        region = model.geography.departments.index(key)
        return {"title": f"{tr('node_region', lang)} {places.department_label(key)}",
                "facts": [region_facts(model, region, lang)], "chart": None}
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
    return anemia_line(cutoff, float(model.children.hb_altitude_adjustment[slots[0]]))


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
