"""The documentation stays true: the generated rule reference is current, every command's help
has an example, the README names every configuration key and its quick start runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from typer.main import get_command

from apiguard.cli import app
from conftest import ROOT


def apiguard(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS", "COLUMNS")}
    return subprocess.run([sys.executable, "-m", "apiguard", *args], cwd=ROOT, capture_output=True, text=True, env=env)


def test_the_rule_reference_is_generated_from_the_catalog_and_current() -> None:
    proc = apiguard("rules", "--markdown")
    assert proc.returncode == 0, proc.stderr
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == proc.stdout, "docs/rules.md is stale: run `apiguard rules --markdown > docs/rules.md`"
    for md in (ROOT / "rules").glob("*.md"):
        assert f"### {md.stem}\n" in current, md.stem


def test_every_command_help_has_an_example() -> None:
    group = get_command(app)
    names = sorted(group.commands)  # type: ignore[attr-defined]
    assert {"diff", "lint", "check", "baseline", "changelog", "rules", "schema"} <= set(names)
    for name in names:
        proc = apiguard(name, "--help")
        assert proc.returncode == 0, (name, proc.stderr)
        assert "Examples:" in proc.stdout and f"apiguard {name}" in proc.stdout.split("Examples:", 1)[1], name


def test_the_readme_documents_every_configuration_key() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    schema = json.loads((ROOT / "src" / "apiguard" / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    for key in schema["properties"]:
        assert f"`{key}`" in section, f"README's Configuration section does not explain `{key}`"
    for key in schema["properties"]["suppressions"]["items"]["properties"]:
        assert f"`{key}`" in section, f"README does not explain the suppression key `{key}`"


def test_the_readme_quick_start_runs_and_shows_what_it_says() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```sh\npip install \. && (apiguard diff [^\n]+)\n```", readme)
    assert command, "the quick start command moved"
    args = command.group(1).split()[1:]
    proc = apiguard(*args)
    assert proc.returncode == 1, proc.stderr
    shown = readme.split("## What the first command shows", 1)[1].split("```\n", 2)[1]
    assert proc.stdout.strip() == shown.strip()


def test_the_readme_configuration_example_is_valid(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from apiguard.config import load_config

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Configuration", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / ".apiguard.yaml"
    path.write_text(block, encoding="utf-8")
    cfg = load_config(path)
    assert cfg.fail_on == "warning" and len(cfg.suppressions) == 2 and cfg.levels["component-unused"] is None
    assert str(cfg.suppressions[0].expires) == "2027-06-30"


def test_the_catalog_index_is_current() -> None:
    """rules/index.json holds the parsed front matter, so a run needs no YAML parser for the
    catalog. A stale index is ignored (next test), which would only cost speed: this keeps it
    from going stale unnoticed."""
    from apiguard.catalog import INDEX, _digest, _entry_texts

    index = json.loads((ROOT / "rules" / INDEX).read_text(encoding="utf-8"))
    assert index["digest"] == _digest(_entry_texts(ROOT / "rules")), "rules/index.json is stale: run `python -m apiguard.catalog`"


def test_a_stale_catalog_index_is_ignored(tmp_path: Path) -> None:
    from apiguard.catalog import INDEX, read_catalog

    for md in (ROOT / "rules").glob("*.md"):
        shutil.copy(md, tmp_path / md.name)
    shutil.copy(ROOT / "rules" / INDEX, tmp_path / INDEX)
    entry = tmp_path / "operation-removed-without-deprecation.md"
    text = entry.read_text(encoding="utf-8")
    assert "\nlevel: error\n" in text
    entry.write_text(text.replace("\nlevel: error\n", "\nlevel: warning\n", 1), encoding="utf-8")
    assert read_catalog(ROOT / "rules")["operation-removed-without-deprecation"].meta.level.name == "ERROR"
    assert read_catalog(tmp_path)["operation-removed-without-deprecation"].meta.level.name == "WARNING"


def test_a_json_diff_loads_no_yaml_parser(tmp_path: Path) -> None:
    """With a current catalog index, diffing two JSON specs never imports the YAML parser."""
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(spec), encoding="utf-8")
    code = (
        "import sys\nfrom apiguard.cli import main\nsys.argv = ['apiguard', 'diff', 'a.json', 'b.json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint('yaml_rs' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "False", proc.stdout + proc.stderr
