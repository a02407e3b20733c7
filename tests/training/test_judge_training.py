"""Fast checks of the judge's training data, swap generator, eval loaders and artifact checksum."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from verify.datasets import nli as nli_data
from verify.datasets import splits, swaps

needs_data = pytest.mark.skipif(
    not (nli_data.nli_data_dir() / "xnli-de-en" / "xnli_de_en_aligned.tsv").exists(),
    reason="shared nli-data not present",
)


# --------------------------------------------------------------------------- swaps


def _nums(s: str) -> list[str]:
    return re.findall(r"\d+", s)


def test_number_swap_changes_the_number():
    rng = random.Random(0)
    for _ in range(50):
        new, kind = swaps._swap_number("Der Konzern baut 350 Stellen in 12 Werken ab.", rng)
        assert kind == "number"
        assert new != "Der Konzern baut 350 Stellen in 12 Werken ab."
        assert _nums(new) != ["350", "12"]


def test_year_swap_changes_the_year():
    rng = random.Random(1)
    for _ in range(50):
        new, kind = swaps._swap_year("Fluidstack wurde 2017 in Oxford gegründet.", rng)
        assert kind == "year"
        (year,) = _nums(new)
        assert year != "2017" and 1990 <= int(year) <= 2040


def test_place_and_name_and_date_swaps():
    rng = random.Random(2)
    for lang, sent, old in [
        ("de", "Das Werk steht in München.", "München"),
        ("en", "The plant is in Germany.", "Germany"),
    ]:
        ops = swaps._ops(lang)
        op = ops["city"] if old == "München" else ops["country"]
        new, kind = op(sent, rng)
        assert kind == "place" and old not in new and new != sent
    new, kind = swaps._ops("en")["name"]("Peter founded the company.", rng)
    assert kind == "name" and not new.startswith("Peter")
    new, kind = swaps._ops("de")["month"]("Die Firma wurde im März gegründet.", rng)
    assert kind == "date" and "März" not in new


def test_negations_de_en():
    rng = random.Random(3)
    assert (
        swaps._negate_de("Ein Mann spielt Gitarre.", random.Random(0))[0]
        in {"Kein Mann spielt Gitarre.", "Ein Mann spielt Gitarre."}
        or True
    )
    new, kind = swaps._negate_de("Die Firma ist profitabel.", rng)
    assert kind == "negation" and "nicht" in new
    new, kind = swaps._negate_en("The company is profitable.", rng)
    assert kind == "negation" and new == "The company is not profitable."
    new, _ = swaps._negate_en("The company is not profitable.", rng)
    assert new == "The company is profitable."


def test_swap_returns_different_sentence_or_none():
    rng = random.Random(4)
    assert swaps.swap("Hallo Welt", "de", rng) is None
    for sent in ["Im Jahr 1999 kamen 40 Gäste nach Berlin.", "In 1999, 40 guests came to Berlin."]:
        new, kind = swaps.swap(sent, "de" if sent.startswith("Im") else "en", rng)
        assert new != sent and kind in {"year", "number", "place", "negation"}


@needs_data
def test_swap_test_split_is_deterministic_labelled_and_disjoint_from_train():
    a = swaps.swap_pairs("test", seed=0)
    b = swaps.swap_pairs("test", seed=0)
    assert a == b and len(a) > 500
    assert {x[2] for x in a} == {"entailment", "contradiction"}
    for prem, hyp, lab, kind in a:
        if lab == "contradiction":
            assert prem != hyp
            if kind in ("number", "year"):
                assert _nums(prem) != _nums(hyp) or prem != hyp
    test_premises = {x[0] for x in a}
    train_par, _, _ = swaps._sources("train")
    train_sents = {s for pair in train_par for s in pair}
    assert not test_premises & train_sents


# --------------------------------------------------------------------------- data loaders


@needs_data
def test_xnli_labels_and_dev_held_out():
    rows = nli_data.xnli_rows("test")
    pairs = nli_data.xnli_pairs(rows, "en-de")
    assert all(nli_data.NAMES[p[2]] == r["label"] for p, r in zip(pairs, rows, strict=True))
    assert pairs[0][0] == rows[0]["premise_en"] and pairs[0][1] == rows[0]["hypothesis_de"]
    train = nli_data.train_set(seed=0, swaps=False)
    dev = nli_data.xnli_rows("dev")
    dev_texts = {r["premise_de"] for r in dev} | {r["premise_en"] for r in dev}
    dev_pairs = {(r[p], r[h]) for r in dev for p, h in nli_data._COMBOS.values()}
    assert not any((p, h) in dev_pairs for p, h, _, _ in train)
    assert not any(p in dev_texts for p, _, _, src in train if src.startswith("xnli"))
    assert {src for *_, src in train} >= {
        "xnli-test-de-de",
        "xnli-test-en-de",
        "mnli-de",
        "sick",
        "anli-dev",
        "healthver",
    }


@needs_data
def test_other_label_mappings():
    hv = nli_data.healthver()
    assert {lab for _, _, lab, _ in hv} == {0, 1, 2}
    assert all(lab == 0 for *_, lab, _ in [(p, h, lab, s) for p, h, lab, s in nli_data.pawsx_de_positives()])
    sick = nli_data.sick()
    row = next(x for x in sick if x[3] == "sick")
    assert row[2] in (0, 1, 2)
    assert all(p != h for p, h, _, _ in nli_data.mnli_de())


@needs_data
def test_eval_sets_labels():
    from verify.eval import gold as gold_sets

    assert {x[2] for x in gold_sets.load("rte3-de")} == {"entailment", "not_entailment"}
    assert len(gold_sets.load("rte3-de", "dev")) == len(gold_sets.load("rte3-de", "test")) == 800
    assert not {p + h for p, h, _ in gold_sets.load("rte3-de", "dev")} & {p + h for p, h, _ in gold_sets.load("rte3-de", "test")}
    assert {x[2] for x in gold_sets.load("xnli-de")} == set(gold_sets.LABELS)
    if splits.benchmarks_dir().exists():
        assert {x[2] for x in gold_sets.load("covid-fact")} == {"entailment", "contradiction"}
        hf = gold_sets.load("healthfc-de", split=None)
        assert len(hf) == 750 and {x[2] for x in hf} == set(gold_sets.LABELS)
        assert len(gold_sets.load("covid-fact", "dev")) + len(gold_sets.load("covid-fact", "test")) == len(
            gold_sets.load("covid-fact", None)
        )


def test_split_and_metrics():
    from verify.eval import gold as gold_sets

    assert splits.split_of("abc") == splits.split_of("abc")
    share = sum(splits.split_of(str(i)) == "dev" for i in range(2000)) / 2000
    assert 0.25 < share < 0.35
    m = gold_sets.metrics(
        ["entailment", "not_entailment", "not_entailment"], ["entailment", "neutral", "contradiction"]
    )
    assert m["accuracy"] == 1.0
    m = gold_sets.metrics(
        ["entailment", "contradiction", "neutral", "contradiction"],
        ["entailment", "contradiction", "contradiction", "neutral"],
    )
    assert m["accuracy"] == 0.5 and m["contradiction_recall"] == 0.5
    assert "two_way" not in m  # a 3-way gold set has no 2-way reading
    # A 2-way gold set (COVID-Fact) is also scored in its own label space: neutral counts as refuted.
    m = gold_sets.metrics(["entailment", "contradiction", "contradiction", "entailment"],
                  ["entailment", "neutral", "contradiction", "neutral"])
    assert m["accuracy"] == 0.5
    assert m["two_way"]["accuracy"] == 0.75
    assert m["two_way"]["confusion"] == {"entailment": {"entailment": 1, "not_entailment": 1},
                                         "not_entailment": {"entailment": 0, "not_entailment": 2}}


# --------------------------------------------------------------------------- artifact checksum


def _fake_artifact(tmp: Path) -> Path:
    import torch
    from safetensors.torch import save_file

    from verify.training.export import quantize_delta

    art = tmp / "art"
    art.mkdir()
    q, s = quantize_delta(torch.randn(3, 384) * 0.01)
    save_file(
        {"classifier.weight.f16": torch.zeros(3, 384, dtype=torch.float16), "x.q8": q, "x.scale": s},
        str(art / "judge.safetensors"),
    )
    import hashlib

    digest = hashlib.sha256((art / "judge.safetensors").read_bytes()).hexdigest()
    (art / "judge.json").write_text(
        json.dumps(
            {"artifact": "judge.safetensors", "sha256": digest, "tensors": {"classifier.weight": "fp16"}}
        )
    )
    return art


def test_corrupted_artifact_is_refused(tmp_path):
    from verify.weights.judge import JudgeArtifactError, check_artifact, ensure_judge

    art = _fake_artifact(tmp_path)
    assert check_artifact(art)["sha256"]
    data = bytearray((art / "judge.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (art / "judge.safetensors").write_bytes(bytes(data))
    with pytest.raises(JudgeArtifactError):
        check_artifact(art)
    with pytest.raises(JudgeArtifactError):
        ensure_judge(tmp_path / "judge", artifact=art)
    assert not (tmp_path / "judge").exists()


def test_partial_folder_is_not_used(tmp_path):
    from verify.weights.judge import verify_folder

    folder = tmp_path / "judge"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    assert not verify_folder(folder)


def test_quantized_delta_roundtrip():
    import torch

    from verify.training.export import quantize_delta

    d = torch.randn(16, 384) * 0.003
    q, s = quantize_delta(d)
    assert q.dtype == torch.int8
    assert (q.float() * s.float().unsqueeze(1) - d).abs().max() <= d.abs().max() / 200


def test_committed_artifact_matches_checksum():
    from verify.weights.judge import artifact_dir, check_artifact

    if not (artifact_dir() / "judge.json").exists():
        pytest.skip("no committed artifact yet")
    meta = check_artifact()
    assert meta["id2label"] == {"0": "entailment", "1": "neutral", "2": "contradiction"}
    total = sum(p.stat().st_size for p in artifact_dir().iterdir() if p.is_file())
    assert total <= 25 * 1024 * 1024


# --------------------------------------------------------------------------- lexical swaps, questions (mix v2)


def test_lexical_substitution_exchanges_one_listed_word_keeping_case_and_endings():
    from verify.datasets import lexical

    rng = random.Random(0)
    assert lexical.substitute("Vaccination increased the rate.", "en", rng)[0] == "Vaccination decreased the rate."
    assert lexical.substitute("Die höheren Kosten bleiben.", "de", rng)[0] == "Die niedrigeren Kosten bleiben."
    assert lexical.substitute("Higher doses help.", "en", rng)[0] == "Lower doses help."
    assert lexical.substitute("Nothing to swap here.", "en", rng) is None


def test_claims_asked_as_questions():
    from verify.datasets import lexical

    assert lexical.as_question("Vitamin D hilft gegen Grippe.", "de") == "Hilft Vitamin D gegen Grippe?"
    assert lexical.as_question("Kaffee kann das Risiko senken.", "de") == "Kann Kaffee das Risiko senken?"
    assert lexical.as_question("The man is sleeping.", "en") == "Is the man sleeping?"
    assert lexical.as_question("Wir haben Zeit.", "de") == "Haben wir Zeit?"
    assert lexical.as_question("Is it raining?", "en") is None  # already a question
    assert lexical.as_question("Masks reduce transmission.", "en") is None  # no auxiliary to move: left out


@needs_data
def test_mix_v2_adds_lexical_and_question_pairs_and_keeps_xnli_dev_out():
    from verify.datasets import lexical

    pairs = lexical.lexical_pairs(seed=0) + lexical.question_pairs(seed=0)
    assert {lab for _, _, lab, _ in pairs} == {"entailment", "neutral", "contradiction"}
    kinds = {k for *_, k in pairs}
    assert {"lex-en", "lex-de", "topical-neutral", "question-de", "question-en"} <= kinds
    dev = nli_data.xnli_rows("dev")
    dev_texts = {r[c] for r in dev for c in ("premise_de", "premise_en", "hypothesis_de", "hypothesis_en")}
    assert not any(p in dev_texts or h in dev_texts for p, h, _, _ in pairs)
    assert all(h.endswith("?") for _, h, _, k in pairs if k.startswith("question"))
    v2 = nli_data.train_set(seed=0, mix="v2")
    assert len(v2) > len(nli_data.train_set(seed=0, mix="v1"))


# --------------------------------------------------------------------------- the held-apart choice set


@needs_data
def test_mnli_choice_set_is_in_no_training_mix():
    meta = json.loads(nli_data.CHOICE_FILE.read_text(encoding="utf-8"))
    assert meta["source_sha256"] == nli_data.sha256_file(nli_data.nli_data_dir() / meta["source"])
    choice = nli_data.mnli_choice_en()
    assert len(choice) == 801 and {lab for *_, lab, _ in choice} == {0, 1, 2}
    keys = nli_data.mnli_choice_keys()
    # stage 1 (seed 0, v1), stage 2 (seed 1, v2) and every later v4/v5 stage leave those premises out
    for seed, mix in ((0, "v1"), (1, "v2"), (4, "v4"), (7, "v4"), (5, "v5"), (6, "v6")):
        assert not any(nli_data.premise_key(p) in keys for p, *_ in nli_data.train_set(seed=seed, mix=mix)), (seed, mix)
    # the frozen list is what the rule re-derives
    assert nli_data.build_mnli_choice()["premise_sha1_16"] == meta["premise_sha1_16"]


def test_choice_set_is_a_gold_set():
    from verify.cli.eval import GOLD_SETS
    from verify.eval import gold as gold_sets

    assert "mnli-choice-en" in gold_sets.SETS and "mnli-choice-en" in GOLD_SETS


def test_average_of_a_judge_with_itself_is_that_judge(tmp_path):
    """The soup tool on the real shipped artifact: averaging it with itself gives back its weights."""
    from safetensors.torch import load_file

    from verify.training.average import average
    from verify.weights.judge import artifact_dir, ensure_judge

    out = tmp_path / "soup"
    average([artifact_dir(), artifact_dir()], out)
    meta = json.loads((out / "judge.json").read_text(encoding="utf-8"))
    assert meta["training"]["average_of"][0] == meta["training"]["average_of"][1]
    a = load_file(str(ensure_judge(tmp_path / "a") / "model.safetensors"))
    b = load_file(str(ensure_judge(tmp_path / "b", artifact=out) / "model.safetensors"))
    assert a.keys() == b.keys()
    worst = max(float((a[k].float() - b[k].float()).abs().max()) for k in a)
    assert worst < 1e-3
    with pytest.raises(ValueError):
        average([artifact_dir()], tmp_path / "one")


@needs_data
def test_mix_v5_is_v4_with_the_lexical_substitutions_whole():
    from collections import Counter

    v4 = Counter(src for *_, src in nli_data.train_set(seed=5, mix="v4"))
    v5 = Counter(src for *_, src in nli_data.train_set(seed=5, mix="v5"))
    v2 = Counter(src for *_, src in nli_data.train_set(seed=5, mix="v2"))
    lex = [k for k in v2 if k.startswith("lex-")]
    assert lex and all(v5[k] >= v2[k] * 0.95 for k in lex)  # whole, less any choice premises
    assert sum(v4[k] for k in lex) < 0.4 * sum(v5[k] for k in lex)
    human = [k for k in v2 if not k.startswith(nli_data.GENERATED)]
    assert all(v5[k] == v4[k] for k in human)


@needs_data
def test_mix_v6_adds_retrieved_near_neutrals_that_are_never_a_pairs_own_premise():
    from collections import Counter

    from verify.datasets import lexical

    near = lexical.near_neutrals(seed=6)
    assert near == lexical.near_neutrals(seed=6)  # deterministic
    assert len(near) == 6000 and {lab for _, _, lab, _ in near} == {"neutral"}
    assert {k for *_, k in near} == {"near-neutral-de", "near-neutral-en"}
    own = {(p, h) for p, h, *_ in [*nli_data.xnli_train(), *nli_data.mnli_de(), *nli_data.mnli_dev_en(), *nli_data.anli_dev(), *nli_data.healthver()]}
    assert not any((p, h) in own for p, h, _, _ in near)  # a neighbour, not the pair's own premise
    dev = nli_data.xnli_rows("dev")
    dev_texts = {r[c] for r in dev for c in ("premise_de", "premise_en", "hypothesis_de", "hypothesis_en")}
    assert not any(p in dev_texts or h in dev_texts for p, h, _, _ in near)
    v4 = Counter(src for *_, src in nli_data.train_set(seed=6, mix="v4"))
    v6 = Counter(src for *_, src in nli_data.train_set(seed=6, mix="v6"))
    assert v6["near-neutral-de"] + v6["near-neutral-en"] >= 5800  # whole, less any choice premises
    assert all(v6[k] == v4[k] for k in v4)


def test_train_judge_resume_keeps_only_stages_whose_artifact_checks_out(tmp_path):
    from typer.testing import CliRunner

    from verify.cli.main import app
    from verify.cli.train import _finished

    out = CliRunner().invoke(app, ["train-judge", "--resume"])
    assert out.exit_code == 2 and "--resume needs --run" in out.output
    stage = tmp_path / "stage1"
    stage.mkdir()
    _fake_artifact(stage).rename(stage / "artifact")
    assert not _finished(stage)  # no data manifest: the stage did not get that far
    (stage / "data_manifest.json").write_text("{}", encoding="utf-8")
    assert _finished(stage)
    data = bytearray((stage / "artifact" / "judge.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (stage / "artifact" / "judge.safetensors").write_bytes(bytes(data))
    assert not _finished(stage)
