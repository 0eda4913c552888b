"""Schema rules. Direction decides: a request schema may only get looser (clients send what
used to be accepted), a response schema may only get stricter (clients parse what used to be
promised). Each pair of rules here is the request side and the response side of one change."""

from __future__ import annotations

from typing import Any, Iterable

from ...model import Change
from ...registry import Hit, compat_rule
from ._common import Context, hit, is_request, is_response, sunset_state

_NUMERIC = {"integer": {"number"}}


def _widened(old: Any, new: Any) -> bool:
    """New types accept everything old types accepted (None = any type)."""
    if new is None:
        return True
    if old is None:
        return False
    new_set = set(new)
    return all(t in new_set or (_NUMERIC.get(t, set()) & new_set) for t in old)


# -- type, format ----------------------------------------------------------------------------
def _missing_as(change: Change, words: str) -> dict[str, str]:
    """Message fields for a keyword that one side does not have: "changed from string to any
    type" says what a bare "none" would leave open (the value none, or no keyword at all)."""
    present = change.detail("present")  # (old, new) where an explicit null is not an absence
    out = {}
    for i, (side, value) in enumerate((("old", change.old_value), ("new", change.new_value))):
        if value is None:
            out[side] = "null" if present is not None and present[i] else words
    return out


@compat_rule("schema.type.changed")
def request_type_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and not _widened(change.old_value, change.new_value):
        yield hit(change, **_missing_as(change, "any type"))


@compat_rule("schema.type.changed")
def request_type_widened(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and _widened(change.old_value, change.new_value):
        yield hit(change, **_missing_as(change, "any type"))


@compat_rule("schema.type.changed")
def response_type_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and not _widened(change.new_value, change.old_value):
        yield hit(change, **_missing_as(change, "any type"))


@compat_rule("schema.type.changed")
def response_type_narrowed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and _widened(change.new_value, change.old_value):
        yield hit(change, **_missing_as(change, "any type"))


@compat_rule("schema.format.changed")
def request_format_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value is not None:
        yield hit(change)


@compat_rule("schema.format.changed")
def response_format_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.old_value is not None:
        yield hit(change)


@compat_rule("schema.format.changed")
def format_relaxed_or_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if (is_request(change) and change.new_value is None) or (is_response(change) and change.old_value is None):
        yield hit(change)


# -- enum, const, default -------------------------------------------------------------------
@compat_rule("schema.enum.values-removed")
def request_enum_value_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change, values=_list(change.old_value))


@compat_rule("schema.enum.values-added")
def request_enum_value_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change, values=_list(change.new_value))


@compat_rule("schema.enum.values-added")
def response_enum_value_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change, values=_list(change.new_value))


@compat_rule("schema.enum.values-removed")
def response_enum_value_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change, values=_list(change.old_value))


@compat_rule("schema.extensible-enum.values-removed")
def request_extensible_enum_value_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change, values=_list(change.old_value))


@compat_rule("schema.extensible-enum.values-added")
def response_extensible_enum_value_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change, values=_list(change.new_value))


@compat_rule("schema.deprecated.changed")
def property_deprecated(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.new_value is True and change.old_value is not True:
        yield hit(change)


@compat_rule("schema.enum.added")
def request_enum_introduced(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change, values=_list(change.new_value))


@compat_rule("schema.enum.dropped")
def response_enum_dropped(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change)


@compat_rule("schema.enum.added", "schema.enum.dropped")
def enum_constraint_changed_safely(change: Change, ctx: Context) -> Iterable[Hit]:
    if (is_request(change) and change.kind == "schema.enum.dropped") or (is_response(change) and change.kind == "schema.enum.added"):
        yield hit(change)


@compat_rule("schema.const.changed")
def schema_const_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    # Dropping a request constant or introducing a response one only narrows what is promised.
    old_there, new_there = change.detail("present") or (change.old_value is not None, change.new_value is not None)
    if (is_request(change) and new_there) or (is_response(change) and old_there):
        yield hit(change, **_missing_as(change, "no constant"))


@compat_rule("schema.default.changed")
def request_default_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change, **_missing_as(change, "no default"))


@compat_rule("schema.default.changed")
def response_default_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change, **_missing_as(change, "no default"))


# -- nullable -------------------------------------------------------------------------------
@compat_rule("schema.nullable.changed")
def request_nullable_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.old_value and not change.new_value:
        yield hit(change)


@compat_rule("schema.nullable.changed")
def request_nullable_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value and not change.old_value:
        yield hit(change)


@compat_rule("schema.nullable.changed")
def response_nullable_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.new_value and not change.old_value:
        yield hit(change)


@compat_rule("schema.nullable.changed")
def response_nullable_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.old_value and not change.new_value:
        yield hit(change)


# -- properties -----------------------------------------------------------------------------
def _gone_after_sunset(change: Change, ctx: Context) -> bool:
    """Removed when its sunset had passed (info), or before it (its own error rule): either
    way the plain removal rules stay quiet, so the removal is reported once."""
    return sunset_state(change, ctx, bool(change.detail("deprecated"))) in ("passed", "pending")


@compat_rule("schema.property.removed")
def request_property_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and not change.detail("closed") and not change.detail("read_only") and not _gone_after_sunset(change, ctx):
        yield hit(change)


@compat_rule("schema.property.removed")
def request_closed_property_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.detail("closed") and not change.detail("read_only") and not _gone_after_sunset(change, ctx):
        yield hit(change)


