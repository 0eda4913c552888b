"""`compare(old, new) -> list[Change]`: a neutral structural diff of two normalized specs.

Everything is matched by identity, never by text: operations by method + parameter-erased path
(or, when a server prefix moved into the paths, by effective URL), parameters by location and
name (path parameters by their position in the template, so a rename is no change), media types,
status codes, header names case-insensitively, `enum`, `required` and scopes as sets.

Schemas are compared as effective views (`schemaview.py`: refs followed, `allOf` merged,
nullability folded) with memoization on the (old node, new node, direction) pair: a shared
component is compared once however many operations reach it, recursion terminates, and each
difference inside it becomes one `Change` that lists every operation reaching it. This module
only says what differs; whether that breaks clients is for the rules.
"""

from __future__ import annotations

import json
from itertools import chain
from dataclasses import dataclass, field
from typing import Any, Iterable

from .model import Change, Where
from .normalize import HTTP_METHODS, path_item_operations, path_key, server_path, template_names
from .schemaview import (
    LOWER_BOUNDS,
    UPPER_BOUNDS,
    SchemaView,
    Viewer,
)
from .spec import Node, Operation, Spec

REQUEST, RESPONSE = "request", "response"
FLIP = {REQUEST: RESPONSE, RESPONSE: REQUEST}
_BOUNDS = set(LOWER_BOUNDS) | set(UPPER_BOUNDS)
_FLAGS = frozenset(("readOnly", "writeOnly", "deprecated", "uniqueItems"))


@dataclass(slots=True)
class _Rec:
    kind: str
    direction: str
    old: Where | None
    new: Where | None
    old_value: Any
    new_value: Any
    details: tuple[tuple[str, Any], ...]
    subject: str
    operations: dict[str, None] = field(default_factory=dict)  # ordered set


_Pair = tuple  # (old Where, new Where, direction)
_NO_REFS: tuple[str, ...] = ()


@dataclass(slots=True)
class _PairInfo:
    """One compared pair. Most of a diff's 4,500 pairs (Stripe) have no changes, no operation
    of their own and no children, so each container is made when its first item comes."""

    recs: list[_Rec] | tuple[()] = ()
    children: list["_PairInfo"] | tuple[()] = ()
    operations: dict[str, None] | None = None


def compare(old: Spec, new: Spec) -> list[Change]:
    return Differ(old, new).run()


