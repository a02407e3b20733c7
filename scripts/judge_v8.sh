#!/usr/bin/env bash
# The weighted soup of docs/judge-v8/choice-rule.md (the shipped soup averaged again with v7): assemble it, read
# it alone on held-out sets, re-tune the thresholds and refit the learned verdict on the dev splits, run every dev
# set through the pipeline with predictions, and compare paired with the shipped system (BASE: a
# scripts/baseline_dev.sh run at the same commit).
#   scripts/judge_v8.sh [OUT=runs/v8-eval] [BASE=runs/base-dev]
set -euo pipefail
OUT=${1:-runs/v8-eval}
BASE=${2:-runs/base-dev}
PY=${PY:-.venv/bin/python}
mkdir -p "$OUT"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
log() { echo "$(date -u +%T) $*" | tee -a "$OUT/log.txt"; }
CAND="$OUT/model-soup75"

log "soup75"
[ -f "$OUT/soup75-artifact/judge.json" ] || \
  $PY -m verify.training.average verify/weights/judge_artifact runs/judge-v7/artifact --out "$OUT/soup75-artifact"
$PY -c "from pathlib import Path; from verify.weights.judge import ensure_judge; print(ensure_judge(Path('$CAND'), artifact=Path('$OUT/soup75-artifact')))"
for set in xnli-de fv-dev; do
  f="$OUT/gold-$set-soup75.json"
  [ -s "$f" ] || { log "gold $set"; $PY -m verify eval "$set" --gold-evidence --nli-model "$CAND" --format json -o "$f"; }
done
f="$OUT/gold-averitec-soup75.json"
[ -s "$f" ] || { log "gold averitec"; $PY -m verify eval averitec --gold-evidence --nli-model "$CAND" --format json -o "$f"; }
f="$OUT/gold-healthfc-de-soup75.json"
[ -s "$f" ] || { log "gold healthfc-de"; $PY -m verify eval healthfc-de --gold-evidence --split dev --nli-model "$CAND" --format json -o "$f"; }
log "gold done"

log "tune"
[ -s "$OUT/tune.json" ] || $PY -m verify.eval.tune --nli-model "$CAND" --out "$OUT/tune.json" > "$OUT/tune.log" 2>&1
log "learn (English claims, as shipped)"
[ -s "$OUT/learn-en/verdict_model.json" ] || $PY -m verify.eval.learn --thresholds "$OUT/tune.json" --nli-model "$CAND" \
    --languages en --out "$OUT/learn-en" > "$OUT/learn.log" 2>&1
$PY - "$OUT" <<'PYEOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
t = json.loads((out / "tune.json").read_text(encoding="utf-8"))
t["verdict_model"] = json.loads((out / "learn-en" / "verdict_model.json").read_text(encoding="utf-8"))
t["version"] += "+learned-en"
(out / "thresholds.json").write_text(json.dumps(t, indent=1) + "\n", encoding="utf-8")
PYEOF
log "dev pipeline"
mkdir -p "$OUT/dev"
for b in averitec climate-fever healthfc covid-fact; do
  f="$OUT/dev/$b.json"
  [ -s "$f" ] || $PY -m verify eval "$b" --split dev --nli-model "$CAND" --thresholds "$OUT/thresholds.json" \
      --format json -o "$f" --predictions "$OUT/dev/$b.pred.jsonl"
done
$PY -m verify eval fever-jsonl --data eval/owned/seed-topic.jsonl --evidence evidence --split all --nli-model "$CAND" \
    --thresholds "$OUT/thresholds.json" --format json -o "$OUT/dev/owned-seed-topic.json" \
    --predictions "$OUT/dev/owned-seed-topic.pred.jsonl"
$PY -m verify audit --nli-model "$CAND" --thresholds "$OUT/thresholds.json" --format json > "$OUT/seed.json"
$PY -m verify.eval.compare "$BASE" "$OUT/dev" > "$OUT/compare-dev.md"
$PY -m verify.eval.compare --language de "$BASE" "$OUT/dev" > "$OUT/compare-dev-de.md"
log "done"
