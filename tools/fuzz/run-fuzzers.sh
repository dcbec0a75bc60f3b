#!/usr/bin/env bash
# Builds the fuzz targets (DPFLOW_FUZZ: clang, libFuzzer, ASan, UBSan) and runs each for MINUTES,
# as many at once as there are cores, each on a working copy of its seed corpus and findings.
# Prints, per target: executions, final coverage (cov = edges, ft = features), corpus size and
# every new finding (crash-, leak-, oom-, timeout-, slow-unit- files) with its path.
# -malloc_limit_mb makes a single allocation above 300 MB a finding even when it is never touched.
# Usage: tools/fuzz/run-fuzzers.sh MINUTES [TARGET...]   (targets: see tests/fuzz/fuzz_targets.h)
#        tools/fuzz/run-fuzzers.sh --report [TARGET...]    (the table of the last runs, from their logs)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
minutes="${1:?usage: run-fuzzers.sh MINUTES|--report [TARGET...]}"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(image manifest safetensors model_card release_config ledger release_state certificate)
build="$root/build-fuzz"

report() {
    printf '\n%-15s %12s %8s %8s %8s  %s\n' target executions cov ft corpus findings
    for target in "${targets[@]}"; do
        log="$build/logs/$target.log"
        executions="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" 2>/dev/null | awk '{print $2}' | tail -1 || true)"
        last="$(grep -E '^#[0-9]+' "$log" 2>/dev/null | tail -1 || true)"
        cov="$(echo "$last" | grep -o 'cov: [0-9]*' | awk '{print $2}' || true)"
        ft="$(echo "$last" | grep -o 'ft: [0-9]*' | awk '{print $2}' || true)"
        corpus="$(ls "$build/corpus/$target" 2>/dev/null | wc -l)"
        findings="$(ls "$build/artifacts/$target" 2>/dev/null | tr '\n' ' ' || true)"
        printf '%-15s %12s %8s %8s %8s  %s\n' "$target" "${executions:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "${findings:-none}"
    done
}
if [ "$minutes" = "--report" ]; then
    report
    exit 0
fi

"$root/installer/install-dependencies.sh" --fuzzing
cmake -S "$root" -B "$build" -G Ninja -DDPFLOW_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ > /dev/null
cmake --build "$build"

dictionary_for() {
    case "$1" in
        image) echo "$root/tests/fuzz/dictionaries/image.dict" ;;
        manifest) echo "$root/tests/fuzz/dictionaries/manifest.dict" ;;
        safetensors) echo "$root/tests/fuzz/dictionaries/json.dict" ;;
        *) echo "$root/tests/fuzz/dictionaries/json.dict" ;;
    esac
}

run_one() {
    local target="$1" work="$build/corpus/$1" artifacts="$build/artifacts/$1/"
    mkdir -p "$work" "$artifacts" "$build/logs"
    cp -n "$root/tests/fuzz/corpus/$target/"* "$work/" 2>/dev/null || true
    cp -n "$root/tests/fuzz/findings/$target/"* "$work/" 2>/dev/null || true
    rm -f "$work/README.md"
    (cd "$build" && "./fuzz_$target" -max_total_time=$((minutes * 60)) -timeout=10 -malloc_limit_mb=300 -rss_limit_mb=2048 \
        -print_final_stats=1 -dict="$(dictionary_for "$target")" -artifact_prefix="$artifacts" "$work" \
        > "$build/logs/$target.log" 2>&1) || true
}

jobs_at_once="$(nproc)"
for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_at_once" ]; do sleep 5; done
    echo "fuzzing $target for $minutes min (log: $build/logs/$target.log)"
    run_one "$target" &
done
wait
rm -rf /dev/shm/dpflow-fuzz-* 2>/dev/null || true

report
