"""What the CLI shares between the two versions it compares, and what loading keeps small:
files with the same path and bytes parsed once (`document.share_files`), file keys, reference
targets and `$ref` mappings held once (`document.run_table`), small texts released and read
again when needed (`Document.release`), and a bundle for validation that copies only what it
must (`resolve.Bundle`). None of it may change a result."""

from __future__ import annotations

import json
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from apiguard import compare, load_spec
from apiguard import document as D
from apiguard.errors import InputError
from apiguard.loader import LoadOptions
from apiguard.model import Where
from apiguard.resolve import Bundle
from apiguard.sources import SourceOptions, open_source

from conftest import need_specs


@contextmanager
def sharing() -> Iterator[None]:
    """The tables `apiguard.cli.run` sets for a process, for the length of the block."""
    D.share_strings({})
    D.share_files(weakref.WeakValueDictionary())
    try:
        yield
    finally:
        D.share_strings(None)
        D.share_files(None)


@pytest.fixture
def shared_run() -> Iterator[None]:
    with sharing():
        yield


def write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder / "openapi.yaml"


def _get(path: str, ref: str) -> str:
    """A path whose GET answers 200 with the schema in file `ref`."""
    return (
        f"  {path}:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        f"          content:\n            application/json:\n              schema: {{$ref: '{ref}'}}\n"
    )


ROOT = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n" + _get("/pets", "schemas/pet.yaml") + _get("/owners", "schemas/owner.yaml")
PET = "type: object\nrequired: [id, name]\nproperties:\n  id: {type: integer}\n  name: {type: string}\n  owner: {$ref: 'owner.yaml'}\n"
OWNER = "type: object\nproperties:\n  id: {type: integer}\n  email: {type: string}\n"


def two_versions(tmp_path: Path) -> tuple[Path, Path]:
    old = write(tmp_path / "old", {"openapi.yaml": ROOT, "schemas/pet.yaml": PET, "schemas/owner.yaml": OWNER})
    # The new version removes a response property from the owner; the pet file is unchanged.
    new = write(
        tmp_path / "new",
        {"openapi.yaml": ROOT, "schemas/pet.yaml": PET, "schemas/owner.yaml": OWNER.replace("  email: {type: string}\n", "")},
    )
    return old, new


def outcome(old: Path, new: Path) -> list[tuple[str, str, str, str]]:
    result = compare(load_spec(str(old)), load_spec(str(new)))
    return sorted((f.rule, f.message, str(f.location), str(f.old_location)) for f in result.findings)


def test_files_with_the_same_path_and_bytes_are_parsed_once(tmp_path: Path, shared_run: None) -> None:
    old_path, new_path = two_versions(tmp_path)
    old, new = load_spec(str(old_path)), load_spec(str(new_path))
    pet_old, pet_new = old.documents["schemas/pet.yaml"], new.documents["schemas/pet.yaml"]
    assert pet_old is not pet_new and pet_old.name != pet_new.name  # each version names its own file
    assert pet_old.data is pet_new.data
    assert old.documents["openapi.yaml"].data is new.documents["openapi.yaml"].data
    owner_old, owner_new = old.documents["schemas/owner.yaml"], new.documents["schemas/owner.yaml"]
    assert owner_old.data is not owner_new.data and "email" not in owner_new.data["properties"]
    # Keys and reference targets are one object for both versions.
    assert next(k for k in old.documents if k == "schemas/pet.yaml") is next(k for k in new.documents if k == "schemas/pet.yaml")


def test_sharing_changes_no_finding_and_no_location(tmp_path: Path) -> None:
    old, new = two_versions(tmp_path)
    alone = outcome(old, new)
    with sharing():
        together = outcome(old, new)
    assert alone and together == alone
    # Each side is placed in its own version's file, although most of their data is shared.
    assert any("new/schemas/owner.yaml" in loc and "old/schemas/owner.yaml" in old_loc for _, _, loc, old_loc in together)
    assert all("old/" not in loc and "new/" not in old_loc for _, _, loc, old_loc in together)