@compat_rule("schema.property.removed")
def response_required_property_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.detail("required") and not change.detail("write_only") and not _gone_after_sunset(change, ctx):
        yield hit(change)


@compat_rule("schema.property.removed")
def response_optional_property_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and not change.detail("required") and not change.detail("write_only") and not _gone_after_sunset(change, ctx):
        yield hit(change)


@compat_rule("schema.property.removed")
def property_removed_after_sunset(change: Change, ctx: Context) -> Iterable[Hit]:
    if sunset_state(change, ctx, bool(change.detail("deprecated"))) == "passed":
        yield hit(change)


@compat_rule("schema.property.removed")
def property_removed_before_sunset(change: Change, ctx: Context) -> Iterable[Hit]:
    if sunset_state(change, ctx, bool(change.detail("deprecated"))) == "pending":
        yield hit(change, sunset=str(change.detail("sunset")))


@compat_rule("schema.property.added")
def request_required_property_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.detail("required") and not change.detail("read_only"):
        yield hit(change)


@compat_rule("schema.property.added")
def request_optional_property_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and not change.detail("required") and not change.detail("read_only"):
        yield hit(change)


@compat_rule("schema.property.added")
def response_property_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and not change.detail("write_only"):
        yield hit(change)


@compat_rule("schema.required.changed")
def request_property_became_required(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value is True:
        yield hit(change)


@compat_rule("schema.required.changed")
def request_property_became_optional(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value is False:
        yield hit(change)


@compat_rule("schema.required.changed")
def response_property_became_optional(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.new_value is False:
        yield hit(change)


@compat_rule("schema.required.changed")
def response_property_became_required(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.new_value is True:
        yield hit(change)


@compat_rule("schema.readOnly.changed", "schema.writeOnly.changed")
def property_access_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change, keyword=change.kind.split(".")[1])


# -- open and closed objects ----------------------------------------------------------------
_OPENNESS = ("schema.additionalProperties.changed", "schema.unevaluatedProperties.changed")


@compat_rule(*_OPENNESS)
def request_additional_properties_closed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value == "closed":
        yield hit(change, keyword=change.kind.split(".")[1])


@compat_rule(*_OPENNESS)
def response_additional_properties_opened(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.old_value == "closed":
        yield hit(change, keyword=change.kind.split(".")[1])


@compat_rule(*_OPENNESS)
def additional_properties_changed_safely(change: Change, ctx: Context) -> Iterable[Hit]:
    if (is_request(change) and change.old_value == "closed") or (is_response(change) and change.new_value == "closed"):
        yield hit(change, keyword=change.kind.split(".")[1])


# -- bounds ---------------------------------------------------------------------------------
@compat_rule("schema.bound.changed")
def request_bound_tightened(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.detail("tightened"):
        yield hit(change)


@compat_rule("schema.bound.changed")
def request_bound_loosened(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and not change.detail("tightened"):
        yield hit(change)


@compat_rule("schema.bound.changed")
def response_bound_loosened(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and not change.detail("tightened"):
        yield hit(change)


@compat_rule("schema.bound.changed")
def response_bound_tightened(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.detail("tightened"):
        yield hit(change)


@compat_rule("schema.multipleOf.changed")
def request_multiple_of_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value is not None:
        yield hit(change)


@compat_rule("schema.multipleOf.changed")
def response_multiple_of_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.old_value is not None:
        yield hit(change)


@compat_rule("schema.uniqueItems.changed")
def request_unique_items_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value is True:
        yield hit(change)


@compat_rule("schema.uniqueItems.changed")
def response_unique_items_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.old_value is True:
        yield hit(change)


@compat_rule("schema.pattern.changed")
def request_pattern_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change) and change.new_value is not None:
        yield hit(change)


@compat_rule("schema.pattern.changed")
def response_pattern_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change) and change.old_value is not None:
        yield hit(change)


# -- variants -------------------------------------------------------------------------------
@compat_rule("schema.variant.removed")
def request_variant_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change, variant=str(change.old_value))


@compat_rule("schema.variant.added")
def request_variant_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change, variant=str(change.new_value))


@compat_rule("schema.variant.added")
def response_variant_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change, variant=str(change.new_value))


@compat_rule("schema.variant.removed")
def response_variant_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change, variant=str(change.old_value))


@compat_rule("schema.wrapped")
def request_schema_wrapped_in_variants(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_request(change):
        yield hit(change)


@compat_rule("schema.wrapped")
def response_schema_wrapped_in_variants(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change)


@compat_rule("schema.discriminator.changed")
def schema_discriminator_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("schema.removed")
def response_schema_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if is_response(change):
        yield hit(change)


# -- everything else a schema can say -------------------------------------------------------
_OTHER = tuple(
    f"schema.{kw}.changed"
    for kw in (
        "items", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedItems", "additionalItems",
        "contentSchema", "contentMediaType", "contentEncoding", "dependentRequired", "patternProperties",
        "dependentSchemas", "prefixItems", "boolean",
    )
)


@compat_rule(*_OTHER)
def schema_keyword_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    """Keywords whose effect depends on the data: a warning so a person looks."""
    if change.direction:
        yield hit(change, keyword=change.kind.split(".")[1])


def _list(values: Any) -> str:
    from ._common import show

    return show(list(values or []))
