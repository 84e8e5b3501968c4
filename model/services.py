"""Health-post services that several programs share: CRED contacts and treatment seeking.

Programs do not see children themselves; in step 3 they *ask*: a family that wants a CRED
contact sets ``children.cred_request``. After every program has run, ``serve_cred``
rations each post's monthly capacity among the requests of its catchment (a full post turns
families away, who then stay away for a while, unless a neighbouring district's staffed post
has room: network.cross_border_care), records who was seen, counts the contacts'
cost under ``cost:cred`` (whichever program brought the family), and delivers what the
running programs attach to a contact (feeding counselling, iron drops).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import network
from model.dynamics import AGE_OFFSET, TABLE_SIZE
from model.program_outputs import State

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

# The health services' arrays (added by the model with the programs' own, program_outputs.py).
STATES = (
    State("households", "discouraged_until", np.int32, -10_000,
          "turned away at a full post: stays away until this step"),
    State("children", "cred_request", bool, False, "the family seeks a CRED contact this month"),
    State("children", "cred_due", bool, False, "a CRED visit is due this month (schedule)"),
    State("children", "cred_seen", bool, False, "seen at CRED this month"),
    State("children", "cred_due_last", bool, False, "a CRED visit was due last month"),
    State("children", "cred_seen_last", bool, False, "seen at CRED last month"),
    State("children", "last_cred_step", np.int32, -10_000, "step of the last CRED contact"),
)
# National figures the services report besides the CRED contacts' cost.
OUTPUTS = {"cross_border_contacts": "CRED contacts given across a district border (real)"}

# CRED visits due by month of age: 2 in the first month, 6 in the first year, 10 between ages
# one and four (program documents, DESIGN.md §9), spread evenly.
CRED_DUE_AGES = (0, 0, 2, 4, 6, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 47)


def cred_due_table(due_ages=CRED_DUE_AGES) -> np.ndarray:
    """Visits due at each month of age (index age + AGE_OFFSET)."""
    table = np.zeros(TABLE_SIZE, dtype=np.int8)
    for age in due_ages:
        table[age + AGE_OFFSET] += 1
    return table


def low_birth_weight_by_anc(params) -> tuple[float, float]:
    """P(low birth weight) with and without antenatal care.

    Chosen so that the population average is ``low_birth_weight_share`` (C6c) when
    ``anc_baseline_share`` of births had care, and the odds without care are
    ``lbw_odds_ratio_no_anc`` (C6d) times the odds with care.
    """
    target, share, ratio = (params.low_birth_weight_share, params.anc_baseline_share,
                            params.lbw_odds_ratio_no_anc)
    lo, hi = 1e-6, target
    for _ in range(60):
        p_care = (lo + hi) / 2
        odds = ratio * p_care / (1 - p_care)
        p_none = odds / (1 + odds)
        if share * p_care + (1 - share) * p_none > target:
            hi = p_care
        else:
            lo = p_care
    p_care = (lo + hi) / 2
    odds = ratio * p_care / (1 - p_care)
    return p_care, odds / (1 + odds)


def attendance_probability(model: "ECDModel", children: np.ndarray, base: float) -> np.ndarray:
    """Chance that the families of ``children`` go to a due visit, given ``base``.

    Falls with distance to the post (exp(-km / attendance_distance_km)) and with recent
    discouragement (turned away at a full post); programs change it through the effect
    ``cred_attendance`` (SMS reminders raise it; the child registry lowers it for a child it
    misses).
    """
    p, hh = model.params, model.households
    home = model.children.household[children]
    prob = base * distance_decay(model)[home] * model.effects.read("cred_attendance", children)
    discouraged = hh.discouraged_until[home] >= model.steps
    return np.minimum(1.0, np.where(discouraged, prob * p.discouraged_attendance_factor, prob))


def distance_decay(model: "ECDModel") -> np.ndarray:
    """exp(-km / attendance_distance_km) of every household (kept: distances never change)."""
    scale_km = model.params.attendance_distance_km
    kept = getattr(model, "_distance_decay", None)
    if kept is None or kept[0] != scale_km:
        kept = model._distance_decay = (scale_km,
                                        np.exp(-model.households.distance_km / scale_km))
    return kept[1]


def post_capacity(model: "ECDModel") -> np.ndarray:
    """CRED contacts (real children) each post can give this month (HealthPost.capacity).

    Effects: ``cred_capacity`` (the CRED budget, every post) and ``post_capacity`` (what a
    region's FED effort adds, per post); 1 without them.
    """
    posts, p, effects = model.posts, model.params, model.effects
    workers = posts.staff + posts.serums_staff
    return (workers * p.contacts_per_worker_month * effects.read("cred_capacity")
            * p.cred_share_of_capacity * effects.read("post_capacity"))


def post_counselling(model: "ECDModel") -> np.ndarray:
    """Each post's counselling quality (HealthPost.counselling_multiplier)."""
    return np.where(model.posts.serums_staff != 0, model.effects.read("serums_counselling"),
                    1.0)


def post_demand(model: "ECDModel", post: np.ndarray) -> np.ndarray:
    """Real children asking each post for a contact this month, estimated scale-free.

    A simulated child stands for ``scale`` real ones, so the raw count of requests at a post
    comes in lumps of ``scale``: at scale 200 a post whose 360 real children make about 20
    requests a month sees either 0 or 200, and rationing ``min(1, capacity / demand)`` on
    those lumps turns most families away (the package's effect then shrank with scale).
    Instead each post's request *rate* (requests per simulated child) is estimated with its
    department's rate as a prior worth ``DEMAND_PRIOR_CHILDREN`` simulated children, and
    multiplied by the post's real children under five (from the district's population, not
    from the agent count). ``post`` holds the post of each request.
    """
    n_posts = model.posts.size
    requests = np.bincount(post, minlength=n_posts).astype(np.float64)
    agents = model.posts.agents
    dept = model.posts.department
    n_dept = int(dept.max()) + 1 if n_posts else 0
    dept_rate = (np.bincount(dept, weights=requests, minlength=n_dept)
                 / np.maximum(1, np.bincount(dept, weights=agents, minlength=n_dept)))
    rate = (requests + DEMAND_PRIOR_CHILDREN * dept_rate[dept]) / (agents + DEMAND_PRIOR_CHILDREN)
    return rate * model.posts.real_children


# Weight (in simulated children) of the department's request rate in each post's estimate;
# ASSUMPTION: a post with fewer simulated children than this leans mostly on its department.
DEMAND_PRIOR_CHILDREN = 20.0


def serve_cred(model: "ECDModel") -> int:
    """Ration CRED requests by post capacity; return the number of children seen."""
    kids, hh = model.children, model.households
    requests = np.flatnonzero(kids.cred_request)
    if len(requests) == 0:
        return 0
    rng = model.streams["services"]
    post = hh.health_post[kids.household[requests]]
    demand = post_demand(model, post)
    capacity = post_capacity(model)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_served = np.where(demand > 0, np.minimum(1.0, capacity / demand), 1.0)
    seen = rng.random(len(requests)) < share_served[post]
    model.posts.contacts_used += model.outputs.real(np.bincount(post[seen],
                                                              minlength=model.posts.size))
    # families turned away (or without a worker at their post) may cross a border
    unserved = np.flatnonzero(~seen)
    across = network.cross_border_care(model, requests[unserved], post[unserved], capacity,
                                       model.posts.contacts_used)
    seen[unserved[across]] = True
    model.outputs.set_figure("cross_border_contacts",
                             float(model.outputs.real(np.count_nonzero(across))))
    served = requests[seen]
    kids.cred_seen[served] = True
    kids.last_cred_step[served] = model.steps
    turned_away = kids.household[requests[~seen]]
    hh.discouraged_until[turned_away] = model.steps + model.params.discouraged_months
    model.outputs.add_cost("cred", model.outputs.real(len(served))
                           * model.params.cost_per_cred_contact)
    model.effects.read("at_cred_contact", served)  # what programs give at the contact
    return len(served)


def counselled_feeding(model: "ECDModel", households: np.ndarray, adoption: np.ndarray,
                       rng: np.random.Generator) -> int:
    """Households with inadequate feeding adopt adequate feeding with prob ``adoption``.

    ``rng`` is the counselling program's stream. Returns the number that changed; their
    children's risk is refreshed.
    """
    hh = model.households
    candidates = households[~hh.adequate_feeding[households]]
    if len(candidates) == 0:
        return 0
    adopt = rng.random(len(candidates)) < np.broadcast_to(
        adoption, households.shape)[~hh.adequate_feeding[households]]
    changed = np.unique(candidates[adopt])
    hh.adequate_feeding[changed] = True
    model.refresh_household_risk(changed)
    return len(changed)
