"""Request parameter rules: path, query, header and cookie parameters."""

from __future__ import annotations

from typing import Iterable

from ...model import Change
from ...registry import Hit, compat_rule
from ._common import Context, hit, is_request, sunset_state


@compat_rule("parameter.added")
def request_required_parameter_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    if change.detail("required"):
        yield hit(change)


@compat_rule("parameter.added")
def request_optional_parameter_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    if not change.detail("required"):
        yield hit(change)


@compat_rule("parameter.removed")
def request_parameter_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    if change.detail("location") != "path" and sunset_state(change, ctx) not in ("passed", "pending"):
        yield hit(change)


@compat_rule("parameter.removed")
def parameter_removed_before_sunset(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.detail("location") != "path" and sunset_state(change, ctx) == "pending":
        yield hit(change, sunset=str(change.detail("sunset")))


@compat_rule("parameter.removed")
def request_path_parameter_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    if change.detail("location") == "path":
        yield hit(change)


@compat_rule("parameter.required.changed")
def request_parameter_became_required(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    if change.new_value is True:
        yield hit(change)


@compat_rule("parameter.required.changed")
def request_parameter_became_optional(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    if change.new_value is False:
        yield hit(change)


@compat_rule("parameter.moved")
def request_parameter_moved(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    yield hit(change)


@compat_rule(
    "parameter.style.changed", "parameter.explode.changed", "parameter.allowReserved.changed", "parameter.x-collectionFormat.changed"
)
def request_parameter_serialization_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    yield hit(change, attribute=change.kind.split(".")[1])


@compat_rule("parameter.allowEmptyValue.changed")
def request_parameter_empty_value_disallowed(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    if change.old_value is True and change.new_value is not True:
        yield hit(change)


@compat_rule("parameter.deprecated")
def request_parameter_deprecated(change: Change, ctx: Context) -> Iterable[Hit]:
    if not is_request(change):
        return  # in webhooks and callbacks the API sends these requests
    yield hit(change)
