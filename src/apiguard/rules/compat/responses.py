"""Response rules: status codes, headers, links and callbacks."""

from __future__ import annotations

from typing import Iterable

from ...model import Change
from ...registry import Hit, compat_rule
from ._common import Context, hit, is_response


def _success(change: Change) -> bool:
    return str(change.detail("status", "")).startswith("2")


@compat_rule("response.removed")
def response_success_status_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if _success(change) and is_response(change):
        yield hit(change)


@compat_rule("response.removed")
def response_non_success_status_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if not _success(change) and is_response(change):
        yield hit(change)


@compat_rule("response.added")
def response_success_status_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if _success(change) and is_response(change):
        yield hit(change)


@compat_rule("response.added")
def response_error_status_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if not _success(change) and is_response(change):
        yield hit(change)


@compat_rule("header.removed")
def response_required_header_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.detail("required") and is_response(change):
        yield hit(change)


@compat_rule("header.removed")
def response_optional_header_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if not change.detail("required") and is_response(change):
        yield hit(change)


@compat_rule("header.required.changed")
def response_header_became_optional(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.new_value is False and is_response(change):
        yield hit(change)


@compat_rule("header.added")
def response_header_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change)


@compat_rule("link.removed")
def response_link_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("link.added")
def response_link_added(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("callback.removed")
def callback_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("callback.added")
def callback_added(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)
