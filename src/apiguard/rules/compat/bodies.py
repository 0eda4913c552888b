"""Request body and media type rules, for requests and responses alike."""

from __future__ import annotations

from typing import Iterable

from ...model import Change
from ...registry import Hit, compat_rule
from ._common import Context, hit, is_request, is_response


@compat_rule("request-body.added")
def request_body_required_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.detail("required") and is_request(change):
        yield hit(change)


@compat_rule("request-body.added")
def request_body_optional_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if not change.detail("required") and is_request(change):
        yield hit(change)


@compat_rule("request-body.removed")
def request_body_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change)


@compat_rule("request-body.required.changed")
def request_body_became_required(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.new_value is True and is_request(change):
        yield hit(change)


@compat_rule("request-body.required.changed")
def request_body_became_optional(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.new_value is False and is_request(change):
        yield hit(change)


@compat_rule("media-type.removed")
def request_media_type_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change)


@compat_rule("media-type.added")
def request_media_type_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change)


@compat_rule("media-type.removed")
def response_media_type_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change)


@compat_rule("media-type.added")
def response_media_type_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change)
