"""The canonical model of one loaded spec, as every later stage sees it.

A `Spec` is what `load_spec` returns: its documents and resolver (to follow `$ref`s and to
locate any node), and the normalized view built by `normalize.py`: operations keyed by method
and parameter-erased path, with path-level parameters merged in, header names lower-cased and
the effective servers known. Schemas stay as written (with their `$ref`s) and are canonicalized
on demand, so loading a 4 MB spec does not walk every schema node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .model import Location, Where
from .resolve import Resolver


class Node(NamedTuple):
    """A value of the spec and where it really is (after following `$ref`s)."""

    value: Any
    where: Where


@dataclass(slots=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    node: Node
    required: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.location, self.name.lower() if self.location == "header" else self.name)


@dataclass(slots=True)
class Operation:
    method: str  # lower-case, as in the spec
    path: str  # as written, e.g. /pets/{petId}
    key: str  # identity across versions: "get /pets/{}"
    node: Node
    parameters: dict[tuple[str, str], Parameter] = field(default_factory=dict)
    request_body: Node | None = None
    responses: dict[str, Node] = field(default_factory=dict)
    security: Node | None = None  # effective requirement list (operation's, else the global one)
    servers: tuple[str, ...] = ()  # effective server URLs
    url_paths: tuple[str, ...] = ()  # server path + path, parameter names erased
    callbacks: dict[str, Node] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How people write it: `GET /pets/{petId}`."""
        return f"{self.method.upper()} {self.path}"

    @property
    def data(self) -> dict[str, Any]:
        return self.node.value

    @property
    def operation_id(self) -> str | None:
        value = self.node.value.get("operationId")
        return value if isinstance(value, str) else None

    @property
    def deprecated(self) -> bool:
        return self.node.value.get("deprecated") is True

    @property
    def tags(self) -> tuple[str, ...]:
        tags = self.node.value.get("tags") or ()
        return tuple(t for t in tags if isinstance(t, str))


@dataclass
class Spec:
    name: str  # display name of the root file
    version: str  # the `openapi` or `swagger` value as written
    family: str  # "2.0", "3.0" or "3.1"
    resolver: Resolver
    operations: dict[str, Operation] = field(default_factory=dict)
    webhooks: dict[str, Operation] = field(default_factory=dict)
    servers: tuple[str, ...] = ()
    problems: list[Any] = field(default_factory=list)  # validation findings, filled by the loader

    @property
    def root(self) -> Node:
        return Node(self.resolver.documents[self.resolver.root_key].data, Where(self.resolver.root_key, ""))

    @property
    def documents(self) -> dict[str, Any]:
        return self.resolver.documents

    def deref(self, value: Any, where: Where) -> Node:
        value, where = self.resolver.deref(value, where)
        return Node(value, where)

    def child(self, node: Node, *tokens: str | int) -> Node | None:
        """Step into `node` along `tokens`, following `$ref`s on the way; None when absent."""
        value, where = self.resolver.deref(node.value, node.where)
        for token in tokens:
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, list) and isinstance(token, int) and 0 <= token < len(value):
                value = value[token]
            else:
                return None
            where = where.child(token)
            value, where = self.resolver.deref(value, where)
        return Node(value, where)

    def locate(self, where: Where) -> Location:
        return self.resolver.documents[where.doc].locate(where.pointer)
