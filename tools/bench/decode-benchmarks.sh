#!/usr/bin/env bash
# The decode and preview benchmarks in one run, printed with the ratios they are judged by
# (docs/performance.md): the CPU's fp32 FMA peak (Google Benchmark), the C++ decode against the
# PyTorch reference on the same weights at 1 and 2 threads (best of 30), the decode's FLOP rate
# against the peak, and `dpflow bench --under-load` at 128 px and 256 px.
#
#   tools/bench/decode-benchmarks.sh [--build DIR] [--model-128 M] [--model-256 M] [--image FILM]
#
# Without --model-256 a throwaway 256 px model of the default architecture is trained for one
# epoch on 64 NIH films (about a minute) into a temporary folder: the timing does not depend on
# how well a model is trained. Needs python3-torch for the reference (installer/README).
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build
model128=models/nih128-glow.safetensors
model256=
image=../shared/data/nih-cxr1000/png/00001389_002.png
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --model-128) model128=$2; shift 2 ;;
        --model-256) model256=$2; shift 2 ;;
        --image) image=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
dpflow=$build/app/dpflow
peak=$build/tools/bench/dpflow_fma_peak
[ -x "$dpflow" ] || { echo "no $dpflow: build first (README)" >&2; exit 1; }
[ -x "$peak" ] || { echo "no $peak: install libbenchmark-dev and rebuild" >&2; exit 1; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "the reference needs python3-torch (apt-get install python3-torch)" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ -z "$model256" ]; then
    model256=$scratch/glow256.safetensors
    echo "training a throwaway 256 px model of the default architecture (1 epoch, 64 films) ..."
    "$dpflow" train --manifest ../shared/data/nih-cxr1000/labels.csv --out "$model256" --attributes label --attributes sex \
        --attributes view --size 256 --fit square --levels 4 --steps 8 --hidden 64 --coupling-min-scale 0.5 --epochs 1 \
        --batch 16 --max-images 64 --threads 2 >"$scratch/train.log" 2>&1
fi

# The peak is the best of 10 repetitions: on a shared machine a repetition can lose a core.
"$peak" --benchmark_filter='BM_FmaPeak' --benchmark_repetitions=10 --benchmark_format=json >"$scratch/peak.json" 2>/dev/null
peak_gflops() {
    /usr/bin/python3 -c "import json; b=[x['FLOPS'] for x in json.load(open('$scratch/peak.json'))['benchmarks'] if x.get('run_type') == 'iteration' and x['name'].endswith('threads:$1')]; print('%.1f' % (max(b)/1e9))"
}

field() { grep -oP "$1" | head -1; }
echo
echo "== decode, batch 1, best of 30 (ms); reference = PyTorch eager on the same weights"
printf '%-10s %-7s %9s %11s %13s %12s %12s %11s %11s\n' model threads "C++" "ref plain" "ref cached" "x plain" "x cached" "GFLOP/s" "of peak"
for model in "$model128" "$model256"; do
    for threads in 1 2; do
        info=$("$dpflow" model-info "$model" --bench 30 --threads "$threads")
        cpp=$(echo "$info" | grep '^decode batch' | field 'min \K[0-9.]+')
        executed=$(echo "$info" | grep '^executed on' | field 'fastest run \K[0-9.]+')
        ref=$(/usr/bin/python3 tools/reference/glow_reference.py "$model" --bench 30 --threads "$threads")
        plain=$(echo "$ref" | grep -v cached | field 'min \K[0-9.]+')
        cached=$(echo "$ref" | grep cached | field 'min \K[0-9.]+')
        size=$(echo "$info" | field '"image_size": \K[0-9]+')
        p=$(peak_gflops "$threads")
        awk -v size="${size}px" -v t="$threads" -v cpp="$cpp" -v plain="$plain" -v cached="$cached" -v gf="$executed" -v peak="$p" \
            'BEGIN { printf "%-10s %-7s %9s %11s %13s %11.2fx %11.2fx %11s %10.0f%%\n", size, t, cpp, plain, cached, plain / cpp, cached / cpp, gf, 100 * gf / peak }' 
    done
done
echo "fp32 FMA peak (best of 10): $(peak_gflops 1) GFLOP/s on 1 thread, $(peak_gflops 2) GFLOP/s on 2"
echo "(GFLOP/s above: the work the CPU decoder executes, at its fastest run; model-info also prints the nominal work)"

for model in "$model128" "$model256"; do
    echo
    echo "== dpflow bench --threads 2 --under-load --image $image ($model)"
    "$dpflow" bench --model "$model" --threads 2 --runs 50 --under-load --image "$image"
done
