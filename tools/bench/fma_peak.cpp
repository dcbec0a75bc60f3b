// The CPU's fp32 multiply-add peak, measured with independent FMA chains at the machine's SIMD
// width (AVX-512 when the CPU has it, else AVX2 + FMA): the hardware ceiling that the decode's
// GFLOP/s (`dpflow model-info --bench`) is compared against. Nothing here is the decode's own
// shapes. Run: build/tools/bench/dpflow_fma_peak [--benchmark_min_time=1]
// FLOPS is summed over the benchmark threads (ThreadRange 1..2: one core, both cores), per second
// of wall time.

#include <benchmark/benchmark.h>

#include <cstddef>

namespace {

// Independent accumulators: at least FMA latency x pipes (4 x 2) on any x86 core, and few enough to
// stay in registers with the two constants (AVX-512 has 32 vector registers, AVX2 16).
constexpr int kRounds = 4096;   // multiply-adds per chain per iteration

template <int Lanes>
struct Vector {
    typedef float type __attribute__((vector_size(Lanes * sizeof(float))));
};

template <int Lanes, int kChains>
__attribute__((always_inline)) inline void chains(benchmark::State& state) {
    using V = typename Vector<Lanes>::type;
    V acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = V{} + 1.0f + static_cast<float>(c) * 1e-3f;
    const V m = V{} + 0.999999f;
    const V a = V{} + 1e-7f;
    for (auto _ : state) {
        for (int r = 0; r < kRounds; ++r) {
            // Fully unrolled so that the accumulators live in registers (no load or store per FMA).
#pragma GCC unroll 16
            for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * m + a;  // contracted to one FMA each
        }
        V sum = acc[0];
#pragma GCC unroll 16
        for (int c = 1; c < kChains; ++c) sum += acc[c];
        benchmark::DoNotOptimize(sum);
    }
    const double flops = 2.0 * Lanes * kChains * kRounds;
    // Iterations are counted over all threads and every thread reports the counter: average it.
    state.counters["FLOPS"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kAvgThreads);
    state.counters["lanes"] = benchmark::Counter(Lanes, benchmark::Counter::kAvgThreads);
}

__attribute__((target("avx512f,fma"))) void fmaAvx512(benchmark::State& state) { chains<16, 16>(state); }
__attribute__((target("avx2,fma"))) void fmaAvx2(benchmark::State& state) { chains<8, 12>(state); }

void BM_FmaPeak(benchmark::State& state) {
    if (__builtin_cpu_supports("avx512f")) {
        state.SetLabel("AVX-512, 16 lanes");
        fmaAvx512(state);
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        state.SetLabel("AVX2 + FMA, 8 lanes");
        fmaAvx2(state);
    } else {
        state.SkipWithError("no FMA SIMD unit");
    }
}
BENCHMARK(BM_FmaPeak)->ThreadRange(1, 2)->UseRealTime();

void BM_FmaAvx2(benchmark::State& state) {
    if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        state.SkipWithError("no AVX2 + FMA");
        return;
    }
    fmaAvx2(state);
}
BENCHMARK(BM_FmaAvx2)->ThreadRange(1, 2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
