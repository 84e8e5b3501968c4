"""Place names typed by people, matched to the data's keys (case, accents and spaces ignored)."""

from __future__ import annotations

import difflib
import unicodedata


def plain_name(text) -> str:
    """``text`` upper case without accents or outer spaces ("Junín " -> "JUNIN")."""
    folded = unicodedata.normalize("NFKD", str(text).strip().upper())
    return "".join(c for c in folded if not unicodedata.combining(c))


def suggest(text: str, allowed, n: int = 3) -> list[str]:
    """The allowed names closest to ``text`` (accents and case ignored), best first."""
    keys = {plain_name(a): a for a in allowed}
    return [keys[k] for k in difflib.get_close_matches(plain_name(text), list(keys), n=n,
                                                       cutoff=0.5)]


def match_department(text: str, allowed) -> str:
    """The department key ``text`` names ("Junín", "junin " -> ``JUNIN``).

    Raises:
        ValueError: unknown name, with "did you mean" suggestions and the allowed names.
    """
    key = plain_name(text)
    if key in allowed:
        return key
    close = suggest(text, allowed)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise ValueError(f"unknown department {str(text)[:40]!r}; {hint}allowed (accents and case "
                     f"do not matter): {', '.join(allowed)}")