class Differ:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old, self.new = old, new
        pointers: dict[str, str] = {}
        self.vo, self.vn = Viewer(old, pointers), Viewer(new, pointers)
        self._recs: dict[tuple[Any, ...], _Rec] = {}
        # The pair graph: each compared (old, new, direction) pair, the changes found directly in
        # it and the pairs it reached. Operations are attributed once, at the end, by walking it.
        self._pairs: dict[_Pair, _PairInfo] = {}
        self._stack: list[_PairInfo] = []
        # Mapping (by id) -> the `$ref` strings below it, sorted: a tuple takes a fifth of a
        # frozenset's memory, and the sets are only ever walked through.
        self._ref_sets: dict[int, tuple[str, ...]] = {}
        self._set_of: dict[tuple[str, ...], tuple[str, ...]] = {}
        # Pairs of reference targets (old Where, new Where): True when the two differ somewhere
        # below, following references; None while being explored.
        self._dirty: dict[tuple[Where, Where], bool | None] = {}
        self._op = ""

    # -- recording -----------------------------------------------------------------------
    def add(
        self,
        kind: str,
        direction: str,
        old: Where | None,
        new: Where | None,
        subject: str = "",
        old_value: Any = None,
        new_value: Any = None,
        **details: Any,
    ) -> _Rec:
        det = tuple(sorted(details.items()))
        key = (kind, direction, self._source(self.old, old), self._source(self.new, new), _hashable(old_value), _hashable(new_value), _hashable(det))
        rec = self._recs.get(key)
        if rec is None:
            rec = self._recs[key] = _Rec(kind, direction, old, new, old_value, new_value, det, subject)
        if self._stack:
            top = self._stack[-1]
            if top.recs:
                top.recs.append(rec)  # type: ignore[union-attr]
            else:
                top.recs = [rec]
        elif self._op:
            rec.operations[self._op] = None
        return rec

    @staticmethod
    def _source(spec: Spec, where: Where | None) -> Any:
        """Where a node's text is: a converted Swagger 2.0 spec copies one schema into every
        media type of `produces`, and a change in it is one change, not one per copy."""
        if where is None:
            return None
        doc = spec.documents.get(where.doc)
        if doc is None or not doc.origins:
            return where
        return (where.doc, doc.source_pointer(where.pointer))

    def run(self) -> list[Change]:
        self._operations(self.old.operations, self.new.operations, flipped=False)
        self._operations(self.old.webhooks, self.new.webhooks, flipped=True)
        self._op = ""
        self._security_schemes()
        self._server_variables()
        self._attribute()
        for info in self._pairs.values():
            info.children = ()  # recursive schemas make the pair graph cyclic: the CLI has no GC
        # Operations in the spec's order (the new version's paths as written, methods in
        # OpenAPI's order; then the old version's; then callbacks by name), not in the order the
        # walk reached them: the first operation names a finding and enters its fingerprint.
        rank: dict[str, int] = {}
        for op in chain(self.new.operations.values(), self.new.webhooks.values(), self.old.operations.values(), self.old.webhooks.values()):
            rank.setdefault(op.label, len(rank))
        last = len(rank)
        out = []
        for rec in self._recs.values():
            ops = tuple(sorted(rec.operations, key=lambda op: (rank.get(op, last), op)))
            out.append(
                Change(
                    kind=rec.kind,
                    operation=ops[0] if ops else None,
                    old=rec.old,
                    new=rec.new,
                    old_value=rec.old_value,
                    new_value=rec.new_value,
                    details=rec.details,
                    direction=rec.direction,
                    subject=rec.subject,
                    operations=ops,
                )
            )
        return out

    # -- operations ------------------------------------------------------------------------
    def _operations(self, old_ops: dict[str, Operation], new_ops: dict[str, Operation], flipped: bool) -> None:
        by_url = {(op.method, u): op for op in new_ops.values() for u in op.url_paths}
        matched: dict[str, Operation] = {}
        for key, op in old_ops.items():
            twin = new_ops.get(key)
            if twin is None:
                # The server prefix may have moved into the paths: same URL, new template.
                twin = next((by_url[(op.method, u)] for u in op.url_paths if (op.method, u) in by_url), None)
                if twin is not None and twin.key in old_ops:
                    twin = None
            if twin is None:
                self._op = op.label
                self.add(
                    "operation.removed",
                    "",
                    op.node.where,
                    _surviving_path(self.new, op.path, webhook=flipped),
                    op.label,
                    old_value=op.deprecated,
                    sunset=op.data.get("x-sunset"),
                    stability=op.data.get("x-stability-level"),
                    webhook=flipped,
                )
                continue
            matched[twin.key] = op
            self._op = twin.label
            self._operation(op, twin, flipped)
        for key, op in new_ops.items():
            if key not in matched:
                self._op = op.label
                self.add("operation.added", "", None, op.node.where, op.label, webhook=flipped)
        # An operationId that now names another endpoint: generated SDK methods change meaning.
        # Only ids that name one operation on each side can be said to move.
        old_count = _counts(op.operation_id for op in old_ops.values())
        new_count = _counts(op.operation_id for op in new_ops.values())
        old_ids = {op.operation_id: op for op in old_ops.values() if op.operation_id and old_count[op.operation_id] == 1}
        for op in new_ops.values():
            was = old_ids.get(op.operation_id) if op.operation_id and new_count[op.operation_id] == 1 else None
            if was is not None and was.key != op.key and matched.get(op.key) is not was:
                if op.key in matched or was.key in new_ops:
                    self._op = op.label
                    self.add(
                        "operation.id.moved",
                        "",
                        was.node.where.child("operationId"),
                        op.node.where.child("operationId"),
                        op.operation_id or "",
                        old_value=was.label,
                        new_value=op.label,
                    )

    def _operation(self, o: Operation, n: Operation, flipped: bool) -> None:
        req, resp = (RESPONSE, REQUEST) if flipped else (REQUEST, RESPONSE)
        od, nd = o.data, n.data
        ow, nw = o.node.where, n.node.where
        def at(where: Where, data: dict[str, Any], key: str) -> Where:
            return where.child(key) if key in data else where

        if o.operation_id != n.operation_id:
            self.add("operation.id.changed", "", at(ow, od, "operationId"), at(nw, nd, "operationId"), n.label, o.operation_id, n.operation_id)
        if o.deprecated != n.deprecated:
            self.add("operation.deprecated.changed", "", at(ow, od, "deprecated"), at(nw, nd, "deprecated"), n.label, o.deprecated, n.deprecated)
        if set(o.tags) != set(n.tags):
            gone = [t for t in o.tags if t not in n.tags]
            came = [t for t in n.tags if t not in o.tags]
            if gone:
                self.add("operation.tags.removed", "", at(ow, od, "tags"), at(nw, nd, "tags"), n.label, gone, None)
            if came:
                self.add("operation.tags.added", "", at(ow, od, "tags"), at(nw, nd, "tags"), n.label, None, came)
        for key in ("x-sunset", "x-stability-level"):
            if od.get(key) != nd.get(key):
                self.add(f"operation.{key}.changed", "", at(ow, od, key), at(nw, nd, key), n.label, od.get(key), nd.get(key))
        if set(o.url_paths).isdisjoint(n.url_paths) or not _hosts(o) <= _hosts(n):
            self.add("operation.url.changed", "", ow, nw, n.label, list(o.url_paths), list(n.url_paths), old_servers=list(o.servers), new_servers=list(n.servers))
        self._parameters(o, n, req)
        self._request_body(o, n, req)
        self._responses(o, n, resp)
        self._security(o, n)
        self._callbacks(o, n)

    # -- parameters ------------------------------------------------------------------------
    def _param_ids(self, op: Operation) -> dict[tuple[str, str], Any]:
        # Positions count in the whole URL template: a segment may move into the server URL.
        server = op.servers[0] if op.servers else ""
        names = template_names(server_path(server) + op.path)
        out = {}
        for (loc, name), param in op.parameters.items():
            if loc == "path" and name in names:
                out[("path", f"#{names.index(name)}")] = param
            else:
                out[(loc, name)] = param
        return out

    def _parameters(self, o: Operation, n: Operation, direction: str) -> None:
        old_p, new_p = self._param_ids(o), self._param_ids(n)
        removed = {k: p for k, p in old_p.items() if k not in new_p}
        added = {k: p for k, p in new_p.items() if k not in old_p}
        for rk, rp in list(removed.items()):
            for ak, ap in list(added.items()):
                if ap.name.lower() == rp.name.lower() and ap.location != rp.location:
                    self.add(
                        "parameter.moved", direction, rp.node.where, ap.node.where, f"{rp.location} parameter {rp.name}",
                        rp.location, ap.location, name=rp.name,
                    )
                    del removed[rk], added[ak]
                    break
        for rp in removed.values():
            self.add(
                "parameter.removed", direction, rp.node.where, n.node.where, f"{rp.location} parameter {rp.name}",
                location=rp.location, name=rp.name, required=rp.required, deprecated=rp.node.value.get("deprecated") is True,
                sunset=rp.node.value.get("x-sunset"),
            )
        for ap in added.values():
            self.add(
                "parameter.added", direction, None, ap.node.where, f"{ap.location} parameter {ap.name}",
                location=ap.location, name=ap.name, required=ap.required,
            )
        for key, op_ in old_p.items():
            np_ = new_p.get(key)
            if np_ is None:
                continue
            subject = f"{np_.location} parameter {np_.name}"
            ov, nv = op_.node.value, np_.node.value
            if op_.required != np_.required:
                self.add("parameter.required.changed", direction, op_.node.where, np_.node.where, subject, op_.required, np_.required, location=np_.location)
            for attr in ("style", "explode", "allowEmptyValue", "allowReserved", "x-collectionFormat"):
                a, b = _param_default(op_.location, attr, ov), _param_default(np_.location, attr, nv)
                if a != b:
                    self.add(f"parameter.{attr}.changed", direction, op_.node.where, np_.node.where, subject, a, b, location=np_.location)
            if ov.get("deprecated") is not True and nv.get("deprecated") is True:
                self.add("parameter.deprecated", direction, op_.node.where, np_.node.where, subject, location=np_.location)
            self._schema_or_content(op_.node, np_.node, direction, subject)

    def _schema_or_content(self, o: Node, n: Node, direction: str, subject: str) -> None:
        os_, ns_ = o.value.get("schema"), n.value.get("schema")
        if os_ is not None and ns_ is not None:
            self.schema(Node(os_, o.where.child("schema")), Node(ns_, n.where.child("schema")), direction, subject)
        oc, nc = o.value.get("content"), n.value.get("content")
        if isinstance(oc, dict) and isinstance(nc, dict):
            self._content(Node(oc, o.where.child("content")), Node(nc, n.where.child("content")), direction, subject, o.where, n.where)

    # -- bodies ----------------------------------------------------------------------------
    def _request_body(self, o: Operation, n: Operation, direction: str) -> None:
        ob, nb = o.request_body, n.request_body
        subject = "request body"
        if ob is None and nb is None:
            return
        if ob is None:
            self.add("request-body.added", direction, None, nb.where, subject, required=nb.value.get("required") is True)  # type: ignore[union-attr]
            return
        if nb is None:
            self.add("request-body.removed", direction, ob.where, n.node.where, subject)
            return
        oreq, nreq = ob.value.get("required") is True, nb.value.get("required") is True
        if oreq != nreq:
            self.add("request-body.required.changed", direction, ob.where, nb.where, subject, oreq, nreq)
        oc, nc = ob.value.get("content"), nb.value.get("content")
        if isinstance(oc, dict) and isinstance(nc, dict):
            self._content(Node(oc, ob.where.child("content")), Node(nc, nb.where.child("content")), direction, subject, ob.where, nb.where)

    def _content(self, oc: Node, nc: Node, direction: str, subject: str, oparent: Where, nparent: Where) -> None:
        old_media = {str(k).lower(): k for k in oc.value}
        new_media = {str(k).lower(): k for k in nc.value}
        for m in _only(old_media, new_media):
            self.add("media-type.removed", direction, oc.where.child(old_media[m]), nc.where, f"{subject} {m}", media=m, owner=subject)
        for m in _only(new_media, old_media):
            self.add("media-type.added", direction, None, nc.where.child(new_media[m]), f"{subject} {m}", media=m, owner=subject)
        for m in _common(new_media, old_media):  # in the new file's order: the first sets the subject
            om = self.old.deref(oc.value[old_media[m]], oc.where.child(old_media[m]))
            nm = self.new.deref(nc.value[new_media[m]], nc.where.child(new_media[m]))
            if isinstance(om.value, dict) and isinstance(nm.value, dict):
                os_, ns_ = om.value.get("schema"), nm.value.get("schema")
                if os_ is not None and ns_ is not None:
                    self.schema(Node(os_, om.where.child("schema")), Node(ns_, nm.where.child("schema")), direction, f"{subject} ({m})")
                elif os_ is not None and ns_ is None:
                    self.add("schema.removed", direction, om.where.child("schema"), nm.where, f"{subject} ({m})")

    # -- responses -------------------------------------------------------------------------
    def _responses(self, o: Operation, n: Operation, direction: str) -> None:
        for code in _only(o.responses, n.responses):
            self.add(
                "response.removed", direction, o.responses[code].where, n.node.where.child("responses") if n.responses else n.node.where,
                f"response {code}", status=code,
            )
        for code in _only(n.responses, o.responses):
            self.add("response.added", direction, None, n.responses[code].where, f"response {code}", status=code)
        for code in _common(o.responses, n.responses):
            orr, nr = o.responses[code], n.responses[code]
            if not isinstance(orr.value, dict) or not isinstance(nr.value, dict):
                continue
            # The schema shortcut one level up: an equal response whose references lead to
            # equal nodes holds no change (most of a multi-file spec's shared responses).
            if orr.value == nr.value and self._same_below(orr.value, orr.where, nr.where):
                continue
            subject = f"response {code}"
            # Equal responses (references compared by name) cannot have been replaced wholesale.
            if orr.value != nr.value and self._repurposed(orr, nr, code, direction):
                continue
            oc, nc = orr.value.get("content"), nr.value.get("content")
            if isinstance(oc, dict) and isinstance(nc, dict):
                self._content(Node(oc, orr.where.child("content")), Node(nc, nr.where.child("content")), direction, subject, orr.where, nr.where)
            elif isinstance(oc, dict) and oc and not nc:
                # The whole body is gone: one change for the response, not one per media type.
                self.add("schema.removed", direction, orr.where.child("content"), nr.where, f"{subject} body", media=", ".join(map(str, oc)))
            elif isinstance(nc, dict) and nc and not oc:
                self.add("schema.added", direction, orr.where, nr.where.child("content"), f"{subject} body", media=", ".join(map(str, nc)))
            self._headers(orr, nr, direction, subject)
            ol, nl = orr.value.get("links") or {}, nr.value.get("links") or {}
            if isinstance(ol, dict) and isinstance(nl, dict):
                for name in _only(ol, nl):
                    self.add("link.removed", direction, orr.where.child("links", name), nr.where, f"{subject} link {name}", name=name)
                for name in _only(nl, ol):
                    self.add("link.added", direction, None, nr.where.child("links", name), f"{subject} link {name}", name=name)

    def _headers(self, orr: Node, nr: Node, direction: str, subject: str) -> None:
        oh = {str(k).lower(): k for k in (orr.value.get("headers") or {})}
        nh = {str(k).lower(): k for k in (nr.value.get("headers") or {})}
        for h in _only(oh, nh):
            node = self.old.deref(orr.value["headers"][oh[h]], orr.where.child("headers", oh[h]))
            self.add(
                "header.removed", direction, node.where, nr.where, f"{subject} header {oh[h]}", name=oh[h],
                required=isinstance(node.value, dict) and node.value.get("required") is True,
            )
        for h in _only(nh, oh):
            node = self.new.deref(nr.value["headers"][nh[h]], nr.where.child("headers", nh[h]))
            self.add("header.added", direction, None, node.where, f"{subject} header {nh[h]}", name=nh[h])
        for h in _common(oh, nh):
            on = self.old.deref(orr.value["headers"][oh[h]], orr.where.child("headers", oh[h]))
            nn = self.new.deref(nr.value["headers"][nh[h]], nr.where.child("headers", nh[h]))
            if not isinstance(on.value, dict) or not isinstance(nn.value, dict):
                continue
            hs = f"{subject} header {nh[h]}"
            oreq, nreq = on.value.get("required") is True, nn.value.get("required") is True
            if oreq != nreq:
                self.add("header.required.changed", direction, on.where, nn.where, hs, oreq, nreq, name=nh[h])
            self._schema_or_content(on, nn, direction, hs)

    def _repurposed(self, orr: Node, nr: Node, code: str, direction: str) -> bool:
        """A success response whose object schema was replaced wholesale: a different resource
        now answers at this endpoint. Reported as one change instead of dozens."""
        if not code.startswith("2"):
            return False
        old_props = self._json_props(self.old, self.vo, orr)
        new_props = self._json_props(self.new, self.vn, nr)
        if old_props is None or new_props is None:
            return False
        if len(old_props) >= 3 and len(new_props) >= 3 and not (old_props & new_props):
            self.add(
                "operation.repurposed", direction, orr.where, nr.where, f"response {code}",
                sorted(old_props)[:6], sorted(new_props)[:6], status=code,
            )
            return True
        return False

    def _json_props(self, spec: Spec, viewer: Viewer, resp: Node) -> set[str] | None:
        content = resp.value.get("content")
        if not isinstance(content, dict):
            return None
        for media, mt in content.items():
            if "json" in str(media).lower() and isinstance(mt, dict) and "schema" in mt:
                mtn = spec.deref(mt, resp.where.child("content", str(media)))
                view = viewer.view(Node(mtn.value["schema"], mtn.where.child("schema")))
                if view.one_of or view.any_of:
                    return None
                return set(view.properties)
        return None

    # -- security --------------------------------------------------------------------------
    def _security(self, o: Operation, n: Operation) -> None:
        old_alts = _alternatives(o.security.value if o.security else None)
        new_alts = _alternatives(n.security.value if n.security else None)
        ow = o.security.where if o.security else o.node.where
        nw = n.security.where if n.security else n.node.where
        for alt in old_alts:
            if any(_satisfies(alt, b) for b in new_alts):
                continue
            # What would this client now have to add? The closest new alternative says.
            best = min(new_alts, key=lambda b: len(_missing(alt, b))) if new_alts else {}
            missing = _missing(alt, best)
            scopes_only = all(s in alt for s in missing)
            self.add(
                "security.scope.added" if scopes_only else "security.requirement.added", "", ow, nw, "security",
                _describe_alt(alt), _describe_alt(best), missing=tuple(sorted((k, tuple(sorted(v))) for k, v in missing.items())),
            )
        removed = [a for a in old_alts if a and not any(a == b for b in new_alts)]
        if removed and all(any(_satisfies(a, b) for b in new_alts) for a in old_alts):
            self.add("security.requirement.removed", "", ow, nw, "security", [_describe_alt(a) for a in old_alts], [_describe_alt(b) for b in new_alts])

    def _security_schemes(self) -> None:
        oc = (self.old.root.value.get("components") or {}).get("securitySchemes") or {}
        nc = (self.new.root.value.get("components") or {}).get("securitySchemes") or {}
        if not isinstance(oc, dict) or not isinstance(nc, dict):
            return
        base_o = self.old.root.where.child("components", "securitySchemes")
        base_n = self.new.root.where.child("components", "securitySchemes")
        for name in _common(oc, nc):
            on = self.old.deref(oc[name], base_o.child(name))
            nn = self.new.deref(nc[name], base_n.child(name))
            if not isinstance(on.value, dict) or not isinstance(nn.value, dict):
                continue
            for attr in ("type", "in", "name", "scheme", "bearerFormat", "openIdConnectUrl"):
                a, b = str(on.value.get(attr, "")), str(nn.value.get(attr, ""))
                # HTTP auth schemes and header names ignore case; query and cookie names do not.
                if attr in ("type", "in", "scheme") or (attr == "name" and str(nn.value.get("in")) == "header"):
                    a, b = a.lower(), b.lower()
                if a != b:
                    self.add("security-scheme.changed", "", on.where, nn.where, f"security scheme {name}", on.value.get(attr), nn.value.get(attr), attribute=attr, scheme=name)
            of, nf = on.value.get("flows") or {}, nn.value.get("flows") or {}
            if isinstance(of, dict) and isinstance(nf, dict):
                for flow in _only(of, nf):
                    self.add("security-scheme.changed", "", on.where.child("flows", flow), nn.where, f"security scheme {name}", flow, None, attribute="flow", scheme=name)
                for flow in _common(of, nf):
                    for url in ("authorizationUrl", "tokenUrl"):
                        a, b = (of[flow] or {}).get(url), (nf[flow] or {}).get(url)
                        if a != b:
                            self.add("security-scheme.changed", "", on.where.child("flows", flow), nn.where.child("flows", flow), f"security scheme {name}", a, b, attribute=f"{flow}.{url}", scheme=name)

    def _server_variables(self) -> None:
        """Values a client may put into a server URL template (`{region}`), per server URL."""
        def servers(spec: Spec) -> dict[tuple[str, ...], Node]:
            """Every server by where it applies (document, path, operation) and URL."""
            out: dict[tuple[str, ...], Node] = {}

            def take(owner: Node, scope: tuple[str, ...]) -> None:
                raw = owner.value.get("servers") if isinstance(owner.value, dict) else None
                if isinstance(raw, list):
                    for i, server in enumerate(raw):
                        if isinstance(server, dict) and isinstance(server.get("url"), str):
                            out[(*scope, server["url"])] = Node(server, owner.where.child("servers", i))

            take(spec.root, ())
            paths = spec.root.value.get("paths")
            for path, item in (paths.items() if isinstance(paths, dict) else ()):
                node = spec.deref(item, spec.root.where.child("paths", path))
                take(node, (str(path),))
                if isinstance(node.value, dict):
                    for method, op in node.value.items():
                        if method in HTTP_METHODS and isinstance(op, dict):
                            take(Node(op, node.where.child(method)), (str(path), method))
            return out

        old, new = servers(self.old), servers(self.new)
        for key in [k for k in new if k in old]:
            url = key[-1]
            ov = old[key].value.get("variables") or {}
            nv = new[key].value.get("variables") or {}
            if not isinstance(ov, dict) or not isinstance(nv, dict):
                continue
            for name in _common(ov, nv):
                a, b = ov[name] or {}, nv[name] or {}
                if not isinstance(a, dict) or not isinstance(b, dict):
                    continue
                old_enum, new_enum = a.get("enum"), b.get("enum")
                if isinstance(new_enum, list):
                    gone = [v for v in (old_enum if isinstance(old_enum, list) else [a.get("default")]) if v not in new_enum and v is not None]
                    if gone:
                        self.add(
                            "server.variable.values-removed", "", old[key].where.child("variables", name),
                            new[key].where.child("variables", name), f"{url} variable {name}", gone, None, name=name,
                        )

    # -- callbacks -------------------------------------------------------------------------
    def _callbacks(self, o: Operation, n: Operation) -> None:
        for name in _only(o.callbacks, n.callbacks):
            self.add("callback.removed", "", o.callbacks[name].where, n.node.where, f"callback {name}", name=name)
        for name in _only(n.callbacks, o.callbacks):
            self.add("callback.added", "", None, n.callbacks[name].where, f"callback {name}", name=name)
        for name in _common(o.callbacks, n.callbacks):
            ocb, ncb = o.callbacks[name], n.callbacks[name]
            if not isinstance(ocb.value, dict) or not isinstance(ncb.value, dict):
                continue
            outer = self._op
            # Keyed by the expression as written: `{$request.query.url}` and `{$request.body#/url}`
            # are different callback URLs, though both erase to `{}` as a path template would.
            old_ops, new_ops = {}, {}
            for expr, item in ocb.value.items():
                if str(expr).startswith("x-"):
                    continue
                for op in path_item_operations(self.old, str(expr), self.old.deref(item, ocb.where.child(str(expr))), None, (), prefix=f"callback {name} "):
                    old_ops[(str(expr), op.method)] = op
            for expr, item in ncb.value.items():
                if str(expr).startswith("x-"):
                    continue
                for op in path_item_operations(self.new, str(expr), self.new.deref(item, ncb.where.child(str(expr))), None, (), prefix=f"callback {name} "):
                    new_ops[(str(expr), op.method)] = op
            for key in _common(old_ops, new_ops):
                self._op = outer
                self._operation(old_ops[key], new_ops[key], flipped=True)
            for key in _only(old_ops, new_ops):
                self._op = outer
                self.add("callback.removed", "", old_ops[key].node.where, ncb.where, f"callback {name} {old_ops[key].label}", name=name)
            for key in _only(new_ops, old_ops):
                self._op = outer
                self.add("callback.added", "", None, new_ops[key].node.where, f"callback {name} {new_ops[key].label}", name=name)
            self._op = outer

    # -- schemas ---------------------------------------------------------------------------
    def schema(self, o: Node, n: Node, direction: str, subject: str) -> None:
        sites = (o.where, n.where)  # where each side is written, before references are followed
        o = self.vo.target(o)
        n = self.vn.target(n)
        key = (o.where, n.where, direction)
        info = self._pairs.get(key)
        if info is None:
            info = self._pairs[key] = _PairInfo()
            self._link(info)
            # Equal subtrees whose references lead to equal nodes, all the way down, cannot
            # differ: the common case, decided in C before any view is built.
            if o.value == n.value and self._same_below(o.value, o.where, n.where):
                return
            ov, nv = self.vo.view(o), self.vn.view(n)
            self._stack.append(info)
            try:
                # Named after the component both sides are (the new name if it was renamed); a
                # reference replaced by an inline schema, or back, keeps the path to it.
                named = _subject_of(nv.where, "") and _subject_of(ov.where, "")
                self._schema(ov, nv, direction, _subject_of(nv.where, subject) if named else subject, sites)
            finally:
                self._stack.pop()
            # This pair is done: its views are built again should another pair need them (the
            # other direction, a renamed partner), which costs less than keeping every view
            # of the walk until it ends.
            self.vo.forget(o)
            self.vn.forget(n)
        else:
            self._link(info)

    def _counterpart(self, src: Spec, dst: Spec, where: Where, fallback: Where) -> Where:
        """The node of `dst` at the same place as `where` in `src` (a property's owner that an
        allOf pulled in), so a change inside a shared component is located at the component
        once, not at every schema that includes it; `fallback` when that place is gone."""
        doc = dst.resolver.root_key if where.doc == src.resolver.root_key else where.doc
        if doc not in dst.documents:
            return fallback
        try:
            dst.resolver.get(Where(doc, where.pointer))
        except (KeyError, IndexError, TypeError):
            return fallback
        return Where(doc, where.pointer)

    def _link(self, info: "_PairInfo") -> None:
        if self._stack:
            top = self._stack[-1]
            if top.children:
                top.children.append(info)  # type: ignore[union-attr]
            else:
                top.children = [info]
        elif self._op:
            if info.operations is None:
                info.operations = {}
            info.operations[self._op] = None

    def _refs_of(self, value: Any) -> tuple[str, ...]:
        """Every `$ref` string anywhere in `value` (cached per mapping)."""
        if type(value) is dict:
            hit = self._ref_sets.get(id(value))
            if hit is None:
                ref = value.get("$ref")
                found = {ref} if isinstance(ref, str) else set()
                for v in value.values():
                    if type(v) is dict or type(v) is list:
                        found.update(self._refs_of(v))
                if not found:
                    # Not kept: two in three mappings have no reference below them, and a
                    # table entry each (1.2 MiB on Stripe) costs more than walking them again.
                    return _NO_REFS
                # One object per distinct set: a reference is in the set of every mapping above
                # it, and most mappings repeat a set already seen (25,800 sets on Stripe).
                hit = self._ref_sets[id(value)] = self._set_of.setdefault(refs := tuple(sorted(found)), refs)
            return hit
        if type(value) is list:
            found = set()
            for v in value:
                if type(v) is dict or type(v) is list:
                    found.update(self._refs_of(v))
            return tuple(found) if found else _NO_REFS
        return _NO_REFS

    def _targets(self, ref: str, ow: Where, nw: Where) -> tuple[Where, Where] | None:
        """Where `ref`, written in the old file of `ow` and the new file of `nw`, lands."""
        try:
            return self.old.resolver.resolve_ref(ref, ow), self.new.resolver.resolve_ref(ref, nw)
        except Exception:  # one that cannot be followed is left to the full walk, which reports it
            return None

    def _same_below(self, value: Any, ow: Where, nw: Where) -> bool:
        """Whether the references in `value` (equal in both versions, at `ow` and `nw`) lead to
        equal nodes in both, and theirs too, all the way down. Such a pair cannot differ, so
        the walk skips it: on a spec compared with its next version, nearly every schema."""
        refs = self._refs_of(value)
        if not refs:
            return True
        pairs = [self._targets(ref, ow, nw) for ref in refs]
        if None in pairs:
            return False
        self._explore([p for p in dict.fromkeys(pairs) if p not in self._dirty])  # type: ignore[misc]
        return not any(self._dirty[p] for p in pairs)  # type: ignore[index]

    def _explore(self, start: list[tuple[Where, Where]]) -> None:
        """Settle whether each target pair not seen before differs below, following references.
        Every pair reached is explored in one go, so a pair settled in an earlier call has all
        it reaches settled too; within the new ones, a pair differs when it differs itself or
        reaches one that does (cycles included), worked out backwards along the references."""
        dirty: set[tuple[Where, Where]] = set()
        edges: dict[tuple[Where, Where], list[tuple[Where, Where]]] = {}
        for p in start:
            self._dirty[p] = None
        todo = list(start)
        while todo:
            p = todo.pop()
            ov, nv = self.old.resolver.get(p[0]), self.new.resolver.get(p[1])
            if ov != nv:
                dirty.add(p)
                continue
            kids = edges[p] = []
            for ref in self._refs_of(ov):
                q = self._targets(ref, p[0], p[1])
                if q is None:
                    dirty.add(p)
                    break
                kids.append(q)
                if q not in self._dirty:
                    self._dirty[q] = None
                    todo.append(q)
                elif self._dirty[q]:
                    dirty.add(p)
        back: dict[tuple[Where, Where], list[tuple[Where, Where]]] = {}
        for p, kids in edges.items():
            for q in kids:
                back.setdefault(q, []).append(p)
        spread = list(dirty)
        while spread:
            for p in back.get(spread.pop(), ()):
                if p not in dirty:
                    dirty.add(p)
                    spread.append(p)
        for p in edges:
            self._dirty[p] = p in dirty
        for p in dirty:
            self._dirty[p] = True

    def _attribute(self) -> None:
        """Give every change the operations that reach it: down the pair graph from each pair
        an operation reached directly, into pairs with changes at or below them only. A change
        lists its operations in the order of the pairs that reach it (the first one names it)."""
        infos = list(self._pairs.values())
        parents: dict[int, list[_PairInfo]] = {}
        for info in infos:
            for child in info.children:
                parents.setdefault(id(child), []).append(info)
        live = {id(info) for info in infos if info.recs}
        climb = [info for info in infos if info.recs]
        while climb:
            for parent in parents.get(id(climb.pop()), ()):
                if id(parent) not in live:
                    live.add(id(parent))
                    climb.append(parent)
        for info in infos:
            if not info.operations or id(info) not in live:
                continue
            ops = info.operations
            seen = {id(info)}
            todo = [info]
            while todo:
                node = todo.pop()
                for rec in node.recs:
                    rec.operations.update(ops)
                for child in node.children:
                    if id(child) in live and id(child) not in seen:
                        seen.add(id(child))
                        todo.append(child)

    def _schema(self, ov: SchemaView, nv: SchemaView, d: str, subject: str, sites: tuple[Where, Where] | None = None) -> None:
        ow, nw = ov.where, nv.where
        if ov.boolean is not None or nv.boolean is not None:
            if ov.boolean != nv.boolean:
                self.add("schema.boolean.changed", d, ow, nw, subject, ov.boolean, nv.boolean)
            return
        # `oneOf: [X]` says what X says: compare through a single variant.
        for attr in ("one_of", "any_of"):
            if len(getattr(nv, attr)) == 1 and not ov.one_of and not ov.any_of and nv.types is None and not nv.properties:
                self.schema(ov.node, getattr(nv, attr)[0], d, subject)
                return
            if len(getattr(ov, attr)) == 1 and not nv.one_of and not nv.any_of and ov.types is None and not ov.properties:
                self.schema(getattr(ov, attr)[0], nv.node, d, subject)
                return
        # Wrapped into oneOf/anyOf: the old schema is now one variant among several.
        for attr, name in (("one_of", "oneOf"), ("any_of", "anyOf")):
            new_members, old_members = getattr(nv, attr), getattr(ov, attr)
            if len(new_members) >= 2 and not old_members and not ov.one_of and not ov.any_of:
                twin = self._matching_member(ov, new_members)
                if twin is not None:
                    self.add("schema.wrapped", d, ow, nw, subject, combiner=name, variants=len(new_members))
                    self.schema(ov.node, twin, d, subject)
                    return
        if ov.types != nv.types:
            self.add("schema.type.changed", d, ow, nw, subject, _types(ov.types), _types(nv.types))
        if ov.nullable != nv.nullable:
            at = (ow, nw)
            if sites is not None and (ow == sites[0]) != (nw == sites[1]):
                # One side is written where it is used (`oneOf: [{type: 'null'}, {$ref: X}]`,
                # or `allOf: [$ref] + nullable`), the other is a bare reference to X: X itself
                # did not change, the place that uses it did.
                at = sites
            self.add("schema.nullable.changed", d, at[0], at[1], subject, ov.nullable, nv.nullable)
        for kw in _both(ov.keywords, nv.keywords):
            a, b = ov.keywords.get(kw), nv.keywords.get(kw)
            av, bv = (a[0] if a else None), (b[0] if b else None)
            if av == bv and (type(av) is type(bv) or _both_numbers(av, bv)):
                # `default: null` and `const: null` say something their absence does not.
                if kw not in ("default", "const") or (a is None) == (b is None):
                    continue
            if kw in _FLAGS and bool(av) == bool(bv):
                continue  # `readOnly: false` says what its absence says
            if kw == "dependentRequired" and _as_sets(av) == _as_sets(bv):
                continue
            kw_old = a[1] if a else ow
            kw_new = b[1] if b else nw
            if kw == "x-extensible-enum":
                self._extensible_enum(av, bv, d, kw_old, kw_new, subject)
            elif kw in _BOUNDS:
                self._bound(kw, av, bv, d, kw_old, kw_new, subject)
            elif kw == "multipleOf":
                if not _multiple_safe(av, bv, d):
                    self.add("schema.multipleOf.changed", d, kw_old, kw_new, subject, av, bv)
            elif kw == "uniqueItems":
                if bool(av) != bool(bv):
                    self.add("schema.uniqueItems.changed", d, kw_old, kw_new, subject, bool(av), bool(bv))
            elif kw in ("default", "const"):
                self.add(f"schema.{kw}.changed", d, kw_old, kw_new, subject, av, bv, present=(a is not None, b is not None))
            else:
                self.add(f"schema.{kw}.changed", d, kw_old, kw_new, subject, av, bv)
        self._enum(ov, nv, d, subject)
        self._properties(ov, nv, d, subject)
        self._subschemas(ov, nv, d, subject)
        self._combiners(ov, nv, d, subject)
        self._discriminator(ov, nv, d, subject)

    def _bound(self, kw: str, a: Any, b: Any, d: str, ow: Where, nw: Where, subject: str) -> None:
        # exclusiveMinimum/Maximum are booleans in 3.0 and numbers in 3.1; a flag flip is a bound change.
        if isinstance(a, bool) or isinstance(b, bool):
            if bool(a) != bool(b):
                self.add("schema.bound.changed", d, ow, nw, subject, a, b, keyword=kw, tightened=bool(b))
            return
        lower = kw in LOWER_BOUNDS
        if a is None:
            tightened = True
        elif b is None:
            tightened = False
        else:
            try:
                tightened = (b > a) if lower else (b < a)
            except TypeError:
                tightened = True
        self.add("schema.bound.changed", d, ow, nw, subject, a, b, keyword=kw, tightened=tightened)

    def _extensible_enum(self, av: Any, bv: Any, d: str, old: Where, new: Where, subject: str) -> None:
        """`x-extensible-enum` (Zalando's guidelines): the known values of an open set. Values
        compare as sets; a list that appears or disappears counts as all its values."""
        old_vals = {_hashable(v): v for v in av} if isinstance(av, list) else {}
        new_vals = {_hashable(v): v for v in bv} if isinstance(bv, list) else {}
        gone = [old_vals[k] for k in old_vals if k not in new_vals]
        came = [new_vals[k] for k in new_vals if k not in old_vals]
        if gone:
            self.add("schema.extensible-enum.values-removed", d, old, new, subject, gone, None)
        if came:
            self.add("schema.extensible-enum.values-added", d, old, new, subject, None, came)

    def _enum(self, ov: SchemaView, nv: SchemaView, d: str, subject: str) -> None:
        if ov.enum is None and nv.enum is None:
            return
        if ov.enum is None:
            self.add("schema.enum.added", d, ov.where, nv.enum[1], subject, None, list(nv.enum[0]))  # type: ignore[index]
            return
        if nv.enum is None:
            self.add("schema.enum.dropped", d, ov.enum[1], nv.where, subject, list(ov.enum[0]), None)
            return
        old_vals = {_hashable(v): v for v in ov.enum[0]}
        new_vals = {_hashable(v): v for v in nv.enum[0]}
        gone = [old_vals[k] for k in old_vals if k not in new_vals]
        came = [new_vals[k] for k in new_vals if k not in old_vals]
        if gone:
            self.add("schema.enum.values-removed", d, ov.enum[1], nv.enum[1], subject, gone, None)
        if came:
            self.add("schema.enum.values-added", d, ov.enum[1], nv.enum[1], subject, None, came)

    def _properties(self, ov: SchemaView, nv: SchemaView, d: str, subject: str) -> None:
        closed = _closed(ov)
        for name, node in ov.properties.items():
            if name not in nv.properties:
                pview = self.vo.view(node)
                self.add(
                    "schema.property.removed", d, node.where,
                    self._counterpart(self.old, self.new, _parent(node.where), nv.properties_where or nv.where),
                    _owner_subject(node.where, f"{subject}.{name}"),
                    name=name, required=name in ov.required, closed=closed,
                    deprecated=pview.keywords.get("deprecated", (False,))[0] is True,
                    sunset=pview.keywords.get("x-sunset", (None,))[0],
                    read_only=pview.keywords.get("readOnly", (False,))[0] is True,
                    write_only=pview.keywords.get("writeOnly", (False,))[0] is True,
                )
        for name, node in nv.properties.items():
            if name not in ov.properties:
                pview = self.vn.view(node)
                self.add(
                    "schema.property.added", d,
                    self._counterpart(self.new, self.old, _parent(node.where), ov.properties_where or ov.where),
                    node.where, _owner_subject(node.where, f"{subject}.{name}"),
                    name=name, required=name in nv.required,
                    read_only=pview.keywords.get("readOnly", (False,))[0] is True,
                    write_only=pview.keywords.get("writeOnly", (False,))[0] is True,
                )
        for name in _common(ov.properties, nv.properties):
            was, now = name in ov.required, name in nv.required
            if was != now:
                # Located at the `required` entry; on the side without it, at that side's `required`
                # list where the entry was dropped or is yet to come (the line a pull request
                # changes), else at the schema that declares the property. So a property of a
                # shared component is one finding wherever it is included.
                old_at = ov.required[name] if was else self._counterpart(
                    self.new, self.old, _parent(nv.required[name]), _owner(ov.properties[name].where, ov.where)
                )
                new_at = nv.required[name] if now else self._counterpart(
                    self.old, self.new, _parent(ov.required[name]), _owner(nv.properties[name].where, nv.where)
                )
                # Named by the component that declares it on either side (by the path when the
                # two sides name different ones): the new side alone gave a change and its
                # mirror image different subjects.
                path = f"{subject}.{name}"
                owners = {_owner_subject(ov.properties[name].where, path), _owner_subject(nv.properties[name].where, path)} - {path}
                owner = owners.pop() if len(owners) == 1 else path
                self.add("schema.required.changed", d, old_at, new_at, owner, was, now, name=name)
            self.schema(ov.properties[name], nv.properties[name], d, f"{subject}.{name}")
        # `required` naming a property that is not declared still binds the payload.
        for name in [k for k in _only(nv.required, ov.required) if k not in nv.properties and k not in ov.properties]:
            self.add("schema.required.changed", d, ov.where, nv.required[name], f"{subject}.{name}", False, True, name=name)
        for name in [k for k in _only(ov.required, nv.required) if k not in nv.properties and k not in ov.properties]:
            self.add("schema.required.changed", d, ov.required[name], nv.where, f"{subject}.{name}", True, False, name=name)

    def _subschemas(self, ov: SchemaView, nv: SchemaView, d: str, subject: str) -> None:
        for kw in _both(ov.subschemas, nv.subschemas):
            a, b = ov.subschemas.get(kw), nv.subschemas.get(kw)
            child = f"{subject}[]" if kw == "items" else f"{subject}.{kw}"
            if kw in ("additionalProperties", "unevaluatedProperties", "unevaluatedItems", "additionalItems"):
                oa, na = _openness(a), _openness(b)
                if oa != na and (oa == "closed" or na == "closed"):
                    self.add(f"schema.{kw}.changed", d, a.where if a else ov.where, b.where if b else nv.where, subject, oa, na)
                    continue
            if a is not None and b is not None:
                # What `not` rejects, the payload may hold: inside it every judgement turns round.
                self.schema(a, b, FLIP.get(d, d) if kw == "not" else d, child)
            elif kw in _ABSENT_MEANS_ANY:
                # Not written, these allow anything, as the empty schema does: one appearing is
                # that schema narrowed (any type -> string), judged by the usual rules, not a
                # keyword to check by hand. The absent side is placed at its parent schema.
                self.schema(a or Node({}, ov.where.child(kw)), b or Node({}, nv.where.child(kw)), d, child)
            else:
                self.add(f"schema.{kw}.changed", d, a.where if a else ov.where, b.where if b else nv.where, child, a is not None, b is not None)
        for kw in _both(ov.schema_maps, nv.schema_maps):
            a_map, b_map = ov.schema_maps.get(kw, {}), nv.schema_maps.get(kw, {})
            for k in _both(a_map, b_map):
                if k in a_map and k in b_map:
                    self.schema(a_map[k], b_map[k], d, f"{subject}.{kw}[{k}]")
                else:
                    self.add(f"schema.{kw}.changed", d, a_map[k].where if k in a_map else ov.where, b_map[k].where if k in b_map else nv.where, subject, k in a_map, k in b_map, key=k)
        for i in range(max(len(ov.prefix_items), len(nv.prefix_items))):
            if i < len(ov.prefix_items) and i < len(nv.prefix_items):
                self.schema(ov.prefix_items[i], nv.prefix_items[i], d, f"{subject}[{i}]")
            else:
                self.add("schema.prefixItems.changed", d, ov.where, nv.where, subject, len(ov.prefix_items), len(nv.prefix_items), index=i)

    def _matching_member(self, view: SchemaView, members: list[Node]) -> Node | None:
        for member in members:
            mv = self.vn.view(member)
            if _ref_name(mv.where) and _ref_name(mv.where) == _ref_name(view.where):
                return member
        for member in members:
            mv = self.vn.view(member)
            if mv.types == view.types and set(mv.properties) == set(view.properties) and (mv.enum or ([], None))[0] == (view.enum or ([], None))[0]:
                return member
        return None

    def _combiners(self, ov: SchemaView, nv: SchemaView, d: str, subject: str) -> None:
        for attr, name in (("one_of", "oneOf"), ("any_of", "anyOf")):
            olds, news = getattr(ov, attr), getattr(nv, attr)
            if not olds and not news:
                continue
            # An inline variant is known by its types, properties and format; its enum values
            # join the identity only where two variants would otherwise look alike, so a value
            # added to an enum variant is that enum growing, not one variant swapped for another.
            plain_old = [self._member_id(self.vo, m, with_enum=False) for m in olds]
            plain_new = [self._member_id(self.vn, m, with_enum=False) for m in news]
            alike = {m for ids in (plain_old, plain_new) for m in ids if ids.count(m) > 1}
            old_ids = _unique([self._member_id(self.vo, m, with_enum=True) if p in alike else p for m, p in zip(olds, plain_old)])
            new_ids = _unique([self._member_id(self.vn, m, with_enum=True) if p in alike else p for m, p in zip(news, plain_new)])
            # `anyOf: [{type: string}, {type: string, enum: [...]}]` accepts any string before and
            # after: its enum variants only name the known values (as x-extensible-enum does), so
            # values or whole enum variants coming and going change no contract.
            open_text = _open_string(self.vo, olds) and _open_string(self.vn, news)
            if open_text:
                olds = [m for m in olds if not _string_enum(self.vo.view(m))]
                news = [m for m in news if not _string_enum(self.vn.view(m))]
                keep_old = [i for i, m in enumerate(getattr(ov, attr)) if m in olds]
                keep_new = [j for j, m in enumerate(getattr(nv, attr)) if m in news]
                old_ids, plain_old = [old_ids[i] for i in keep_old], [plain_old[i] for i in keep_old]
                new_ids, plain_new = [new_ids[j] for j in keep_new], [plain_new[j] for j in keep_new]
            pairs = {i: new_ids.index(mid) for i, mid in enumerate(old_ids) if mid in new_ids}
            # Alike variants that found no exact twin pair up when exactly one on each side is
            # left with the same shape: an enum variant that gained or lost values evolved.
            _pair_leftovers(pairs, plain_old, plain_new)
            if ov.discriminator is None and nv.discriminator is None:
                # Without a discriminator a variant's name is not on the wire: a component
                # renamed with the same shape (names aside) is the same variant.
                shapes_old = [_shape_id(self.vo.view(m), True) for m in olds]
                _pair_leftovers(pairs, shapes_old, [_shape_id(self.vn.view(m), True) for m in news])
            pairs.update(self._evolved_variants(olds, news, pairs))
            for i in range(len(olds)):
                if i in pairs:
                    self.schema(olds[i], news[pairs[i]], d, f"{subject}.{name}[{i}]")
                else:
                    label = _member_label(self.vo.view(olds[i]))
                    self.add("schema.variant.removed", d, olds[i].where, nv.where, subject, label, None, combiner=name)
            paired = set(pairs.values())
            for j in range(len(news)):
                if j not in paired:
                    label = _member_label(self.vn.view(news[j]))
                    self.add("schema.variant.added", d, ov.where, news[j].where, subject, None, label, combiner=name)

    def _evolved_variants(self, olds: list[Node], news: list[Node], pairs: dict[int, int]) -> dict[int, int]:
        """Untitled inline object variants left unpaired that gained or lost properties: an old
        and a new one pair up when each is the other's closest match (the most properties in
        common, at least half of the smaller one's). Otherwise an optional property added to an
        inline variant would read as one variant removed and another added: two errors."""
        def props(viewer: Viewer, member: Node) -> tuple[Any, frozenset[str]] | None:
            view = viewer.view(member)
            if any(_names(view)) or not view.properties:
                return None
            return view.types, frozenset(view.properties)

        taken = set(pairs.values())
        left_old = {i: p for i in range(len(olds)) if i not in pairs and (p := props(self.vo, olds[i])) is not None}
        left_new = {j: p for j in range(len(news)) if j not in taken and (p := props(self.vn, news[j])) is not None}

        def best(mine: tuple[Any, frozenset[str]], others: dict[int, tuple[Any, frozenset[str]]]) -> int | None:
            scored = sorted(
                (len(mine[1] & theirs[1]), -k) for k, theirs in others.items()
                if theirs[0] == mine[0] and 2 * len(mine[1] & theirs[1]) >= min(len(mine[1]), len(theirs[1]))
            )
            if not scored or (len(scored) > 1 and scored[-1][0] == scored[-2][0]):
                return None  # nothing close, or a tie: no guess
            return -scored[-1][1]

        out = {}
        for i, mine in left_old.items():
            j = best(mine, left_new)
            if j is not None and best(left_new[j], left_old) == i:
                out[i] = j
        return out

    def _member_id(self, viewer: Viewer, member: Node, *, with_enum: bool) -> str:
        view = viewer.view(member)
        ref, title = _names(view)
        if ref:
            return ref
        if title:
            return f"title:{title}"
        # An untitled inline variant is known by its shape, so reordering variants is no change.
        return _shape_id(view, with_enum)

    def _discriminator(self, ov: SchemaView, nv: SchemaView, d: str, subject: str) -> None:
        a, b = ov.discriminator, nv.discriminator
        if a is None and b is None:
            return
        ap = a[0].get("propertyName") if a else None
        bp = b[0].get("propertyName") if b else None
        if ap != bp:
            self.add("schema.discriminator.changed", d, a[1] if a else ov.where, b[1] if b else nv.where, subject, ap, bp, attribute="propertyName")
        am = _explicit_mapping((a[0].get("mapping") or {}) if a else {})
        bm = _explicit_mapping((b[0].get("mapping") or {}) if b else {})
        for k in _both(am, bm):
            if am.get(k) != bm.get(k):
                self.add(
                    "schema.discriminator.changed", d, a[1] if a else ov.where, b[1] if b else nv.where, subject,
                    am.get(k), bm.get(k), attribute="mapping", key=k,
                )


