#!/usr/bin/env bash
# Regenerates tests/fuzz/corpus/ (the fuzzers' seed corpus) with the project's own tools:
# DICOMs in every transfer syntax and a tiny safetensors (dpflow_fuzz_seeds), a phantom study
# (DICOM with a synthetic patient header, PNGs, its manifest), a PNG of display values
# (dpflow convert), a real release of two phantom films (its certificate, ledger, audit trail,
# progress and configuration), and the shipped model cards.
# Usage: tests/fuzz/make-seed-corpus.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
dpflow="$build/app/dpflow"
corpus="$here/corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rm -rf "$corpus"
mkdir -p "$corpus"/{image,manifest,safetensors,model_card,release_config,ledger,release_state,certificate}
"$build/tests/fuzz/dpflow_fuzz_seeds" "$corpus/image" "$corpus/safetensors" > /dev/null

"$dpflow" phantom --out "$work/dcm" --patients 1 --images-per-patient 2 --size 64 --format dcm --seed 5 > /dev/null
"$dpflow" phantom --out "$work/png" --patients 1 --images-per-patient 2 --size 64 --format png --seed 6 > /dev/null
first() { find "$1" -name "$2" | sort | head -1; }
cp "$(first "$work/dcm" '*_0.dcm')" "$corpus/image/phantom-header-64.dcm"
cp "$(first "$work/png" '*_0.png')" "$corpus/image/phantom-16bit-64.png"
cp "$(first "$work/png" '*_mask.png')" "$corpus/image/phantom-mask-64.png"
"$dpflow" convert --bits 8 "$corpus/image/phantom-header-64.dcm" "$corpus/image/display-8bit-64.png" > /dev/null
cp "$work/dcm/manifest.csv" "$corpus/manifest/phantom-dcm.csv"
cp "$work/png/manifest.csv" "$corpus/manifest/phantom-png.csv"
printf 'file,split,label,note\n"a, with comma.png",test,1,"two\nlines"\nb.png,train,0,"say ""hi"""\n' > "$corpus/manifest/quoted.csv"

for card in pneumoniamnist-glow32 phantom128-glow; do cp "$root/models/$card.json" "$corpus/model_card/$card.json"; done

# A release of the two phantom PNGs with pixel-space noise (no model needed): its files are
# what verify-release and a resumed release read.
"$dpflow" release --mechanism pixel --epsilon 100000 --out "$work/release" --purpose "fuzz seed" \
    --input "$work/png/manifest.csv" > /dev/null
cp "$work/release/certificate.json" "$corpus/certificate/"
cp "$work/release/privacy-ledger.jsonl" "$corpus/ledger/"
for state in "$work/release"/*.jsonl; do [ "$(basename "$state")" = privacy-ledger.jsonl ] || cp "$state" "$corpus/release_state/"; done
# The release's settings, as the certificate records them, are a release configuration.
python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1]))["settings"], open(sys.argv[2], "w"), indent=2)' \
    "$work/release/certificate.json" "$corpus/release_config/from-certificate.json"
printf '{"inputs": ["study/manifest.csv"], "model": "models/phantom128-glow.safetensors", "mechanism": "dpglow",\n "epsilon": 100000, "keep": ["pathology", "view"], "protect": ["sex:0"], "formats": ["dcm", "png"], "shard": "1/4"}\n' \
    > "$corpus/release_config/hand-written.json"
echo "seed corpus written to $corpus:"
for target in "$corpus"/*; do echo "  $(basename "$target"): $(ls "$target" | wc -l) file(s)"; done
