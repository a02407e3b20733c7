"""`verify eval NAME`: measured quality on public benchmarks (full pipeline), or the judge on gold evidence."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from verify import DEFAULT_ENCODER
from verify.cli.options import (
    EXIT_INDEX,
    EXIT_INPUT,
    EncoderOpt,
    JudgeOpt,
    NliOpt,
    ThresholdsOpt,
    TopKOpt,
    fail,
    write_output,
)

PIPELINE_SETS = ("climate-fever", "healthfc", "healthfc-de", "healthfc-en", "covid-fact", "averitec", "fever-jsonl", "articles")
GOLD_SETS = ("xnli-de", "xnli-en-de", "xnli-en", "rte3-de", "mnli-choice-en", "swaps-de", "covid-fact", "climate-fever", "healthfc",
             "healthfc-de", "healthfc-en", "fv-dev", "averitec")


class EvalFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


class Split(str, Enum):
    dev = "dev"
    test = "test"
    all = "all"


def _pct(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _two_way_markdown(res: dict) -> list[str]:
    """The 2-way reading of a 2-way gold set (COVID-Fact), pipeline or judge alone; none otherwise."""
    t = res.get("two_way")
    if not t:
        return []
    return ["", f"In the set's own two labels ({t['reading']}): accuracy {_pct(t['accuracy'])} "
            f"(always answering the larger class: {_pct(t.get('majority_baseline'))}), macro-F1 {_pct(t['macro_f1'])}"]


def _two_way_table(res: dict) -> list[str]:
    t = res.get("two_way")
    if not t:
        return []
    return [f"  two-way ({t['reading']}): accuracy={_pct(t['accuracy'])} macro-F1={_pct(t['macro_f1'])} "
            f"majority-class={_pct(t.get('majority_baseline'))}"]


def _ci_markdown(res: dict) -> list[str]:
    ci = res.get("ci")
    if not ci or ci.get("accuracy") is None:
        return []
    unit = "split groups" if ci["unit"] == "group" else "claims"
    return ["", f"{round(ci['level'] * 100)} % bootstrap intervals ({ci['resamples']} resamples of {unit}): accuracy "
            f"{_pct(ci['accuracy'][0])}–{_pct(ci['accuracy'][1])}, macro-F1 {_pct(ci['macro_f1'][0])}–"
            f"{_pct(ci['macro_f1'][1])}"]


def _trust_markdown(res: dict) -> list[str]:
    t = res.get("trust")
    if not t:
        return []
    return ["", f"False claims labelled supported: {_pct(t['false_as_supported'])}; true claims labelled contradicted: "
            f"{_pct(t['true_as_contradicted'])}; precision of supported {_pct(t['precision_supported'])}, of "
            f"contradicted {_pct(t['precision_contradicted'])}"]


def _markdown(res: dict) -> str:
    """A results page fragment: headline table, per class, confusion, reliability, languages, errors."""
    if "benchmark" not in res:  # the judge alone on gold evidence (nli_sets.evaluate)
        return _gold_markdown(res)
    lines = [f"### {res['benchmark']} ({res['split']} split{', limit ' + str(res['limit']) if res['limit'] else ''})",
             "",
             "| n | accuracy | macro-F1 | recall@1 | recall@5 | recall@10 | ECE | abstain | s/claim |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| {res['n']} | {_pct(res['accuracy'])} | {_pct(res['macro_f1'])} | {_pct(res['recall_at_1'])} | "
             f"{_pct(res['recall_at_5'])} | {_pct(res['recall_at_10'])} | {_pct(res['ece'])} | "
             f"{_pct(res['abstain_rate'])} | {res['seconds_per_claim']:.3f} |",
             *_ci_markdown(res), *_trust_markdown(res),
             "", "| class | precision | recall | F1 | support | predicted |", "|---|---|---|---|---|---|"]
    for c, v in res["per_class"].items():
        lines.append(f"| {c} | {_pct(v['precision'])} | {_pct(v['recall'])} | {_pct(v['f1'])} | {v['support']} | "
                     f"{v['predicted']} |")
    labels = list(res["per_class"])
    lines += ["", "Confusion (rows gold, columns predicted):", "",
              "| gold \\ pred | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for g, row in res["confusion"].items():
        lines.append(f"| {g} | " + " | ".join(str(row.get(p, 0)) for p in labels) + " |")
    if len(res["per_language"]) > 1:
        lines += ["", "| language | n | accuracy | macro-F1 (95 % interval) | F1 per class |", "|---|---|---|---|---|"]
        for lg, v in res["per_language"].items():
            f1 = ", ".join(f"{c} {x:.3f}" for c, x in v["per_class_f1"].items())
            ci = v.get("ci") or {}
            mf1 = _pct(v["macro_f1"]) + (f" ({_pct(ci['macro_f1'][0])}–{_pct(ci['macro_f1'][1])})"
                                         if ci.get("macro_f1") else "")
            lines.append(f"| {lg} | {v['n']} | {_pct(v['accuracy'])} | {mf1} | {f1} |")
    lines += ["", "Reliability (verdict confidence, 10 bins):", "", "| bin | n | mean confidence | accuracy |",
              "|---|---|---|---|"]
    for b in res["reliability"]:
        if b["n"]:
            lines.append(f"| {b['bin']} | {b['n']} | {_pct(b['mean_confidence'])} | {_pct(b['accuracy'])} |")
    if res.get("errors"):
        lines += ["", "Missed claims by gold class and cause:", "", "| gold | retrieval | judge | aggregation |",
                  "|---|---|---|---|"]
        for g, c in res["errors"].items():
            lines.append(f"| {g} | {c.get('retrieval', 0)} | {c.get('judge', 0)} | {c.get('aggregation', 0)} |")
    if res.get("unknown_reasons"):
        lines += ["", "Unknown verdicts by reason: " + ", ".join(f"{k} {v}" for k, v in res["unknown_reasons"].items())]
    lines += _two_way_markdown(res)
    if res.get("disputed"):
        d = res["disputed"]
        lines += ["", f"DISPUTED claims (kept out of the scores above): n={d['n']}, predicted "
                  + ", ".join(f"{k} {v}" for k, v in d["predicted"].items())
                  + (f"; unknown reasons {', '.join(f'{k} {v}' for k, v in d['unknown_reasons'].items())}"
                     if d["unknown_reasons"] else "")
                  + f"; recall@5 {_pct(d['recall_at_5'])}"]
    lines += ["", f"encoder {res['encoder']}, judges {', '.join(res['judges'])}, top-k {res['top_k']}, "
              f"thresholds {res['thresholds']['version']}"]
    return "\n".join(lines) + "\n"


def _gold_markdown(res: dict) -> str:
    lines = [f"### {res['set']} (judge on gold evidence, {res['split']})", "",
             "| n | accuracy | macro-F1 | contradiction recall | pairs/s |", "|---|---|---|---|---|",
             f"| {res['n']} | {_pct(res['accuracy'])} | {_pct(res['macro_f1'])} | "
             f"{_pct(res.get('contradiction_recall'))} | {res.get('pairs_per_second')} |", "",
             "| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for c, v in res["per_class"].items():
        lines.append(f"| {c} | {_pct(v['precision'])} | {_pct(v['recall'])} | {_pct(v['f1'])} | {v['support']} |")
    lines += _two_way_markdown(res)
    return "\n".join(lines) + "\n"


def _table(res: dict) -> str:
    if "per_class" not in res or "benchmark" not in res:
        head = f"{res.get('set')} (gold evidence, {res.get('split')}): n={res['n']} accuracy={_pct(res['accuracy'])} " \
               f"macro-F1={_pct(res['macro_f1'])}"
        rows = [f"  {c:<15} P {_pct(v['precision'])}  R {_pct(v['recall'])}  F1 {_pct(v['f1'])}  n {v['support']}"
                for c, v in res["per_class"].items()]
        rows += _two_way_table(res)
        return "\n".join([head, *rows]) + "\n"
    out = [f"{res['benchmark']} ({res['split']}): n={res['n']}  accuracy={_pct(res['accuracy'])}  "
           f"macro-F1={_pct(res['macro_f1'])}  ECE={_pct(res['ece'])}  {res['seconds_per_claim']:.3f} s/claim",
           f"  retrieval: recall@1={_pct(res['recall_at_1'])}  recall@5={_pct(res['recall_at_5'])}  "
           f"recall@10={_pct(res['recall_at_10'])}  (claims with gold evidence: {res['retrieval']['n']})"]
    out += [f"  {line.strip()}" for line in _ci_markdown(res) + _trust_markdown(res) if line]
    for c, v in res["per_class"].items():
        out.append(f"  {c:<13} P {_pct(v['precision'])}  R {_pct(v['recall'])}  F1 {_pct(v['f1'])}  "
                   f"gold {v['support']:<5} predicted {v['predicted']}")
    labels = list(res["per_class"])
    out.append("  confusion (gold -> predicted " + " / ".join(labels) + "):")
    for g, row in res["confusion"].items():
        out.append(f"    {g:<13} " + "  ".join(f"{row.get(p, 0):>5}" for p in labels))
    if len(res["per_language"]) > 1:
        for lg, v in res["per_language"].items():
            out.append(f"  [{lg}] n={v['n']} accuracy={_pct(v['accuracy'])} macro-F1={_pct(v['macro_f1'])}")
    if res.get("errors"):
        out.append("  missed, by cause: " + "; ".join(
            f"{g}: " + ", ".join(f"{k} {n}" for k, n in c.items()) for g, c in res["errors"].items()))
    out += _two_way_table(res)
    if res.get("disputed"):
        d = res["disputed"]
        out.append(f"  DISPUTED (apart): n={d['n']} predicted " + ", ".join(f"{k} {v}" for k, v in d["predicted"].items()))
    return "\n".join(out) + "\n"


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_(
        name: Annotated[str, typer.Argument(metavar="NAME", help="climate-fever | healthfc | covid-fact | averitec | fever-jsonl or articles (with --data); "
                                            "with --gold-evidence also xnli-de | xnli-en-de | rte3-de | swaps-de | fv-dev.")],
        data: Annotated[Path | None, typer.Option("--data", metavar="PATH", help="Dataset file or folder (default: ../shared/benchmarks).")] = None,
        split: Annotated[Split | None, typer.Option("--split", help="dev | test (tuning uses dev only) | all. Default: test; for averitec the dev carve-out (or all of a --data file).")] = None,
        limit: Annotated[int | None, typer.Option("--limit", min=1, metavar="N", help="A fixed sample of N claims.")] = None,
        fmt: Annotated[EvalFormat, typer.Option("--format", "-f", help="Output format.")] = EvalFormat.table,
        gold_evidence: Annotated[bool, typer.Option("--gold-evidence", metavar="", help="Evaluate the NLI judge alone on gold evidence.")] = False,
        per_sentence: Annotated[bool, typer.Option("--per-sentence", metavar="", help="With --gold-evidence: judge each evidence sentence alone and take the strongest reading, as the pipeline judges single-sentence passages.")] = False,
        encoder: EncoderOpt = None,
        judge: JudgeOpt = None,
        nli_model: NliOpt = None,
        top_k: TopKOpt = None,
        reuse: Annotated[bool, typer.Option("--reuse-judgements", metavar="", help="Re-aggregate a saved identical run instead of running the models.")] = False,
        output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write the result here.")] = None,
        thresholds: ThresholdsOpt = None,
        predictions: Annotated[Path | None, typer.Option("--predictions", metavar="FILE", help="Also write each claim's verdict as JSON lines here (the input of python -m verify.eval.compare).")] = None,
        evidence: Annotated[list[Path] | None, typer.Option("--evidence", metavar="PATH", help="fever-jsonl only (repeatable): check the claims against this evidence folder, as verify check does; lines name gold evidence by document id in 'evidence_docs'.")] = None,
    ) -> None:
        """Measure quality on a labelled benchmark: accuracy, macro-F1, recall@k, calibration, time per claim."""
        if output is not None and output.is_dir():  # refused before a run that may take an hour
            raise fail(EXIT_INPUT, f"cannot write output: {output}: is a folder")
        if predictions is not None and predictions.is_dir():
            raise fail(EXIT_INPUT, f"cannot write predictions: {predictions}: is a folder")
        if split is None:
            split = (Split.dev if data is None else Split.all) if name == "averitec" else \
                Split.dev if name in ("fv-dev",) else Split.all if name == "articles" else Split.test
        if gold_evidence:
            if predictions is not None:
                raise fail(EXIT_INPUT, "--predictions writes the pipeline's verdicts: it does not go with --gold-evidence")
            if thresholds is not None:
                raise fail(EXIT_INPUT, "--gold-evidence evaluates the NLI judge alone: it takes no --thresholds")
            if evidence:
                raise fail(EXIT_INPUT, "--evidence is for the pipeline on your own labelled claims: it does not go with --gold-evidence")
            res = _gold(name, data, split, limit, nli_model, judge, per_sentence)
        else:
            res = _pipeline(name, data, split, limit, encoder or DEFAULT_ENCODER, judge, nli_model, top_k or 5, reuse,
                            thresholds, predictions, tuple(evidence or ()))
        if fmt is EvalFormat.json:
            text = json.dumps(res, indent=2, ensure_ascii=False) + "\n"
        elif fmt is EvalFormat.markdown:
            text = _markdown(res)
        else:
            text = _table(res)
        write_output(text, output)


def _gold(name: str, data: Path | None, split: Split, limit: int | None, nli_model: str | None,
          judge: list[str] | None, per_sentence: bool = False) -> dict:
    import os

    if name not in GOLD_SETS:
        raise fail(EXIT_INPUT, f"unknown gold-evidence set '{name}' (known: {', '.join(GOLD_SETS)})")
    if judge and set(judge) != {"nli"}:
        raise fail(EXIT_INPUT, "--gold-evidence evaluates the NLI judge alone: use --judge nli or no --judge")
    if data is not None:
        # nli_sets reads <benchmarks>/<dataset>/...: accept the folder that holds the benchmark folders.
        folder = "healthfc" if name.startswith("healthfc") else name
        if name not in ("covid-fact", "climate-fever") and folder != "healthfc":
            raise fail(EXIT_INPUT, f"--data is not used for {name} (it reads ../shared/nli-data)")
        if not (data.is_dir() and (data / folder).is_dir()):
            raise fail(EXIT_INPUT, f"{data}: with --gold-evidence, --data must be a folder holding {folder}/")
        os.environ["VERIFY_BENCHMARKS"] = str(data)
    from verify.eval import gold as nli_sets

    if split is Split.all:
        raise fail(EXIT_INPUT, "--gold-evidence takes --split dev or test")
    try:
        return nli_sets.evaluate(nli_model, name, limit=limit, split=split.value, per_sentence=per_sentence)
    except (FileNotFoundError, OSError, KeyError) as exc:
        raise fail(EXIT_INPUT, f"cannot read the data for {name}: {exc}") from exc
    except (RuntimeError, ValueError) as exc:
        raise fail(EXIT_INDEX, str(exc)) from exc


def _pipeline(name: str, data: Path | None, split: Split, limit: int | None, encoder: str, judge: list[str] | None,
              nli_model: str | None, top_k: int, reuse: bool, thresholds: Path | None = None,
              predictions: Path | None = None, evidence: tuple[Path, ...] = ()) -> dict:
    if name not in PIPELINE_SETS:
        hint = " (add --gold-evidence for the judge-only sets)" if name in GOLD_SETS else ""
        raise fail(EXIT_INPUT, f"unknown benchmark '{name}' (known: {', '.join(PIPELINE_SETS)}){hint}")
    if name == "fever-jsonl" and data is None:
        raise fail(EXIT_INPUT, "fever-jsonl needs --data PATH (a JSONL file of labelled claims)")
    from verify.cli.options import thresholds_option
    from verify.config import Settings
    from verify.datasets.benchmarks import DataError, load_benchmark
    from verify.eval.harness import _stderr_progress, evaluate
    from verify.retrieval.store import IndexStoreError
    from verify.sources.files import InputError

    extra = thresholds_option(thresholds)  # before the data: a bad file is the user's first error to hear about
    try:
        bench = load_benchmark(name, data, evidence)
    except DataError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc
    settings = Settings(encoder=encoder, judges=tuple(judge) if judge else None, nli_model=nli_model, top_k=top_k,
                        **extra)
    try:
        return evaluate(bench, settings, split=split.value, limit=limit, reuse=reuse,
                        progress=_stderr_progress if sys.stderr.isatty() else None, predictions=predictions)
    except InputError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc
    except OSError as exc:  # the predictions file could not be written (the run itself is saved)
        raise fail(EXIT_INPUT, f"cannot write predictions: {exc}") from exc
    except (IndexStoreError, ValueError, RuntimeError) as exc:
        raise fail(EXIT_INDEX, str(exc)) from exc
