"""The rule catalog: one Markdown file per rule with YAML front matter.

The front matter (id, level, kind, area, direction, summary, message) is the single source of a
rule's level and message template; the body is its documentation. The catalog feeds
`apiguard rules`, the engine's messages and, later, report rule descriptors. It ships inside the
wheel as `apiguard/catalog`; in a source checkout it is the top-level `rules/` folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .model import Level, RuleMeta


@dataclass(frozen=True)
class Entry:
    meta: RuleMeta
    message: str
    body: str
    path: Path
    front: dict


def catalog_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "catalog"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "rules"


@lru_cache(maxsize=None)
def load_catalog() -> dict[str, Entry]:
    import yaml_rs  # the fast parser: ruamel's pure-Python loader took 0.4 s for the catalog

    entries: dict[str, Entry] = {}
    folder = catalog_dir()
    for path in sorted(folder.glob("*.md")):
        if path.name.upper() == "README.MD":
            continue
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            raise RuntimeError(f"{path}: catalog entries start with YAML front matter between --- lines")
        head, _, body = text[4:].partition("\n---\n")
        front = yaml_rs.loads(head, parse_datetime=False) or {}
        rid = str(front["id"])
        meta = RuleMeta(
            id=rid,
            level=Level.parse(str(front["level"])),
            kind=str(front.get("kind", "compat")),
            summary=str(front.get("summary", "")).strip(),
            area=str(front.get("area", "")),
            direction=str(front.get("direction", "")),
            doc=body.strip(),
        )
        entries[rid] = Entry(
            meta=meta, message=str(front.get("message", "{summary}")).strip(), body=body.strip(), path=path, front=dict(front)
        )
    return entries
