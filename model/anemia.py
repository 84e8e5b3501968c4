"""The anemia rule, written once.

A child is anemic when its hemoglobin minus the altitude adjustment of its definition is below
the cut-off for its age (``dynamics.anemia_cutoff_by_age``). The functions take scalars or
numpy arrays; ``model/kernels.py`` compiles the same functions into its per-child loops.
"""


def adjusted_hb(hb, adjustment):
    """Hb as the survey reads it: measured Hb minus the altitude adjustment (g/dL)."""
    return hb - adjustment


def is_anemic(hb, adjustment, cutoff):
    """Whether Hb, once adjusted for altitude (``adjusted_hb``), is below the cut-off."""
    return hb - adjustment < cutoff


def anemia_line(cutoff, adjustment):
    """The measured Hb below which a child is anemic (the rule solved for Hb)."""
    return cutoff + adjustment
