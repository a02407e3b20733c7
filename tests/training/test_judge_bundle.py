"""The judge bundle path: pack -> bundle_train (CPU here) -> merge -> the assembled judge, with the real e5 base."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.e2e

TRAIN = [
    ("Fluidstack wurde 2017 in Oxford gegründet.", "Fluidstack wurde 2019 gegründet.", 2, "t"),
    ("Die Anlage kostet 10 Milliarden Euro.", "Die Anlage kostet Geld.", 0, "t"),
    ("The plant opens in Texas next year.", "The plant has a large parking lot.", 1, "u"),
    ("Anthropic will spend $50 billion on data centres.", "Anthropic plans data centres.", 0, "u"),
]
SETS = {
    "mnli-choice-en": (
        [("A man is sleeping.", "Nobody is asleep."), ("A dog runs.", "An animal moves."),
         ("The sky is blue.", "It rains in Paris.")],
        [2, 0, 1],
        "3way",
    ),
    "rte3-de": ([("Berlin ist die Hauptstadt.", "Berlin ist eine Stadt."), ("Er kam 2010.", "Er kam 2012.")], [0, 1], "2way"),
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    from verify.training.bundle import pack

    out = tmp_path_factory.mktemp("bundle")
    pack(out, TRAIN, SETS, maxlen=64, info={"mix": "test", "seed": 0})
    return out


def test_bundle_base_is_bit_identical_to_the_rebuilt_e5_on_every_row_it_keeps(bundle):
    import torch
    from safetensors.torch import load_file

    from verify.training.bundle import load_base
    from verify.weights.e5 import ensure_e5

    meta, state = load_base(bundle)
    ref = load_file(str(ensure_e5() / "model.safetensors"))
    vocab = torch.from_numpy(np.load(bundle / "base.npz")["vocab"])
    assert meta["vocab_size"] == len(vocab) < 1000  # only the rows the bundle's tokens use
    assert set(state) == set(ref)
    for k, v in ref.items():
        want = v[vocab] if k == "embeddings.word_embeddings.weight" else v
        assert torch.equal(state[k], want), k
    data = np.load(bundle / "data.npz")
    assert len(data["train.off"]) == len(TRAIN) + 1 and data["train.lab"].tolist() == [2, 0, 1, 0]
    assert data["rte3-de.lab"].tolist() == [0, 1] and meta["sets"]["rte3-de"]["kind"] == "2way"


def test_bundle_run_merges_into_a_judge_that_predicts_what_the_bundle_model_predicted(bundle, tmp_path):
    import torch
    from sentence_transformers import CrossEncoder

    from verify.training import bundle as bundle_mod
    from verify.training import bundle_train
    from verify.weights.judge import check_artifact, ensure_judge

    cfg = {"init": "base", "freeze_layers": 10, "bs": 2, "lr": 1e-3, "epochs": 1}
    result = bundle_train.train_one(bundle, "tiny", cfg, tmp_path / "run", deadline=float("inf"), max_steps=2)
    assert result["steps"] == 2 and result["stopped"] == "finished"
    assert result["best"]["score"] >= 0 and len(result["curve"]) >= 1
    assert all((tmp_path / "run" / p).stat().st_size <= bundle_mod.PART_BYTES for p in result["parts"])
    # only layers 10-11, the pooler and the head were trained, so only they are in the artifact
    assert {k.split(".")[3] for k in result["kinds"] if k.startswith("bert.encoder.")} == {"10", "11"}

    art = tmp_path / "art"
    bundle_mod.merge(tmp_path / "run", art)
    meta = check_artifact(art)
    assert meta["training"]["name"] == "tiny" and meta["training"]["steps"] == 2
    folder = ensure_judge(tmp_path / "judge", artifact=art)

    bmeta, base = bundle_mod.load_base(bundle)
    model, _ = bundle_train.build_model(bmeta, base, str(art), seed=0)
    model.eval()
    data = dict(np.load(bundle / "data.npz"))
    pairs = SETS["mnli-choice-en"][0]
    want = []
    with torch.inference_mode():
        for j in range(len(pairs)):
            x, m = bundle_train._pad(data["mnli-choice-en.ids"], data["mnli-choice-en.off"], [j], bmeta["pad_id"], "cpu")
            want.append(model(input_ids=x, attention_mask=m).logits[0].numpy())
    got = CrossEncoder(str(folder), max_length=64, device="cpu").predict(pairs)
    assert np.allclose(np.array(want), got, atol=1e-4)

    # Continuing from that artifact with layer 10 frozen must keep layer 10's change, not revert it to base.
    cfg2 = {**cfg, "init": str(art), "freeze_layers": 11}
    r2 = bundle_train.train_one(bundle, "tiny2", cfg2, tmp_path / "run2", deadline=float("inf"), max_steps=1)
    assert r2["init_artifact_sha256"] == meta["sha256"]
    assert "bert.encoder.layer.10.output.dense.weight" in r2["kinds"]
    bundle_mod.merge(tmp_path / "run2", tmp_path / "art2")
    from safetensors.torch import load_file

    a1, a2 = load_file(str(art / "judge.safetensors")), load_file(str(tmp_path / "art2" / "judge.safetensors"))
    key = "bert.encoder.layer.10.output.dense.weight"
    w1 = a1[key + ".q8"].float() * a1[key + ".scale"].float().unsqueeze(1)
    w2 = a2[key + ".q8"].float() * a2[key + ".scale"].float().unsqueeze(1)
    assert torch.allclose(w1, w2, atol=1e-6)


def test_bundle_train_cli_trains_candidates_in_parallel_and_keeps_the_best(bundle, tmp_path):
    import subprocess
    import sys

    cfgs = tmp_path / "configs.json"
    cfgs.write_text(json.dumps({"a": {"freeze_layers": 11, "bs": 2}, "b": {"freeze_layers": 11, "bs": 2, "lr": 1e-3}}))
    keep = tmp_path / "keep"
    cmd = [sys.executable, "-m", "verify.training.bundle_train", "--bundle", str(bundle), "--out",
           str(tmp_path / "out"), "--configs", str(cfgs), "--max-steps", "1", "--keep", "1", "--keep-to", str(keep)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ranking by mnli-choice-en:" in done.stdout
    summary = json.loads((keep / "summary.json").read_text())
    assert summary["failed"] == [] and set(summary["candidates"]) == {"a", "b"}
    kept = [p.name for p in keep.iterdir() if p.is_dir()]
    assert len(kept) == 1 and (keep / kept[0] / "part-0.safetensors").exists()
    assert len([p for p in keep.rglob("*") if p.is_file()]) <= 8  # a device call's return limit


def test_merge_refuses_parts_trained_on_another_base(bundle, tmp_path):
    from verify.training import bundle as bundle_mod

    run = tmp_path / "run"
    run.mkdir()
    (run / "result.json").write_text(json.dumps({"base_model_sha256": "0" * 64, "parts": [], "kinds": {}}))
    with pytest.raises(ValueError, match="base"):
        bundle_mod.merge(run, tmp_path / "art")


def test_pack_refuses_a_mix_that_holds_held_apart_choice_premises(tmp_path):
    from verify.datasets import nli as nli_data
    from verify.training.bundle import pack

    if not (nli_data.nli_data_dir() / nli_data.MNLI_DEV_EN).exists():
        pytest.skip("needs ../shared/nli-data")
    premise, hypothesis, label, _ = nli_data.mnli_choice_en()[0]
    with pytest.raises(ValueError, match="mnli-choice-en"):
        pack(tmp_path / "b", [*TRAIN, (premise, hypothesis, label, "mnli-dev-en")], SETS)
    assert not (tmp_path / "b").exists()
