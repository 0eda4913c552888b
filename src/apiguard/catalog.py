"""The rule catalog: one Markdown file per rule with YAML front matter.

The front matter (id, level, kind, area, direction, summary, message) is the single source of a
rule's level and message template; the body is its documentation. The catalog feeds
`apiguard rules`, the engine's messages and, later, report rule descriptors. It ships inside the
wheel as `apiguard/catalog`; in a source checkout it is the top-level `rules/` folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .model import Level, RuleMeta, sha256


@dataclass(frozen=True)
class Entry:
    meta: RuleMeta  # its `doc` is empty: the body is read when asked for (see RuleDocs)
    message: str
    path: Path
    front: dict

    @property
    def body(self) -> str:
        """The entry's documentation, read from its file: a run shows few of the 144 (the
        rules its report names), and keeping them all took 0.2 MiB of every run."""
        return _split(self.path, self.path.read_text(encoding="utf-8"))[1].strip()


class RuleDocs(Mapping[str, RuleMeta]):
    """Rule ID -> what the catalog says about the rule, with its documentation (`doc`) read
    from the entry's file when the rule is first looked up."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self._entries = entries
        self._read: dict[str, RuleMeta] = {}

    def __getitem__(self, rule: str) -> RuleMeta:
        meta = self._read.get(rule)
        if meta is None:
            entry = self._entries[rule]
            meta = self._read[rule] = replace(entry.meta, doc=entry.body)
        return meta

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def catalog_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "catalog"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "rules"


INDEX = "index.json"


@lru_cache(maxsize=None)
def load_catalog() -> dict[str, Entry]:
    return read_catalog(catalog_dir())


def read_catalog(folder: Path) -> dict[str, Entry]:
    texts = _entry_texts(folder)
    digest = _digest(texts)
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = None
    if isinstance(index, dict) and index.get("digest") == digest:
        fronts = index["fronts"]
    else:  # no index, or one older than the entries: read the front matter itself
        fronts = {name: _front_matter(folder / name, text) for name, text in texts.items()}
    return {e.meta.id: e for e in (_entry(folder / name, fronts[name]) for name in texts)}


def write_index(folder: Path | None = None) -> Path:
    """Write `index.json` beside the entries: their front matter, already parsed, and the digest
    of the texts it was read from. With a current index a run never loads a YAML parser for the
    catalog (for a JSON spec, never at all: 6 MB of memory); a stale one is ignored."""
    folder = folder or catalog_dir()
    texts = _entry_texts(folder)
    fronts = {name: _front_matter(folder / name, text) for name, text in texts.items()}
    path = folder / INDEX
    path.write_text(json.dumps({"digest": _digest(texts), "fronts": fronts}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _entry_texts(folder: Path) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.glob("*.md"))
        if path.name.upper() != "README.MD"
    }


def _digest(texts: dict[str, str]) -> str:
    h = sha256()
    for name, text in texts.items():
        h.update(name.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()


def _split(path: Path, text: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        raise RuntimeError(f"{path}: catalog entries start with YAML front matter between --- lines")
    head, _, body = text[4:].partition("\n---\n")
    return head, body


def _front_matter(path: Path, text: str) -> dict:
    import yaml_rs  # the fast parser: ruamel's pure-Python loader took 0.4 s for the catalog

    return dict(yaml_rs.loads(_split(path, text)[0], parse_datetime=False) or {})


def _entry(path: Path, front: dict) -> Entry:
    meta = RuleMeta(
        id=str(front["id"]),
        level=Level.parse(str(front["level"])),
        kind=str(front.get("kind", "compat")),
        summary=str(front.get("summary", "")).strip(),
        area=str(front.get("area", "")),
        direction=str(front.get("direction", "")),
    )
    return Entry(meta=meta, message=str(front.get("message", "{summary}")).strip(), path=path, front=front)


if __name__ == "__main__":  # python -m apiguard.catalog: refresh the index after editing an entry
    print(write_index())


def suggestions(typed: str, names: Iterable[str], shown: int = 6) -> str | None:
    """What a mistyped rule ID may have meant, for a hint: the names that start with what was
    typed, then those containing it, then look-alikes; None when nothing is close."""
    import difflib

    ids = sorted(names)
    close = [r for r in ids if r.startswith(typed)]
    close += [r for r in ids if r not in close and (typed in r or r in typed)]
    close += [r for r in difflib.get_close_matches(typed, ids, n=3, cutoff=0.75) if r not in close]
    if not close:
        return None
    return ", ".join(close[:shown]) + (f" (and {len(close) - shown} more)" if len(close) > shown else "")