def test_a_mapping_that_is_only_a_reference_is_one_object_in_a_run(tmp_path: Path, shared_run: None) -> None:
    root = ROOT + _get("/pets2", "schemas/pet.yaml").replace("schema: {$ref: 'schemas/pet.yaml'}", "schema: {$ref: 'schemas/pet.yaml', description: d}")
    spec = load_spec(str(write(tmp_path, {"openapi.yaml": root + _get("/pets3", "schemas/pet.yaml"), "schemas/pet.yaml": PET, "schemas/owner.yaml": OWNER})))

    def schema(path: str) -> Any:
        return spec.documents["openapi.yaml"].data["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert schema("/pets") is schema("/pets3") and schema("/pets") == {"$ref": "schemas/pet.yaml"}
    assert schema("/pets2") is not schema("/pets") and schema("/pets2")["description"] == "d"  # not only a reference
    # The same written reference in another file is the same object too; what it points at is
    # decided by the file it stands in.
    assert spec.documents["schemas/pet.yaml"].data["properties"]["owner"] is not schema("/pets")
    other = load_spec(str(write(tmp_path / "v2", {"openapi.yaml": root, "schemas/pet.yaml": PET.replace("name", "title"), "schemas/owner.yaml": OWNER})))
    assert other.documents["schemas/pet.yaml"].data["properties"]["owner"] is spec.documents["schemas/pet.yaml"].data["properties"]["owner"]


def test_a_json_mapping_that_is_only_a_reference_is_one_object_too() -> None:
    pet = {"$ref": "#/components/schemas/Pet"}
    ok = {"description": "ok", "content": {"application/json": {"schema": pet}}}
    doc = D.parse("a.json", json.dumps({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": ok}}}, "/b": {"get": {"responses": {"200": ok, "201": {"$ref": "#/x", "description": "d"}}}}},
        "components": {"schemas": {"Pet": {"type": "object"}}},
    }).encode())
    a, b = (doc.data["paths"][p]["get"]["responses"] for p in ("/a", "/b"))
    assert a["200"]["content"]["application/json"]["schema"] is b["200"]["content"]["application/json"]["schema"]
    assert a["200"] is not b["200"] and b["201"] == {"$ref": "#/x", "description": "d"}


def test_reference_targets_are_one_object_for_both_versions(tmp_path: Path, shared_run: None) -> None:
    old_path, new_path = two_versions(tmp_path)
    old, new = load_spec(str(old_path)), load_spec(str(new_path))
    at = Where("schemas/pet.yaml", "/properties/owner")
    assert old.resolver.resolve_ref("owner.yaml", at) is new.resolver.resolve_ref("owner.yaml", at)


def test_the_last_spec_of_a_run_empties_the_sharing_tables_and_changes_nothing(tmp_path: Path, shared_run: None) -> None:
    old_path, new_path = two_versions(tmp_path)
    new = load_spec(str(new_path))
    assert D._run_tables and all(D._run_tables.values()) and len(D._files)
    old = load_spec(str(old_path), LoadOptions(last=True))
    assert not any(D._run_tables.values()) and not len(D._files)
    # The old version still shares the files the new one parsed first, and judges the same.
    assert old.documents["schemas/pet.yaml"].data is new.documents["schemas/pet.yaml"].data
    expected = outcome(old_path, new_path)
    assert sorted((f.rule, f.message, str(f.location), str(f.old_location)) for f in compare(old, new).findings) == expected


def test_the_files_of_a_folder_share_one_table_of_references_to_other_files(tmp_path: Path) -> None:
    files = {
        "openapi.yaml": ROOT,
        "schemas/pet.yaml": PET + "  tag: {$ref: '#/properties/name'}\n",
        "schemas/owner.yaml": OWNER + "  pet: {$ref: 'pet.yaml'}\n  tag: {$ref: '#/properties/email'}\n",
        "other/pet.yaml": PET,  # the same written reference, another folder
        "other/owner.yaml": OWNER,
    }
    files["openapi.yaml"] += _get("/other", "other/pet.yaml")
    spec = load_spec(str(write(tmp_path, files)), LoadOptions(validate="off"))
    r = spec.resolver
    pet, owner, other = Where("schemas/pet.yaml", ""), Where("schemas/owner.yaml", ""), Where("other/pet.yaml", "")
    assert r.resolve_ref("owner.yaml", pet) == Where("schemas/owner.yaml", "")
    assert r.resolve_ref("owner.yaml", other) == Where("other/owner.yaml", "")
    assert r._targets["schemas/pet.yaml"] is r._targets["schemas/owner.yaml"] is not r._targets["other/pet.yaml"]
    # A reference within the file means that file: one table per file.
    assert r.resolve_ref("#/properties/name", pet) == Where("schemas/pet.yaml", "/properties/name")
    assert r.resolve_ref("#/properties/email", owner) == Where("schemas/owner.yaml", "/properties/email")


def test_a_file_of_the_same_size_with_other_bytes_is_parsed_again(tmp_path: Path, shared_run: None) -> None:
    old = write(tmp_path / "old", {"openapi.yaml": ROOT, "schemas/pet.yaml": PET, "schemas/owner.yaml": OWNER})
    changed = OWNER.replace("email: {type: string}", "email: {type: number}")
    assert len(changed) == len(OWNER)
    new = write(tmp_path / "new", {"openapi.yaml": ROOT, "schemas/pet.yaml": PET, "schemas/owner.yaml": changed})
    a, b = load_spec(str(old)), load_spec(str(new))
    assert a.documents["schemas/owner.yaml"].data["properties"]["email"] == {"type": "string"}
    assert b.documents["schemas/owner.yaml"].data["properties"]["email"] == {"type": "number"}
    assert [f.rule for f in compare(a, b).findings] == ["response-type-changed"]


def test_the_same_bytes_under_another_path_are_parsed_again(tmp_path: Path, shared_run: None) -> None:
    files = {"openapi.yaml": ROOT.replace("schemas/owner.yaml", "other/pet.yaml"), "schemas/pet.yaml": PET.replace("owner.yaml", "pet.yaml"), "other/pet.yaml": PET.replace("owner.yaml", "pet.yaml")}
    spec = load_spec(str(write(tmp_path, files)))
    one, two = spec.documents["schemas/pet.yaml"], spec.documents["other/pet.yaml"]
    assert one.data == two.data and one.data is not two.data


def test_a_swagger_2_root_shared_by_both_versions_is_converted_for_each(tmp_path: Path, shared_run: None) -> None:
    root = (
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      produces: [application/json]\n"
        "      responses:\n        '200':\n          description: ok\n          schema: {$ref: 'pet.yaml'}\n"
    )
    old = write(tmp_path / "old", {"openapi.yaml": root, "pet.yaml": PET.replace("  owner: {$ref: 'owner.yaml'}\n", "")})
    new = write(tmp_path / "new", {"openapi.yaml": root, "pet.yaml": PET.replace("  owner: {$ref: 'owner.yaml'}\n", "").replace("  name: {type: string}\n", "")})
    a, b = load_spec(str(old)), load_spec(str(new))
    assert a.documents["openapi.yaml"].source_data is b.documents["openapi.yaml"].source_data
    for spec in (a, b):
        assert "swagger" in spec.documents["openapi.yaml"].source_data and "openapi" in spec.documents["openapi.yaml"].data
    findings = compare(a, b).findings
    assert [f.rule for f in findings] == ["response-required-property-removed"], [f.rule for f in findings]


# -- released texts -------------------------------------------------------------------------


def released(tmp_path: Path, text: str | bytes, name: str = "a.yaml") -> tuple[D.Document, Path]:
    """A document parsed from file `name` of a folder, named by its source, and released."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    source = open_source(str(path), SourceOptions(cwd=tmp_path))
    doc = D.parse_file(source.root_key, source.display(source.root_key), source.read(source.root_key))
    doc.name_by(source, source.root_key)
    doc.release()
    return doc, path


def test_a_released_text_is_read_again_and_locates_as_before(tmp_path: Path) -> None:
    text = "openapi: 3.0.3\ninfo:\n  title: café\n  version: '1'\n  x-apiguard-ignore: [x]\npaths: {}\n"
    doc, _ = released(tmp_path, text)
    assert doc._text is None
    assert doc.text == D.byte_view(text)  # read from the file again
    assert doc.mentions("x-apiguard-ignore") and not doc.mentions("nowhere") and doc.mentions("café".encode().decode("latin-1"))
    assert doc.locate("/info/version").line == 4
    assert doc._text == D.byte_view(text)  # kept while open (see test_only_a_few_files_read_again_stay_open)
    doc.release()  # a located document keeps its text: its source map reads it
    assert doc._text is not None


def test_a_file_changed_after_its_release_is_an_input_error(tmp_path: Path) -> None:
    text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    doc, path = released(tmp_path, text)
    path.write_text(text.replace("title: t", "title: u"), encoding="utf-8")  # same size, other bytes
    with pytest.raises(InputError) as caught:
        doc.locate("/info")
    assert "changed while apiguard was reading it" in caught.value.message and caught.value.file == doc.name


def test_texts_that_are_not_the_files_bytes_or_large_are_kept(tmp_path: Path) -> None:
    bom, _ = released(tmp_path, b"\xef\xbb\xbfopenapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", "bom.yaml")
    utf16, _ = released(tmp_path, "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n".encode("utf-16"), "u16.yaml")
    large, _ = released(tmp_path, "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n" + "# padding\n" * (D._RELEASE_UP_TO // 10 + 1), "big.yaml")
    assert bom._text is not None and utf16._text is not None and large._text is not None
    assert bom.locate("/info").line == 2 and utf16.locate("/info").line == 2


def test_only_a_few_files_read_again_stay_open(tmp_path: Path) -> None:
    n = D._OPEN_AT_MOST + 4
    root = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n" + "".join(_get(f"/p{i}", f"schemas/s{i}.yaml") for i in range(n))
    files = {"openapi.yaml": root, **{f"schemas/s{i}.yaml": "# a comment\n" * i + "type: object\n" for i in range(n)}}
    spec = load_spec(str(write(tmp_path, files)), LoadOptions(validate="off"))
    docs = [spec.documents[f"schemas/s{i}.yaml"] for i in range(n)]
    assert [doc.locate("/type").line for doc in docs] == [i + 1 for i in range(n)]
    # The oldest are released again, with what was built from their text; placing a finding in
    # one reads it once more.
    assert sum(doc._text is not None for doc in docs) == D._OPEN_AT_MOST
    assert docs[0]._text is None and docs[0]._locator is None and docs[-1]._text is not None
    assert docs[0].locate("/type").line == 1 and docs[0]._text is not None


def test_every_file_of_a_multi_file_spec_is_released_after_loading(tmp_path: Path) -> None:
    old, _ = two_versions(tmp_path)
    spec = load_spec(str(old), LoadOptions(validate="off"))
    assert all(doc._text is None for doc in spec.documents.values())
    assert spec.documents["schemas/pet.yaml"].locate("/properties/owner").line == 6


# -- the validation bundle ------------------------------------------------------------------


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def test_the_bundle_copies_only_the_mappings_on_the_way_to_a_reference(tmp_path: Path) -> None:
    old, _ = two_versions(tmp_path)
    spec = load_spec(str(old), LoadOptions(validate="off"))
    before = json.dumps({k: d.data for k, d in spec.documents.items()}, sort_keys=True)
    bundle = Bundle(spec.resolver)
    pet_schema = bundle.data["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    pet = spec.documents["schemas/pet.yaml"].data
    assert pet_schema is not pet and pet_schema["properties"]["owner"]["properties"]["email"] == {"type": "string"}
    # Below a mapping with nothing to inline, the file's own objects are used.
    assert pet_schema["required"] is pet["required"] and pet_schema["properties"]["id"] is pet["properties"]["id"]
    assert bundle.data["info"] is spec.documents["openapi.yaml"].data["info"]
    # The owner file is inlined once and shared by both places that reference it.
    owner = bundle.data["paths"]["/owners"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert owner is pet_schema["properties"]["owner"] and owner is spec.documents["schemas/owner.yaml"].data
    assert not any(isinstance(v, dict) and "$ref" in v for v in walk(bundle.data))
    # Nothing the files hold was changed.
    assert json.dumps({k: d.data for k, d in spec.documents.items()}, sort_keys=True) == before
    assert bundle.origin("/paths/~1pets/get/responses/200/content/application~1json/schema/properties/name").doc == "schemas/pet.yaml"


def test_a_pointer_of_the_bundle_is_traced_back_through_the_files(tmp_path: Path) -> None:
    # The root references a path item file, which references a response in a third file, whose
    # schema is a local reference of that file; the schema refers to itself (left as written).
    files = {
        "openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets: {$ref: 'paths/pets.yaml'}\n",
        "paths/pets.yaml": "get:\n  responses:\n    '200': {$ref: '../shared.yaml#/Ok'}\n",
        "shared.yaml": (
            "Ok:\n  description: ok\n  content:\n    application/json:\n      schema: {$ref: '#/Pet'}\n"
            "Pet:\n  type: object\n  properties:\n    name: {type: string}\n    parent: {$ref: '#/Pet'}\n"
        ),
    }
    spec = load_spec(str(write(tmp_path, files)), LoadOptions(validate="off"))
    bundle = Bundle(spec.resolver)
    schema = "/paths/~1pets/get/responses/200/content/application~1json/schema"
    assert bundle.data["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["parent"] == {"$ref": "#/Pet"}
    traced = {p: bundle.origin(p) for p in (schema + "/properties/name/type", schema + "/properties/parent/$ref", "/paths/~1pets/get", "/info/title")}
    assert [(w.doc, w.pointer) for w in traced.values()] == [
        ("shared.yaml", "/Pet/properties/name/type"),
        ("shared.yaml", "/Pet/properties/parent/$ref"),
        ("paths/pets.yaml", "/get"),
        ("openapi.yaml", "/info/title"),
    ]
    # A pointer the files do not have stops at the last place they do.
    missing = bundle.origin(schema + "/properties/nothing/here")
    assert (missing.doc, missing.pointer) == ("shared.yaml", "/Pet/properties/nothing/here")


def test_a_multi_file_spec_is_still_validated_whole(tmp_path: Path) -> None:
    files = {"openapi.yaml": ROOT, "schemas/pet.yaml": PET, "schemas/owner.yaml": OWNER.replace("type: object", "type: objekt")}
    spec = load_spec(str(write(tmp_path, files)), LoadOptions(validate="fast"))
    problems = [f for f in spec.problems if f.rule == "spec-invalid"]
    # The bad type is in another file: only the bundled whole shows it (the validator reports
    # it at the response whose `oneOf` of Response and Reference fails).
    assert problems and any("objekt" in f.message for f in problems)
    files["schemas/owner.yaml"] = OWNER
    assert load_spec(str(write(tmp_path, files)), LoadOptions(validate="fast")).problems == []


# -- the real multi-file pair -----------------------------------------------------------------


DO = "digitalocean/{}/specification/DigitalOcean-public.v2.yaml"


def test_digitalocean_findings_are_the_same_with_shared_files() -> None:
    root = need_specs()
    old, new = str(root / DO.format("old-b236aea")), str(root / DO.format("new-7c1300c"))

    def run() -> tuple[list[tuple[str, str, str, str]], int]:
        a, b = load_spec(old), load_spec(new)
        same = sum(1 for k, doc in b.documents.items() if k in a.documents and a.documents[k].data is doc.data)
        findings = compare(a, b).findings + a.problems + b.problems
        return sorted((f.rule, f.message, str(f.location), str(f.old_location)) for f in findings), same

    alone, shared_alone = run()
    with sharing():
        together, shared = run()
    assert shared_alone == 0 and shared > 500
    assert len(alone) > 50 and together == alone