# ----------------------------------------------------------------------------------------------


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str)


def _owner(prop: Where, fallback: Where) -> Where:
    """The schema that declares the property at `prop` (…/properties/name)."""
    head, _, _ = prop.pointer.rpartition("/")
    owner, _, last = head.rpartition("/")
    return Where(prop.doc, owner) if last == "properties" else fallback


def _counts(items: Iterable[Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def _parent(where: Where) -> Where:
    return Where(where.doc, where.pointer.rsplit("/", 1)[0])


def _owner_subject(where: Where, fallback: str) -> str:
    """`Pet.name` for a property declared in component Pet, wherever it was reached from."""
    parts = where.pointer.split("/")
    if len(parts) == 6 and parts[1] == "components" and parts[2] == "schemas" and parts[4] == "properties":
        return f"{parts[3]}.{parts[5]}".replace("~1", "/").replace("~0", "~")
    return fallback


def _both_numbers(a: Any, b: Any) -> bool:
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)


def _as_sets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: frozenset(map(str, v)) if isinstance(v, list) else v for k, v in value.items()}
    return value


def _multiple_safe(old: Any, new: Any, direction: str) -> bool:
    """Whether a multipleOf change keeps every promise: in a request the new step must divide
    the old one (all old values still accepted), in a response it must be a multiple of it."""
    from fractions import Fraction

    if not (_both_numbers(old, new) and old and new):
        return False
    ratio = Fraction(str(old)) / Fraction(str(new)) if direction == "request" else Fraction(str(new)) / Fraction(str(old))
    return ratio.denominator == 1


