#!/usr/bin/env bash
# Installs every build, run and test dependency of DP-Flow Studio from Debian 12 packages.
# Idempotent and non-interactive: packages already present are left alone, and apt is only
# touched when something is missing. Run as root or as a user with sudo.
# --fuzzing also installs clang (with libFuzzer) for tools/fuzz/run-fuzzers.sh.
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake ninja-build pkg-config git file
    # engine: LibTorch (CPU), an optimized BLAS for it, oneDNN (the CPU decoder's sgemm), DICOM,
    # PNG, JPEG 2000, crypto. Debian's oneDNN is built with its OpenCL GPU runtime, so its CMake
    # config requires the OpenCL headers and loader, which libdnnl-dev only recommends (and this
    # script installs without recommends)
    libtorch-dev libopenblas0-pthread libdnnl-dev ocl-icd-opencl-dev libdcmtk-dev dcmtk libpng-dev zlib1g-dev libopenjp2-7-dev libssl-dev
    # allocator that keeps LibTorch's large CPU buffers for reuse (app/allocator)
    libjemalloc-dev
    # well-kept helpers: JSON, formatting, command line
    nlohmann-json3-dev libfmt-dev libcli11-dev
    # studio: Qt 6 widgets and QCustomPlot, and a virtual display for headless runs
    qt6-base-dev libqcustomplot-dev xvfb xauth
    # tests and packaging; orthanc is the real PACS the PACS tests start on loopback (never its
    # packaged service)
    libgtest-dev libgmock-dev fakeroot dpkg-dev orthanc
    # benchmarks: Google Benchmark for the hardware ceiling (tools/bench)
    libbenchmark-dev
)
if [ "${1:-}" = "--fuzzing" ]; then
    packages+=(clang)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-dependencies: all ${#packages[@]} packages are installed"
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    as_root=(sudo)
fi

echo "install-dependencies: installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
