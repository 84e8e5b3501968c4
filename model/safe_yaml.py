"""The one YAML loader for every input file (scenarios, included parameters, sweeps).

YAML from a user is data, and a hostile or careless file must be refused before any work,
with a short message, not a traceback or gigabytes of output. ``load_yaml`` enforces, on top
of PyYAML's safe loader (no Python objects):

* a file size limit (``MAX_BYTES``, 1 MB; the largest shipped scenario is about 5 kB);
* a nesting depth limit (``MAX_DEPTH``, checked while composing, so a deeply nested file
  never reaches Python's recursion limit);
* an alias limit: at most ``MAX_ALIASES`` alias uses, and at most ``MAX_NODES`` nodes once
  aliases are expanded (an "alias bomb" of ten nested aliases of ten is 10^10 nodes);
* no duplicate keys in a mapping (PyYAML would keep the last one silently);
* UTF-8 text.

Paths named inside a file (``include:``, ``history:``, a sweep's ``base:``) go through
``contained_path``: they must stay inside the referring file's folder or the project's
``scenarios/`` folder, so a scenario cannot make the simulator read ``/etc/passwd``.

Every problem raises ``ScenarioError`` (a ``ValueError``, re-exported by ``model.config``)
whose message names the file; ``short`` truncates values quoted in messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 1_000_000   # ASSUMPTION: plausibility limit; shipped scenarios are < 10 kB
MAX_DEPTH = 32          # ASSUMPTION: plausibility limit; shipped files nest at most 5 deep
MAX_ALIASES = 100       # ASSUMPTION: plausibility limit; shipped files use none
MAX_NODES = 200_000     # ASSUMPTION: plausibility limit after expanding aliases (1 MB of text
#                         holds at most ~250,000 scalars; an expanded file must not be larger)
SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SHORT = 60              # characters of a value quoted in an error message


class ScenarioError(ValueError):
    """An input file (or a command-line override of it) cannot be used.

    Scenario, sweep, parameter and targets files; the message names the file, the field, the
    value and what is allowed.

    Defined here (the lowest layer) and re-exported by ``model.config``.
    """


def short(value: Any, limit: int = SHORT) -> str:
    """``repr(value)`` cut to ``limit`` characters (with '...'), safe for any value."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails must not hide the real problem
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader with depth, alias and duplicate-key checks during composition."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent, index):
        """Compose one node, refusing excessive depth and alias use."""
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Limit(f"more than {MAX_ALIASES} YAML aliases (*name); allowed: at most "
                             f"{MAX_ALIASES}")
            return Composer.compose_node(self, parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _Limit(f"nesting deeper than {MAX_DEPTH} levels at line {mark.line + 1}; "
                         f"allowed: at most {MAX_DEPTH}")
        try:
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        """A mapping; a key given twice is an error (PyYAML would keep the last)."""
        if isinstance(node, MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if isinstance(key_node, (MappingNode, SequenceNode)):
                    raise _Limit(f"a mapping key at line {key_node.start_mark.line + 1} is a "
                                 "list or mapping; allowed: text or numbers as keys")
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise _Limit(f"key {short(key)} appears twice in one mapping (line "
                                 f"{key_node.start_mark.line + 1}); allowed: each key once")
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_LimitedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                               _LimitedLoader.construct_mapping)


class _Limit(Exception):
    """A limit of the loader was exceeded (turned into ScenarioError with the file name)."""


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """Nodes in ``node`` once aliases are expanded (memoised: aliases share node objects)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if isinstance(node, SequenceNode):
        total = 1 + sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, MappingNode):
        total = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes)
                        for k, v in node.value)
    else:
        total = 1
    sizes[key] = min(total, MAX_NODES + 1)
    return sizes[key]


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML ``text`` within the limits above; ``source`` names it in messages."""
    loader = _LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise _Limit(f"more than {MAX_NODES:,} values once aliases are expanded (an alias "
                         f"bomb?); allowed: at most {MAX_NODES:,}")
        return loader.construct_document(node)
    except _Limit as err:
        raise ScenarioError(f"{source}: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(f"{source}: malformed YAML{where}: {str(problem)[:120]}") from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise ScenarioError(f"{source}: nested too deeply; allowed: at most {MAX_DEPTH} "
                             "levels") from None
    finally:
        loader.dispose()


def read_text(path: Path, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of ``path`` (a ``what`` file), refusing a missing, huge or binary file."""
    if path.exists() and not path.is_file():
        raise ScenarioError(f"{path}: {what} is not a regular file (a folder, device or "
                            "pipe); allowed: the path to a file")
    if not path.is_file():
        raise ScenarioError(f"{path}: {what} not found (allowed: the path to an existing "
                             "file)")
    size = path.stat().st_size
    if size > max_bytes:
        raise ScenarioError(f"{path}: {what} is {size:,} bytes; allowed: at most "
                             f"{max_bytes:,} bytes")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # /proc files report size 0
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read the {what} ({err.strerror})") from None
    if len(data) > max_bytes:
        raise ScenarioError(f"{path}: {what} is larger than {max_bytes:,} bytes; allowed: at "
                             f"most {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: {what} is not UTF-8 text") from None


def load_yaml(path: str | Path, what: str = "YAML file") -> Any:
    """Read and parse a YAML file within the limits of this module.

    Raises:
        ScenarioError: missing, too large, not UTF-8, malformed, too deep, too many aliases
            or a duplicate key; the message names the file.
    """
    path = Path(path)
    return parse_yaml(read_text(path, what), str(path))


def contained_path(referrer: Path, name: Any, field: str) -> Path:
    """The file ``name`` given in ``field`` of ``referrer``, kept inside the allowed folders.

    ``name`` is relative to ``referrer``'s folder (or absolute); once resolved (symbolic
    links and ``..`` followed) it must lie inside that folder or the project's
    ``scenarios/`` folder, and be an existing file.

    Raises:
        ScenarioError: naming ``referrer``, ``field`` and the value.
    """
    if not isinstance(name, str) or not name.strip() or "\x00" in name:
        raise ScenarioError(f"{referrer}: field '{field}' = {short(name)}: allowed: a file "
                             "name (text) relative to this file")
    folder = referrer.resolve().parent
    target = (folder / name).resolve()
    allowed = (folder, SCENARIOS_DIR)
    if not any(target == root or root in target.parents for root in allowed):
        raise ScenarioError(f"{referrer}: field '{field}' = {short(name)} is outside the "
                             f"allowed folders; allowed: files in {folder} or {SCENARIOS_DIR}")
    if not target.is_file():
        raise ScenarioError(f"{referrer}: field '{field}' = {short(name)}, which is not a "
                             f"file (looked for {target})")
    return target