def _explicit_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    """A discriminator mapping without the entries OpenAPI would infer anyway (Cat ->
    #/components/schemas/Cat)."""
    return {k: v for k, v in mapping.items() if v != f"#/components/schemas/{k}"}


# Sub-schema keywords whose absence means the empty schema (every value valid). Not `not`,
# `contains` or `if`: absent, they say nothing; written as `{}`, they refuse all, require an
# item, or make `then` apply.
_ABSENT_MEANS_ANY = frozenset({"items", "propertyNames"})

_FORMAT_KEYWORDS = ("format", "pattern", "minLength", "maxLength", "contentMediaType", "contentEncoding")


def _string_enum(view: SchemaView) -> bool:
    return view.types == frozenset({"string"}) and view.enum is not None and not view.properties


def _open_string(viewer: Viewer, members: list[Node]) -> bool:
    """Some member accepts every string: `{type: string}` with no enum, format or bound."""
    for m in members:
        view = viewer.view(m)
        if view.types == frozenset({"string"}) and view.enum is None and not any(k in view.keywords for k in _FORMAT_KEYWORDS):
            return True
    return False


def _pair_leftovers(pairs: dict[int, int], old_keys: list[str], new_keys: list[str]) -> None:
    """Pair the variants `pairs` left out whose key is unique among the left-overs on each side
    (old index to new index, in place)."""
    taken = set(pairs.values())
    left_old = [i for i in range(len(old_keys)) if i not in pairs]
    left_new = [j for j in range(len(new_keys)) if j not in taken]
    for i in left_old:
        n_side = [j for j in left_new if new_keys[j] == old_keys[i]]
        if len(n_side) == 1 and sum(old_keys[k] == old_keys[i] for k in left_old) == 1:
            pairs[i] = n_side[0]


