"""Judges behind the Judge protocol: a rule judge (numbers, dates, places) and an NLI cross-encoder judge."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from verify.models import Claim, Judgement, Passage

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _value_key(text: str) -> str:
    """'amount differs: 5 billion USD (claim) vs ...' and 'amount 5 billion USD' -> 'amount 5 billion USD'."""
    if " differs: " in text:
        word, rest = text.split(" differs: ", 1)
        return f"{word} {rest.split(' (claim)', 1)[0]}"
    return text


class RuleJudge:
    """Compares quantities, currencies, years, dates and places between a claim and a passage.

    It reads the passage sentence by sentence and lets a differing value count only in a
    sentence about the same organisation as the claim: "Meta pledged $600 billion" is not
    contradicted by "Anthropic invests $50 billion" in the same passage.
    """

    name = "rules"

    def __init__(self, organisations: Sequence[str] = ()):
        self.organisations = [o for o in organisations if len(o) > 2]

    def _orgs_in(self, text: str) -> set[str]:
        low = text.lower()
        return {o for o in self.organisations if o.lower() in low}

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        from verify.facts.compare import compare
        from verify.text import sentence_spans

        out = []
        sentence_cache: dict[str, list[str]] = {}
        for claim, passage in pairs:
            c_lang, p_lang = claim.language or "en", passage.language or "en"
            whole = compare(claim.text, passage.text, c_lang, p_lang)
            matched = [_value_key(m) for m in whole.matches]
            mismatches: list[str] = []
            claim_orgs = self._orgs_in(claim.text)
            on_topic = (bool(claim_orgs & self._orgs_in(f"{passage.title}\n{passage.text}"))
                        if claim_orgs else None)
            # Sentence by sentence even when the whole passage shows no mismatch: "in den USA" in one
            # sentence must not hide "in Texas und New York" against a claimed "in Ohio" in another.
            if whole.mismatches or whole.matched_facts < whole.claim_facts:
                if passage.id not in sentence_cache:
                    sentence_cache[passage.id] = [passage.text[a:b] for a, b in sentence_spans(passage.text)]
                topic: set[str] = set()
                about_claim_org = bool(claim_orgs & self._orgs_in(passage.title))
                for sentence in sentence_cache[passage.id]:
                    # A sentence naming no organisation continues the previous one's ("It", "The sites");
                    # a source whose title names the claim's organisation is about it throughout.
                    topic = self._orgs_in(sentence) or topic
                    if claim_orgs and not claim_orgs & topic and not about_claim_org:
                        continue
                    for m in compare(claim.text, sentence, c_lang, p_lang).mismatches:
                        if _value_key(m) not in matched and m not in mismatches:
                            mismatches.append(m)
            if mismatches:
                # One mismatch is already strong: compare() only fires when the sentence states a
                # value of the same kind; more of the claim's values contradicted -> stronger.
                share = len(mismatches) / max(whole.claim_facts, 1)
                contradiction = min(0.95, 0.75 + 0.2 * share)
                out.append(
                    Judgement(
                        passage_id=passage.id,
                        judge=self.name,
                        entailment=0.0,
                        neutral=1.0 - contradiction,
                        contradiction=contradiction,
                        reason="; ".join(mismatches),
                        matched=matched,
                        mismatched=[_value_key(m) for m in mismatches],
                        on_topic=on_topic,
                    )
                )
            elif whole.claim_facts and whole.matched_facts == whole.claim_facts:
                out.append(
                    Judgement(
                        passage_id=passage.id,
                        judge=self.name,
                        entailment=0.6,
                        neutral=0.4,
                        reason="evidence states the same " + ", ".join(whole.matches),
                        matched=matched,
                        on_topic=on_topic,
                    )
                )
            else:
                out.append(Judgement(passage_id=passage.id, judge=self.name, reason="no comparable values",
                                     matched=matched, on_topic=on_topic))
        return out


class NLIJudge:
    """Any sentence-transformers CrossEncoder folder with entailment / neutral / contradiction outputs."""

    name = "nli"

    def __init__(self, folder: str | Path, batch_size: int = 32, max_length: int = 256):
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.max_length = max_length
        self._model = None
        self._order: list[int] | None = None  # output column for entailment, neutral, contradiction

    @property
    def model(self):
        if self._model is None:
            import torch
            from sentence_transformers import CrossEncoder

            torch.set_num_threads(max(1, os.cpu_count() or 1))
            import json

            config = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
            id2label = {int(k): str(v).lower() for k, v in config.get("id2label", {}).items()}
            wanted = ("entailment", "neutral", "contradiction")
            missing = [w for w in wanted if w not in id2label.values()]
            if missing:
                raise ValueError(
                    f"{self.folder}: CrossEncoder labels {sorted(id2label.values())} lack {missing}; "
                    "an NLI judge needs entailment / neutral / contradiction outputs"
                )
            inverse = {v: k for k, v in id2label.items()}
            self._order = [inverse[w] for w in wanted]
            self._model = CrossEncoder(
                str(self.folder), device="cpu", max_length=self.max_length, activation_fn=torch.nn.Identity()
            )
        return self._model

    def probabilities(self, premises: Sequence[str], hypotheses: Sequence[str]) -> np.ndarray:
        """(n, 3) probabilities of entailment, neutral, contradiction, batched with length-sorted padding."""
        if not premises:
            return np.zeros((0, 3), dtype=np.float32)
        model = self.model
        order = np.argsort([len(p) + len(h) for p, h in zip(premises, hypotheses, strict=True)])
        pairs = [(premises[i], hypotheses[i]) for i in order]
        logits = np.asarray(
            model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True),
            dtype=np.float32,
        )
        logits = logits[:, self._order]
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        out = np.empty_like(probs)
        out[order] = probs
        return out

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        probs = self.probabilities([p.text for _, p in pairs], [c.text for c, _ in pairs])
        out = []
        for (_claim, passage), (e, n, c) in zip(pairs, probs, strict=True):
            out.append(
                Judgement(
                    passage_id=passage.id,
                    judge=self.name,
                    entailment=float(e),
                    neutral=float(n),
                    contradiction=float(c),
                    reason="",
                )
            )
        return out


def nli_shipped() -> bool:
    """Whether the project's own judge artifact is in the package (it is trained, not faked)."""
    from verify.weights.judge import artifact_dir

    return (artifact_dir() / "judge.json").exists()


