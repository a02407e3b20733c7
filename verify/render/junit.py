"""CI findings as JUnit XML: a test suite per document, a test case per claim, a failure per failing finding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from verify.render.findings import CiResult, Finding, Level

# Characters XML 1.0 cannot hold at all, not even escaped (C0 controls but tab/newline/CR, surrogates, U+FFFE/F).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAME_LEN = 120


def xml_text(text: str) -> str:
    """Text that any XML parser accepts: illegal characters dropped (ElementTree escapes the rest)."""
    return _ILLEGAL.sub("", text)


def _short(text: str, n: int = _NAME_LEN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _details(f: Finding) -> str:
    lines = [
        f"{f.file}:{f.line}:{f.column}",
        f"claim: {f.claim}",
        f"verdict: {f.label.value} (confidence {f.confidence:.2f})",
        f"reason: {f.reason}",
    ]
    if f.unknown_reason:
        lines.append(f"unknown because: {f.unknown_reason.value}")
    for n, c in enumerate(f.citations, start=1):
        meta = ", ".join(x for x in (c.publisher, c.published) if x)
        lines.append(f"[{n}] {c.title or c.doc_id}{' — ' + meta if meta else ''} {c.url} ({c.stance.value})")
        lines.append(f"    “{' '.join(c.passage.split())}”")
    return xml_text("\n".join(lines))


def render_junit(result: CiResult) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_file[f.file].append(f)
    errors_by_file: dict[str, list] = defaultdict(list)
    for p in result.input_errors:
        errors_by_file[p.path].append(p)

    root = ET.Element("testsuites", name="verify ci")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file in sorted(set(by_file) | set(errors_by_file)):
        suite = ET.SubElement(root, "testsuite", name=xml_text(file))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for p in errors_by_file.get(file, []):
            case = ET.SubElement(suite, "testcase", classname=xml_text(file), name="read document",
                                 file=xml_text(file))
            ET.SubElement(case, "error", message=xml_text(p.message), type="input-error").text = xml_text(p.message)
            counts["tests"] += 1
            counts["errors"] += 1
        for f in by_file.get(file, []):
            case = ET.SubElement(
                suite,
                "testcase",
                classname=xml_text(file),
                name=xml_text(f"line {f.line}: {_short(f.claim)}"),
                file=xml_text(file),
                line=str(f.line),
            )
            counts["tests"] += 1
            summary = xml_text(f"{f.label.value} (confidence {f.confidence:.2f}): {_short(f.reason, 300)}")
            if f.failing:
                ET.SubElement(case, "failure", message=summary, type=f.label.value).text = _details(f)
                counts["failures"] += 1
            elif f.suppressed:
                ET.SubElement(case, "skipped", message=xml_text(f"in baseline: {summary}"))
                counts["skipped"] += 1
            else:
                out = ET.SubElement(case, "system-out")
                note = "" if f.level != Level.WARNING else " (below the fail-on level or the minimum confidence)"
                out.text = _details(f) + note
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{result.seconds:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