def _shape_id(view: SchemaView, with_enum: bool) -> str:
    shape = [_types(view.types), sorted(view.properties), view.bound("format")]
    if with_enum and view.enum is not None:
        shape.append(sorted(map(str, view.enum[0])))
    return "shape:" + json.dumps(shape, default=str)


def _names(view: SchemaView) -> tuple[str | None, Any]:
    """A variant's component name (when it is a `$ref` target) and its title, either maybe None."""
    title = view.node.value.get("title") if isinstance(view.node.value, dict) else None
    return _ref_name(view.where), title


def _member_label(view: SchemaView) -> str:
    """A variant as a reader knows it: its component name or title, else a short description
    of its shape (types, a few properties, format, a few enum values)."""
    ref, title = _names(view)
    if ref:
        return ref
    if title:
        return f'"{title}"'

    def few(items: list[str]) -> str:
        return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")

    types = " or ".join(sorted(view.types)) if view.types else "untyped"
    text = f"(an inline {types} schema"
    if view.properties:
        text += f" with properties {few(sorted(view.properties))}"
    fmt = view.bound("format")
    if fmt:
        text += f", format {fmt}"
    if view.enum is not None:
        text += f", one of {few([str(v) for v in view.enum[0]])}"
    return text + ")"


def _unique(ids: list[str]) -> list[str]:
    """Variant identities made unique: the second variant titled "array" is "array (2)"."""
    seen: dict[str, int] = {}
    out = []
    for mid in ids:
        seen[mid] = seen.get(mid, 0) + 1
        out.append(mid if seen[mid] == 1 else f"{mid} ({seen[mid]})")
    return out


