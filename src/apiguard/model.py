"""Frozen dataclasses and enums shared by every layer: where a thing is, how bad a finding is,
what changed, and what a rule says about it. Nothing here does I/O or knows about OpenAPI."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# SHA-256 from the interpreter's own module where it has one (CPython: `_sha256` up to 3.11,
# `_sha2` from 3.12): `hashlib` loads OpenSSL, 3.5 MiB of resident memory in every run for
# the few hashes apiguard takes (finding fingerprints, the catalog index check).
try:
    from _sha256 import sha256
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256  # type: ignore[no-redef]
    except ImportError:
        from hashlib import sha256  # type: ignore[no-redef]


class Level(enum.IntEnum):
    """Severity of a finding; ordered so that `level >= Level.WARNING` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def sarif(self) -> str:
        return {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}[self]

    @classmethod
    def parse(cls, text: str) -> "Level":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown level {text!r}; use error, warning or info") from None


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: 1-based line and column, plus the JSON Pointer it stands for."""

    file: str
    line: int
    column: int
    pointer: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Where(NamedTuple):
    """Identity of a node inside a multi-file spec: the document key and the JSON Pointer.
    A NamedTuple, not a dataclass: loading a large spec creates tens of thousands of them."""

    doc: str
    pointer: str

    def child(self, *tokens: str | int) -> "Where":
        p = self.pointer
        for t in tokens:
            p += "/" + escape_token(str(t))
        return Where(self.doc, p)


def escape_token(token: str) -> str:
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON Pointer must start with '/': {pointer!r}")
    return [unescape_token(t) for t in pointer[1:].split("/")]


def join_pointer(tokens: list[str]) -> str:
    return "".join("/" + escape_token(str(t)) for t in tokens)


@dataclass(frozen=True)
class Change:
    """A neutral structural difference between two specs. It never says whether it breaks.

    `kind` names what differs (`operation.removed`, `schema.enum.removed`, ...); `direction`
    says which way the data flows where it differs (`request`: client to server, `response`:
    server to client; webhook and callback payloads count as responses); `subject` is what a
    person calls the changed thing (`query parameter limit`, `Pet.owner.name`); `operations`
    lists every operation that reaches it, so a change in a shared component is one change.
    """

    kind: str
    operation: str | None
    old: Where | None
    new: Where | None
    old_value: Any = None
    new_value: Any = None
    details: tuple[tuple[str, Any], ...] = ()
    direction: str = ""
    subject: str = ""
    operations: tuple[str, ...] = ()

    def detail(self, key: str, default: Any = None) -> Any:
        for k, v in self.details:
            if k == key:
                return v
        return default


@dataclass(frozen=True)
class RuleMeta:
    """What the catalog says about a rule."""

    id: str
    level: Level
    kind: str  # "compat" (judges changes) or "lint" (judges one spec)
    summary: str
    area: str = ""
    direction: str = ""
    doc: str = ""
    help_uri: str = ""  # where the rule is documented; catalog rules default to the project docs


@dataclass(frozen=True)
class Finding:
    """One verdict of one rule, located in the files a reader can open."""

    rule: str
    level: Level
    message: str
    location: Location | None = None
    old_location: Location | None = None
    operations: tuple[str, ...] = ()
    fingerprint: str = ""
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)


def fingerprint(rule: str, *parts: str) -> str:
    """Stable across line shifts and message rewording: rule + identities, never positions."""
    digest = sha256("\x1f".join((rule, *parts)).encode("utf-8")).hexdigest()
    return digest[:32]
