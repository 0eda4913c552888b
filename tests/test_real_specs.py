"""End to end on the real public specs in ../shared/specs: every spec loads, validates, and
compares equal to itself and to its JSON/YAML twin."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiguard import compare, load_spec

from conftest import need_specs

SINGLE = [
    "github/new-1cf3739.json",
    "github/prev-d4f05e0.json",
    "github/old-4cf46ad.json",
    "stripe/new-e0123a3.yaml",
    "stripe/latest-63a6746.yaml",
    "openai/new-f85dbe2.yaml",
    "openai/old-5162af9.yaml",
    "misc/oai-petstore-expanded-v2.0-fad4c13.yaml",
    "misc/oai-petstore-expanded-v3.0-fad4c13.yaml",
    "misc/oai-webhook-example-v3.1-fad4c13.yaml",
    "misc/redocly-museum-v3.1-2770b2b.yaml",
    "misc/twilio-2010-04-01-swagger2-4c18c8f.yaml",
    "misc/trello-1.0-swagger2-4c18c8f.yaml",
    "misc/jira-7.6.1-4c18c8f.json",
    "misc/stackexchange-2.0-4c18c8f.yaml",
    "digitalocean/new-7c1300c/specification/DigitalOcean-public.v2.yaml",
]

TWINS = [
    ("stripe/new-e0123a3.json", "stripe/new-e0123a3.yaml"),
    ("stripe/old-4d2f301.json", "stripe/old-4d2f301.yaml"),
    ("github/new-1cf3739.json", "github/new-1cf3739.converted.yaml"),
    ("github/old-4cf46ad.json", "github/old-4cf46ad.converted.yaml"),
    ("openai/new-f85dbe2.json", "openai/new-f85dbe2.yaml"),
]

# Operation counts from ../shared/specs/README.md.
OPERATIONS = {
    "github/new-1cf3739.json": 874,
    "stripe/new-e0123a3.yaml": 417,
    "openai/new-f85dbe2.yaml": 288,
    "digitalocean/new-7c1300c/specification/DigitalOcean-public.v2.yaml": 659,
    # 324 in the README, but two of them are one endpoint (see the validation test below)
    "misc/trello-1.0-swagger2-4c18c8f.yaml": 323,
    "misc/jira-7.6.1-4c18c8f.json": 324,
}


@pytest.mark.parametrize("rel", SINGLE)
def test_spec_against_itself_gives_nothing(rel: str) -> None:
    path = need_specs() / rel
    a = load_spec(str(path))
    b = load_spec(str(path))
    if rel in OPERATIONS:
        assert len(a.operations) == OPERATIONS[rel]
    result = compare(a, b)
    assert result.changes == []
    assert [f for f in result.findings if f.rule != "spec-invalid"] == []
    assert result.semver in ("none", "patch") or result.findings


@pytest.mark.parametrize("json_rel,yaml_rel", TWINS, ids=[t[0] for t in TWINS])
def test_json_and_yaml_twins_are_the_same_spec(json_rel: str, yaml_rel: str) -> None:
    root = need_specs()
    j = load_spec(str(root / json_rel))
    y = load_spec(str(root / yaml_rel))
    assert j.documents[j.resolver.root_key].format == "json"
    assert y.documents[y.resolver.root_key].format == "yaml"
    assert list(j.operations) == list(y.operations)
    assert compare(j, y).changes == [] and compare(y, j).changes == []
    # the parsed values agree too (key order aside), except where the converted YAML relies on
    # YAML 1.1: PyYAML wrote '012345678912345678' unquoted, which YAML 1.2 reads as an integer.
    differ = _differences(j.root.value, y.root.value)
    if "converted" in yaml_rel:
        assert differ and all(p.endswith("/key_id") and "example" in p for p in differ), differ
    else:
        assert differ == []
    assert [f.message.replace(j.name, "SPEC") for f in j.problems] == [f.message.replace(y.name, "SPEC") for f in y.problems]


def _differences(a: object, b: object, pointer: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{pointer}/{k}" for k in set(a) ^ set(b)]
        for k in set(a) & set(b):
            out.extend(_differences(a[k], b[k], f"{pointer}/{k}"))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{pointer}/{i}")]
    return [] if a == b and type(a) is type(b) else [pointer]


def test_known_validation_problems_of_real_specs() -> None:
    """Real specs are valid, except what we know: Jira 7.6.1 reuses operationIds and declares
    endpoints twice under different parameter names, Trello does the latter once, and GitHub's
    2021 description references an example that does not exist."""
    root = need_specs()
    jira = load_spec(str(root / "misc/jira-7.6.1-4c18c8f.json"))
    assert jira.problems and all(
        "operationIds must be unique" in f.message or "differ only in parameter names" in f.message for f in jira.problems
    )
    gh = load_spec(str(root / "github/old-4cf46ad.json"))
    assert [f.message for f in gh.problems] == [
        "$ref '#/components/examples/code-of-conduct-2' points at nothing: no 'code-of-conduct-2' under "
        f"#/components/examples in {root / 'github/old-4cf46ad.json'}"
    ]
    assert gh.problems[0].location is not None and gh.problems[0].location.line == 39682
    trello = load_spec(str(root / "misc/trello-1.0-swagger2-4c18c8f.yaml"))
    messages = [f.message for f in trello.problems]
    assert len(messages) == 4 and all("differ only in parameter names" in m for m in messages)
    assert any("/boards/{idBoard}/cards/{idCard}" in m and "/boards/{idBoard}/cards/{filter}" in m for m in messages)
    for rel in ("github/new-1cf3739.json", "stripe/new-e0123a3.yaml", "openai/new-f85dbe2.yaml"):
        assert load_spec(str(root / rel)).problems == [], rel


def test_digitalocean_multi_file_locations_point_into_the_right_file() -> None:
    root = need_specs()
    spec = load_spec(str(root / "digitalocean/new-7c1300c/specification/DigitalOcean-public.v2.yaml"))
    assert len(spec.documents) > 1000
    op = spec.operations["get /v2/1-clicks"]
    loc = spec.locate(op.node.where)
    assert loc.file.endswith("resources/1-clicks/oneClicks_list.yml")
    text = Path(loc.file).read_text().splitlines()
    assert text[loc.line - 1].startswith(("operationId", "summary", "description", "tags")) or loc.line == 1


SHORTCUT_PAIRS = [
    ("openai/old-5162af9.yaml", "openai/new-f85dbe2.yaml", 200),
    ("github/old-4cf46ad.json", "github/new-1cf3739.json", 300),
    ("stripe/old-4d2f301.yaml", "stripe/new-e0123a3.yaml", 200),
    ("digitalocean/prev-8c740d3/specification/DigitalOcean-public.v2.yaml",
     "digitalocean/new-7c1300c/specification/DigitalOcean-public.v2.yaml", 1),
]


@pytest.mark.parametrize("old_path,new_path,at_least", SHORTCUT_PAIRS, ids=lambda v: str(v).split("/")[0])
def test_equal_subtree_shortcut_changes_nothing(old_path: str, new_path: str, at_least: int) -> None:
    """The diff skips equal subtrees whose references lead to equal nodes all the way down; on
    real pairs (hundreds of changes, shared components, recursive schemas, many files) the
    result must be exactly what the full walk finds."""
    from apiguard import diff as diff_module

    root = need_specs()
    old = load_spec(str(root / old_path))
    new = load_spec(str(root / new_path))
    fast = diff_module.compare(old, new)

    class Full(diff_module.Differ):
        def _same_below(self, value: object, ow: object, nw: object) -> bool:
            return False

    full = Full(old, new).run()
    key = lambda c: (c.kind, c.old, c.new, c.direction, tuple(sorted(c.operations)))  # noqa: E731
    assert len(fast) >= at_least
    assert sorted(map(key, fast)) == sorted(map(key, full))


def test_loading_a_multi_file_spec_leaves_no_cyclic_garbage_behind() -> None:
    """The CLI runs with the cyclic GC off, so whatever a load leaves in reference cycles stays
    until the process ends. Validating a multi-file spec bundles it (a full copy); that copy
    once stayed alive through a self-referring closure: 10 MB on DigitalOcean's spec."""
    import gc

    root = need_specs()
    path = root / "digitalocean/new-7c1300c/specification/DigitalOcean-public.v2.yaml"
    gc.collect()
    gc.disable()
    try:
        spec = load_spec(str(path))
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        garbage = [o for o in gc.garbage if type(o) is dict]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()

    def count(value: object) -> int:
        if isinstance(value, dict):
            return 1 + sum(count(v) for v in value.values())
        if isinstance(value, list):
            return sum(count(v) for v in value)
        return 0

    loaded = sum(count(doc.data) for doc in spec.documents.values())
    assert loaded > 10_000
    assert len(garbage) < loaded / 100, f"{len(garbage)} dicts left in cycles after loading {loaded}"


