"""The rule registry: a decorator that files each rule function under its ID.

A rule is one function whose name is its ID with underscores; its level, summary and message
live in its catalog entry (`rules/<id>.md`), so adding a rule costs one function, one catalog
file and one fixture folder. Compat rules receive one `Change` and the two specs; lint rules
receive one spec. Both return what they found as `Hit`s, and the engine turns hits into findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .model import Where


@dataclass(frozen=True)
class Hit:
    """What a rule function reports: message fields, and where in the new and old spec."""

    fields: dict[str, Any]
    new: Where | None = None
    old: Where | None = None
    operations: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleFunc:
    id: str
    kind: str  # "compat" or "lint"
    func: Callable[..., Iterable[Hit]]
    changes: tuple[str, ...] = ()  # for compat rules: the change kinds it judges


RULES: dict[str, RuleFunc] = {}


def _rule_id(func: Callable[..., Any]) -> str:
    return func.__name__.replace("_", "-")


def compat_rule(*changes: str) -> Callable[[Callable[..., Iterable[Hit]]], Callable[..., Iterable[Hit]]]:
    """Register a rule that judges changes of the given kinds (see `diff.py`)."""

    def wrap(func: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        rid = _rule_id(func)
        if rid in RULES:
            raise RuntimeError(f"rule {rid} registered twice")
        RULES[rid] = RuleFunc(rid, "compat", func, tuple(changes))
        return func

    return wrap


def lint_rule(func: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
    """Register a rule that judges one spec."""
    rid = _rule_id(func)
    if rid in RULES:
        raise RuntimeError(f"rule {rid} registered twice")
    RULES[rid] = RuleFunc(rid, "lint", func)
    return func


def load_rules(kind: str | None = None) -> dict[str, RuleFunc]:
    """Import the rule modules so their decorators run: every one, or those of one kind
    (`compat` or `lint`; a diff has no use for the lint pack's 0.5 MiB of modules)."""
    if kind in (None, "compat"):
        from .rules import compat  # noqa: F401
    if kind in (None, "lint"):
        from .rules import lint  # noqa: F401
    return RULES if kind is None else {rid: r for rid, r in RULES.items() if r.kind == kind}