def default_nli_folder() -> Path:
    """The project's own judge, assembled in the cache on first use and checked against its checksum."""
    from verify.weights.judge import ensure_judge

    return ensure_judge()


def make_nli_judge(folder: Path, backend: str = "onnx", batch_size: int = 32):
    """The NLI judge over a CrossEncoder folder: ONNX (float32, exported once, cached) or plain torch."""
    if backend == "torch":
        return NLIJudge(folder, batch_size=batch_size)
    if backend != "onnx":
        raise ValueError(f"unknown NLI backend '{backend}' (onnx, torch)")
    from verify.judging.onnx import ONNXNLIJudge, ensure_onnx

    return ONNXNLIJudge(ensure_onnx(folder), batch_size=batch_size)


def make_judges(
    names: Sequence[str] | None, nli_model: str | None = None, batch_size: int = 32,
    organisations: Sequence[str] = (), nli_backend: str = "onnx",
) -> list:
    """Judges by name; `None` means the default: rules, plus NLI when a model is given or shipped."""
    if names is None:
        names = ("rules", "nli") if nli_model or nli_shipped() else ("rules",)
    judges: list = []
    for name in names:
        if name == "rules":
            judges.append(RuleJudge(organisations))
        elif name == "nli":
            if not nli_model and not nli_shipped():
                raise ValueError("no NLI model is shipped yet: pass --nli-model FOLDER or use --judge rules")
            folder = Path(nli_model) if nli_model else default_nli_folder()
            judges.append(make_nli_judge(folder, nli_backend, batch_size))
        else:
            raise ValueError(f"unknown judge '{name}' (rules, nli)")
    return judges
