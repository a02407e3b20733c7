#!/usr/bin/env bash
# The HTML report's print view, for docs/: audit seeds/ to HTML, print it with headless Chromium, and save page 1
# and the first page of claim details (with their citations) as docs/print-view-1.png and print-view-claim.png.
#   scripts/print_view.sh [OUT=docs]   (needs /usr/bin/chromium and poppler-utils: pdftoppm, pdftotext)
set -euo pipefail
OUT=${1:-docs}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

.venv/bin/verify audit --format html -o "$WORK/seed.html"
/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$WORK/profile" --no-pdf-header-footer \
  --print-to-pdf="$WORK/seed.pdf" "file://$WORK/seed.html" 2>/dev/null
pages=$(pdfinfo "$WORK/seed.pdf" | awk '/^Pages:/ {print $2}')
echo "$pages pages; $(pdftotext "$WORK/seed.pdf" - | grep -c '^Claim:') claim details"

# the first page that shows a claim's citations
detail=$(for p in $(seq 1 "$pages"); do
  if pdftotext -f "$p" -l "$p" "$WORK/seed.pdf" - | grep '^Citations (' >/dev/null; then echo "$p"; break; fi
done)
echo "page 1 -> $OUT/print-view-1.png, page $detail -> $OUT/print-view-claim.png"
pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$WORK/seed.pdf" "$OUT/print-view-1"
pdftoppm -png -r 72 -f "$detail" -l "$detail" -singlefile "$WORK/seed.pdf" "$OUT/print-view-claim"
ls -l "$OUT/print-view-1.png" "$OUT/print-view-claim.png"