def _types(types: frozenset[str] | None) -> list[str] | None:
    return None if types is None else sorted(types)


def _closed(view: SchemaView) -> bool:
    """Whether the object refuses properties it does not declare: `additionalProperties: false`,
    or 3.1's `unevaluatedProperties: false` (which also sees what allOf members declare)."""
    return any(
        ap is not None and ap.value is False
        for ap in (view.subschemas.get("additionalProperties"), view.subschemas.get("unevaluatedProperties"))
    )


def _openness(node: Node | None) -> str:
    if node is None or node.value is True or node.value == {}:
        return "open"
    if node.value is False:
        return "closed"
    return "schema"


def _ref_name(where: Where) -> str | None:
    """A stable name for a node reached through a $ref: its location, when it is a component."""
    parts = where.pointer.split("/")
    if len(parts) == 4 and parts[1] == "components":
        return "/".join(parts[2:4])
    if where.pointer.count("/") <= 2 and where.pointer:
        return f"{where.doc}#{where.pointer}"
    if not where.pointer:
        return where.doc  # a whole file, as multi-file specs keep one schema per file
    return None


def _subject_of(where: Where, fallback: str) -> str:
    """Changes inside a named component are named after it (`Pet.owner`), so a component
    reached from many places reads the same everywhere."""
    parts = where.pointer.split("/")
    if len(parts) == 4 and parts[1] == "components" and parts[2] == "schemas":
        return parts[3].replace("~1", "/").replace("~0", "~")
    if len(parts) == 3 and parts[1] == "definitions":
        return parts[2]
    return fallback


