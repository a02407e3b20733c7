"""CI findings as SARIF 2.1.0, the format GitHub code scanning reads (one result per non-supported claim)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from verify.models import Label, UnknownReason
from verify.render.findings import CiResult, Finding, Level

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "verifyClaim/v1"  # partialFingerprints key: the stable finding id
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

RULES = {
    Label.CONTRADICTED: {
        "id": "contradicted",
        "name": "ContradictedClaim",
        "shortDescription": {"text": "A claim contradicted by the evidence corpus"},
        "fullDescription": {
            "text": "The evidence corpus states a different value (amount, date, place) or the opposite of this "
            "claim. The message names what differs and the cited sources."
        },
        "help": {
            "text": "Correct the claim, or cite the source it rests on in the evidence corpus. "
            "Accepted findings can be recorded with `verify ci --write-baseline`.",
            "markdown": "Correct the claim, or add the source it rests on to the evidence corpus. "
            "Accepted findings can be recorded with `verify ci --write-baseline FILE`.",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["fact-check", "contradicted"], "precision": "medium"},
    },
    Label.UNKNOWN: {
        "id": "unknown",
        "name": "UnverifiedClaim",
        "shortDescription": {"text": "A check-worthy claim the evidence corpus neither supports nor contradicts"},
        "fullDescription": {
            "text": "No relevant evidence, insufficient evidence, or conflicting evidence was found for this claim."
        },
        "help": {
            "text": "Add a source for the claim to the evidence corpus, or rephrase it.",
            "markdown": "Add a source for the claim to the evidence corpus, or rephrase it.",
        },
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["fact-check", "unknown"], "precision": "low"},
    },
}
_RULE_INDEX = {label: i for i, label in enumerate(RULES)}


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def artifact_uri(path: str) -> str:
    """A relative URI reference for a repository path (spaces, '#', '%' and non-ASCII percent-encoded)."""
    return quote(path.replace("\\", "/"), safe="/-._~")


def _message(f: Finding) -> str:
    head = f"{f.label.value.capitalize()} claim (confidence {f.confidence:.2f}): {f.claim}"
    parts = [head, f"Reason: {f.reason}"]
    urls = [c.url for c in f.citations if c.url.startswith(("http://", "https://"))]
    if urls:
        parts.append("Evidence: " + " ; ".join(dict.fromkeys(urls)))
    elif f.citations:
        parts.append("Evidence: " + " ; ".join(dict.fromkeys(c.title or c.doc_id for c in f.citations)))
    return _clean(" — ".join(parts))


def _reported(f: Finding) -> bool:
    return f.label in RULES and f.unknown_reason != UnknownReason.NOT_CHECKWORTHY


def _result(f: Finding, with_baseline: bool) -> dict:
    region: dict = {"startLine": max(1, f.line), "startColumn": max(1, f.column)}
    if f.end_line and f.end_line >= region["startLine"]:
        region["endLine"] = f.end_line
        if f.end_column and (f.end_line > region["startLine"] or f.end_column > region["startColumn"]):
            region["endColumn"] = f.end_column
    if f.sentence:
        region["snippet"] = {"text": _clean(f.sentence)}
    result: dict = {
        "ruleId": RULES[f.label]["id"],
        "ruleIndex": _RULE_INDEX[f.label],
        "level": "error" if f.level == Level.ERROR else "warning",
        "message": {"text": _message(f)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(f.file), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: f.id},
        "properties": {
            "claim": _clean(f.claim),
            "label": f.label.value,
            "confidence": round(f.confidence, 4),
            "unknownReason": f.unknown_reason.value if f.unknown_reason else None,
            "citations": [
                {
                    "title": _clean(c.title),
                    "url": _clean(c.url),
                    "publisher": _clean(c.publisher),
                    "published": _clean(c.published),
                    "passage": _clean(c.passage),
                    "stance": c.stance.value,
                }
                for c in f.citations
            ],
        },
    }
    if with_baseline:
        result["baselineState"] = "unchanged" if f.suppressed else "new"
    if f.suppressed:
        result["suppressions"] = [{"kind": "external", "justification": "recorded in the verify baseline"}]
    return result


def _notification(problem) -> dict:
    note: dict = {
        "level": "error" if problem.severity == "error" else "warning",
        "message": {"text": _clean(problem.message)},
    }
    if problem.path and problem.path != "-":
        loc: dict = {"artifactLocation": {"uri": artifact_uri(problem.path)}}
        if problem.line:
            loc["region"] = {"startLine": problem.line}
        note["locations"] = [{"physicalLocation": loc}]
    return note


def render_sarif(result: CiResult) -> str:
    with_baseline = result.baseline is not None
    run: dict = {
        "tool": {
            "driver": {
                "name": "verify",
                "semanticVersion": result.tool_version or "0.0.0",
                "rules": list(RULES.values()),
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {
                "executionSuccessful": not result.input_errors,
                "toolExecutionNotifications": [_notification(p) for p in result.problems],
            }
        ],
        "results": [_result(f, with_baseline) for f in result.findings if _reported(f)],
        "properties": {
            "failOn": result.fail_on.value,
            "minConfidence": result.min_confidence,
            "documents": len(result.documents),
            "counts": result.counts(),
            "encoder": result.encoder,
            "judges": result.judges,
        },
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
