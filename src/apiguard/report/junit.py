"""JUnit XML for GitLab, Jenkins and other CI systems: a testsuite per spec, a testcase per rule
and operation with findings (a failure when one is at or above `--fail-on`), and one passing
testcase per rule that ran and found nothing, so a clean run still shows what was checked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from ..model import Finding
from . import Report

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _line(report: Report, f: Finding) -> str:
    where = report.place(f)
    return f"{f.level.label} {f.rule}{' at ' + where if where else ''}: {f.message}"


def render_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name=f"apiguard {report.command}")
    total_tests = total_failures = 0
    for run in report.runs:
        groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in run.findings:
            groups[(f.rule, f.operations[0] if f.operations else "(whole spec)")].append(f)
        suite_name = f"{run.base} -> {run.spec}" if run.base else run.spec
        suite = ET.SubElement(suites, "testsuite", name=_clean(suite_name))
        tests = failures = 0
        for (rule, op), found in sorted(groups.items()):
            case = ET.SubElement(suite, "testcase", classname=_clean(rule), name=_clean(op))
            loc = found[0].location or found[0].old_location
            if loc is not None:
                case.set("file", _clean(report.relative(loc.file)[0]))
                case.set("line", str(loc.line))
            tests += 1
            failing = [f for f in found if report.failing(f)]
            text = _clean("\n".join(_line(report, f) for f in found))
            if failing:
                failures += 1
                worst = max(failing, key=lambda f: int(f.level))
                failure = ET.SubElement(case, "failure", message=_clean(worst.message), type=worst.level.label)
                failure.text = text
            else:
                ET.SubElement(case, "system-out").text = text
        fired = {rule for rule, _ in groups}
        for rule in sorted(set(run.rules) - fired):
            ET.SubElement(suite, "testcase", classname=_clean(rule), name="no findings")
            tests += 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    suites.set("errors", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