_STYLE_DEFAULT = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def _param_default(location: str, attr: str, value: dict[str, Any]) -> Any:
    if attr in value:
        return value[attr]
    if attr == "style":
        return _STYLE_DEFAULT.get(location)
    if attr == "explode":
        style = value.get("style", _STYLE_DEFAULT.get(location))
        return style == "form"
    return False


def _common(a: dict[Any, Any], b: dict[Any, Any]) -> list[Any]:
    """The keys of `a` that `b` has too, in `a`'s order (see `_both`)."""
    return [k for k in a if k in b]


def _only(a: dict[Any, Any], b: dict[Any, Any]) -> list[Any]:
    """The keys of `a` that `b` lacks, in `a`'s order (see `_both`)."""
    return [k for k in a if k not in b]


def _both(a: dict[Any, Any], b: dict[Any, Any]) -> Iterable[Any]:
    """The keys of `a`, then those only in `b`: in file order, never in set order, which
    changes from run to run and decides which path reaches a shared schema first (a finding's
    subject)."""
    return dict.fromkeys(chain(a, b)) if b else a


def _hosts(op: Operation) -> frozenset[str]:
    import urllib.parse

    hosts = set()
    for s in op.servers:
        if "://" in s:
            hosts.add(urllib.parse.urlsplit(s).netloc.lower())
    return frozenset(hosts) if hosts else frozenset({""})