SEED_PAIRS = [
    # Shared schemas reached from many operations: the order of a finding's operations (and so
    # its fingerprint) once followed the walk's set order, which the hash seed changes.
    ("stripe/old-4d2f301.yaml", "stripe/new-e0123a3.yaml"),
    # Schemas in files of their own, with no component name: a finding's subject is the first
    # path that reaches it, which once followed the set order of property names.
    ("digitalocean/old-b236aea/specification/DigitalOcean-public.v2.yaml",
     "digitalocean/new-7c1300c/specification/DigitalOcean-public.v2.yaml"),
]


@pytest.mark.parametrize("old_path,new_path", SEED_PAIRS, ids=lambda v: str(v).split("/")[0])
def test_diff_reports_are_the_same_whatever_the_hash_seed(old_path: str, new_path: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = need_specs()
    reports = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.sarif"
        proc = subprocess.run(
            [sys.executable, "-m", "apiguard", "diff", str(root / old_path), str(root / new_path), "--format", "sarif", "-o", str(out)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        assert proc.returncode in (0, 1), proc.stderr
        reports.append(out.read_bytes())
    assert reports[0] == reports[1]


def test_comparing_leaves_no_cyclic_garbage_behind() -> None:
    """The same as for loading, for the diff: giving changes their operations once cached lists
    in a dict that a self-referring closure kept alive (7.7 MiB on the Stripe pair), and the
    graph of compared pairs, cyclic where schemas are recursive, outlived the comparison."""
    import gc

    from apiguard.diff import compare

    root = need_specs()
    old = load_spec(str(root / "stripe/old-4d2f301.yaml"))
    new = load_spec(str(root / "stripe/new-e0123a3.yaml"))
    gc.collect()
    gc.disable()
    try:
        changes = compare(old, new)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        garbage = [o for o in gc.garbage if type(o) in (dict, list)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(changes) > 200
    assert len(garbage) < 50, f"{len(garbage)} dicts and lists left in cycles after comparing"
