"""The documentation's tables generated from the code: ``python -m model.analysis.doc_tables``.

Two tables in ``docs/`` are views of the parameters' declarations: the parameter table of
``docs/model.md`` (``parameter_table_markdown``) and the uncertain numbers of
``docs/uncertainty.md`` (``draws.distribution_markdown``). Run this module after adding or
changing a parameter or a draw; the tests fail while a table is out of date.
"""

from __future__ import annotations

from pathlib import Path

from model.analysis.draws import distribution_markdown
from model.declare import markdown_table
from model.defaults import DEPARTMENT_ORDER, DEPARTMENT_TERMS, DEPARTMENT_TERMS_CSV, Parameters


def parameter_table_markdown() -> str:
    """The parameter table of ``docs/model.md`` (section 4), from the declarations."""
    def value_text(name: str, value) -> str:
        if name in DEPARTMENT_TERMS:
            return (f"{len(value)} values, `model/data/{DEPARTMENT_TERMS_CSV.name}` (in its row "
                    f"order: {', '.join(DEPARTMENT_ORDER)}; a scenario may give `{{PUNO: 0.01}}` "
                    "instead of the list)")
        return repr(value)

    return markdown_table(Parameters, value_text)


DOCS = Path(__file__).resolve().parents[2] / "docs"
TABLES = {"model.md": parameter_table_markdown, "uncertainty.md": distribution_markdown}


def replace_table(text: str, table: str) -> str:
    """``text`` with the table whose header row is ``table``'s replaced by ``table``."""
    header = table.split("\n", 1)[0]
    start = text.index(header + "\n")
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end
    return text[:start] + table.rstrip("\n") + text[end:]


def current(name: str) -> bool:
    """Whether ``docs/<name>`` holds the table the code makes now."""
    return TABLES[name]().rstrip("\n") in (DOCS / name).read_text(encoding="utf-8")


def main() -> None:
    """Rewrite each generated table in place and say which changed."""
    for name, make in TABLES.items():
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        new = replace_table(text, make())
        if new != text:
            path.write_text(new, encoding="utf-8")
        print(f"docs/{name}: {'updated' if new != text else 'already current'}")


if __name__ == "__main__":
    main()