def _alternatives(requirement: Any) -> list[dict[str, frozenset[str]]]:
    """A security requirement list as alternatives (any one suffices), each a map of scheme to
    scopes (all needed). No requirement is one empty alternative."""
    if not isinstance(requirement, list) or not requirement:
        return [{}]
    out = []
    for alt in requirement:
        if isinstance(alt, dict):
            out.append({str(k): frozenset(str(s) for s in (v or [])) for k, v in alt.items()})
    return out or [{}]


def _missing(have: dict[str, frozenset[str]], need: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    out = {}
    for scheme, scopes in need.items():
        if scheme not in have:
            out[scheme] = scopes
        elif not scopes <= have[scheme]:
            out[scheme] = scopes - have[scheme]
    return out


def _satisfies(have: dict[str, frozenset[str]], need: dict[str, frozenset[str]]) -> bool:
    return not _missing(have, need)


def _describe_alt(alt: dict[str, frozenset[str]]) -> str:
    if not alt:
        return "none"
    return " + ".join(f"{k}" + (f" ({', '.join(sorted(v))})" if v else "") for k, v in sorted(alt.items()))


def _surviving_path(spec: Spec, path: str, webhook: bool = False) -> Where:
    """The nearest node of `spec` that still stands where `path` was: its path item, or `paths`."""
    root = spec.root
    section = "webhooks" if webhook else "paths"
    paths = root.value.get(section) or {}
    wanted = path if webhook else path_key(path)
    for candidate in paths:
        if (str(candidate) if webhook else path_key(str(candidate))) == wanted:
            return root.where.child(section, str(candidate))
    return root.where.child(section) if section in root.value else root.where
