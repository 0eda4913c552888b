"""oneOf/anyOf variants are matched across versions by name, title or shape; a variant that
evolved is compared with its old self, not reported as one removed and another added."""

from __future__ import annotations

from pathlib import Path

from apiguard import compare, load_spec
from apiguard.loader import LoadOptions

ROOT = """\
openapi: 3.0.3
info: {title: Databases, version: "1.0"}
paths:
  /config:
    get:
      responses:
        "200":
          description: one variant per engine
          content:
            application/json:
              schema:
                anyOf:
                  - $ref: 'engines/mysql.yaml'
                  - $ref: 'engines/redis.yaml'
"""


def _version(folder: Path, mysql_props: list[str]) -> Path:
    (folder / "engines").mkdir(parents=True)
    (folder / "openapi.yaml").write_text(ROOT)
    props = "".join(f"  {p}: {{type: integer}}\n" for p in mysql_props)
    (folder / "engines" / "mysql.yaml").write_text("type: object\nproperties:\n" + props)
    (folder / "engines" / "redis.yaml").write_text("type: object\nproperties:\n  maxmemory: {type: integer}\n")
    return folder / "openapi.yaml"


def test_a_variant_that_is_a_whole_file_is_known_by_its_path(tmp_path: Path) -> None:
    """Multi-file specs keep one schema per file; the two versions live in two trees with the
    same layout. A variant file that gained properties (DigitalOcean's database config grew 16
    optional ones) is the same variant, grown: property-added, not variant removed and added."""
    old = _version(tmp_path / "v1", ["wait_timeout", "sql_mode"])
    new = _version(tmp_path / "v2", ["wait_timeout", "sql_mode", "binlog_retention", "net_buffer", "sort_buffer"])
    opts = LoadOptions(cwd=tmp_path)
    findings = compare(load_spec(str(old), opts), load_spec(str(new), opts)).findings
    rules = sorted(f.rule for f in findings)
    assert rules == ["response-property-added"] * 3, rules
    assert all(f.location is not None and f.location.file.endswith("v2/engines/mysql.yaml") for f in findings)


def _replace_redis(tmp_path: Path, valkey: str) -> list[str]:
    old = _version(tmp_path / "v1", ["wait_timeout"])
    new = _version(tmp_path / "v2", ["wait_timeout"])
    new.write_text(ROOT.replace("engines/redis.yaml", "engines/valkey.yaml"))
    (new.parent / "engines" / "valkey.yaml").write_text(valkey)
    opts = LoadOptions(cwd=tmp_path)
    return sorted(f.rule for f in compare(load_spec(str(old), opts), load_spec(str(new), opts)).findings)


def test_a_variant_file_replaced_by_another_shape_is_a_variant_change(tmp_path: Path) -> None:
    rules = _replace_redis(tmp_path, "type: object\nproperties:\n  eviction: {type: string}\n")
    assert rules == ["response-variant-added", "response-variant-removed"], rules


def test_a_variant_renamed_with_the_same_shape_is_no_change(tmp_path: Path) -> None:
    """Without a discriminator a variant's name never reaches the wire."""
    assert _replace_redis(tmp_path, "type: object\nproperties:\n  maxmemory: {type: integer}\n") == []


def test_a_renamed_variant_behind_a_discriminator_is_still_reported(tmp_path: Path) -> None:
    """With a discriminator the schema name can be the value clients switch on."""
    spec = """\
openapi: 3.0.3
info: {title: T, version: "1.0"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - $ref: '#/components/schemas/Cat'
                  - $ref: '#/components/schemas/Dog'
                discriminator: {propertyName: kind}
components:
  schemas:
    Cat: {type: object, properties: {kind: {type: string}, meows: {type: boolean}}}
    Dog: {type: object, properties: {kind: {type: string}, barks: {type: boolean}}}
"""
    (tmp_path / "old.yaml").write_text(spec)
    (tmp_path / "new.yaml").write_text(spec.replace("Dog", "Hound"))
    opts = LoadOptions(cwd=tmp_path)
    rules = {f.rule for f in compare(load_spec("old.yaml", opts), load_spec("new.yaml", opts)).findings}
    assert {"response-variant-added", "response-variant-removed"} <= rules, rules
