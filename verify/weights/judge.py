"""The project's own NLI judge: assembled at first use from the e5 base plus the committed artifact.

The committed artifact (verify/weights/judge_artifact/judge.safetensors + judge.json) holds only the tensors
that training changed (int8/float16 differences to the base, the classifier head in float16). At
first use they are added onto the rebuilt multilingual-e5-small (`verify.weights.e5.ensure_e5`) and written as
a standard 3-label CrossEncoder / BertForSequenceClassification folder in the user cache, atomically
(temp dir in the same parent, fsync, os.replace, under a file lock). The artifact's sha256 is checked
against judge.json before use, and the folder carries a manifest so a partial or stale folder is
never used.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from verify.config import cache_dir
from verify.locking import file_record, files_match, publish_folder, sha256_file
from verify.weights.quant import JudgeArtifactError, apply_artifact

JUDGE_VERSION = "1"  # bump when the assembled folder's layout changes
ID2LABEL = {0: "entailment", 1: "neutral", 2: "contradiction"}
MAX_LENGTH = 256
_MANIFEST = "verify-manifest.json"
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "sentencepiece.bpe.model",
)


def artifact_dir() -> Path:
    return Path(__file__).resolve().parent / "judge_artifact"


def default_folder() -> Path:
    return cache_dir() / "models" / f"verify-judge-{JUDGE_VERSION}"


def read_artifact_meta(art: Path | None = None) -> dict:
    art = art or artifact_dir()
    path = art / "judge.json"
    if not path.exists():
        raise JudgeArtifactError(f"{path}: judge artifact missing (train it with scripts/train_judge.sh)")
    return json.loads(path.read_text(encoding="utf-8"))


def check_artifact(art: Path | None = None) -> dict:
    """Return the artifact's metadata after checking its file against the committed sha256."""
    art = art or artifact_dir()
    meta = read_artifact_meta(art)
    path = art / meta.get("artifact", "judge.safetensors")
    if not path.exists():
        raise JudgeArtifactError(f"{path}: judge artifact file missing")
    digest = sha256_file(path)
    if digest != meta.get("sha256"):
        raise JudgeArtifactError(f"{path}: sha256 {digest} does not match the committed {meta.get('sha256')}")
    return meta


def verify_folder(folder: Path, artifact_sha256: str | None = None) -> bool:
    """True when the folder is complete, matches its manifest and (if given) was built from this artifact."""
    mf = folder / _MANIFEST
    try:
        meta = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("judge_version") != JUDGE_VERSION:
        return False
    if artifact_sha256 is not None and meta.get("artifact_sha256") != artifact_sha256:
        return False
    files = meta.get("files") or {}
    if "model.safetensors" not in files or "config.json" not in files:
        return False
    return files_match(folder, files)


def _assembled_state(base_folder: Path, art: Path, meta: dict) -> dict:
    from safetensors.torch import load_file

    base = load_file(str(base_folder / "model.safetensors"))
    arti = load_file(str(art / meta.get("artifact", "judge.safetensors")))
    return apply_artifact(base, arti, meta["tensors"])


def _write_folder(base_folder: Path, art: Path, meta: dict, out: Path) -> None:
    from safetensors.torch import save_file

    base_cfg = json.loads((base_folder / "config.json").read_text(encoding="utf-8"))
    if base_cfg.get("num_hidden_layers") is None:
        raise JudgeArtifactError(f"{base_folder}: not a BERT folder")
    state = _assembled_state(base_folder, art, meta)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    cfg = dict(base_cfg)
    cfg["architectures"] = ["BertForSequenceClassification"]
    cfg["id2label"] = {str(i): n for i, n in ID2LABEL.items()}
    cfg["label2id"] = {n: i for i, n in ID2LABEL.items()}
    cfg["problem_type"] = "single_label_classification"
    cfg["tie_word_embeddings"] = False
    (out / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    for name in _TOKENIZER_FILES:
        if (base_folder / name).exists():
            shutil.copyfile(base_folder / name, out / name)
    tc_path = out / "tokenizer_config.json"
    if tc_path.exists():
        tc = json.loads(tc_path.read_text(encoding="utf-8"))
        tc["model_max_length"] = int(meta.get("max_length", MAX_LENGTH))
        tc_path.write_text(json.dumps(tc, indent=2, ensure_ascii=False), encoding="utf-8")


def ensure_judge(folder: Path | None = None, *, artifact: Path | None = None) -> Path:
    """Return a verified judge CrossEncoder folder, assembling it atomically when missing or stale.

    `folder` is where the assembled model lives (default: <cache>/models/verify-judge-<version>);
    `artifact` is the artifact folder (default: the packaged verify/weights/judge_artifact).
    Raises JudgeArtifactError when the artifact is missing or its checksum does not match.
    """
    folder = folder or default_folder()
    art = artifact or artifact_dir()
    meta = check_artifact(art)
    if verify_folder(folder, meta["sha256"]):
        return folder
    from verify.locking import file_lock
    from verify.weights.e5 import REBUILD_VERSION, ensure_e5

    if meta.get("base_rebuild_version") not in (None, REBUILD_VERSION):
        raise JudgeArtifactError(
            f"artifact was trained on e5 rebuild {meta.get('base_rebuild_version')}, this is {REBUILD_VERSION}"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(folder.parent / f".{folder.name}.lock"):
        if verify_folder(folder, meta["sha256"]):  # another process built it while we waited
            return folder
        base = ensure_e5()
        base_mf = json.loads((base / "verify-manifest.json").read_text(encoding="utf-8"))
        want = meta.get("base_model_sha256")
        if want and base_mf["files"]["model.safetensors"]["sha256"] != want:
            raise JudgeArtifactError("the e5 base differs from the one the judge artifact was trained on")
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            from verify.weights.prepare import preparing

            with preparing("the project's judge (assembled from its artifact)"):
                _write_folder(base, art, meta, tmp)
            files = {}
            for path in sorted(tmp.rglob("*")):
                if path.is_file():
                    files[str(path.relative_to(tmp))] = file_record(path)
            (tmp / _MANIFEST).write_text(
                json.dumps(
                    {
                        "judge_version": JUDGE_VERSION,
                        "artifact_sha256": meta["sha256"],
                        "base_rebuild_version": REBUILD_VERSION,
                        "files": files,
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
            publish_folder(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return folder


def quantize_int8(model):
    """Dynamic int8 quantisation of the Linear layers, in place (CPU inference)."""
    import warnings

    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
