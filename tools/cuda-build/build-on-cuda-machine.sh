#!/bin/bash
# Build dpflow against the CUDA LibTorch of a GPU host, with Debian 12 libraries unpacked from .devdeps/deb12root.tar.xz (pack-debian-deps.sh).
T0=$(date +%s)
echo "== machine"; nproc; head -2 /etc/os-release; g++ --version | head -1; cmake --version | head -1; nvidia-smi -L
mkdir -p /opt/deb12 && tar -xJf .devdeps/deb12root.tar.xz -C /opt/deb12
D=/opt/deb12/usr/lib/x86_64-linux-gnu
cat > /usr/local/bin/deb12-pkg-config <<EOS
#!/bin/sh
export PKG_CONFIG_SYSROOT_DIR=/opt/deb12 PKG_CONFIG_LIBDIR=$D/pkgconfig:/opt/deb12/usr/share/pkgconfig
LD_LIBRARY_PATH=$D exec /opt/deb12/usr/bin/pkgconf "\$@"
EOS
chmod +x /usr/local/bin/deb12-pkg-config
TP=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch;print("torch", torch.__version__, torch.version.cuda, torch.cuda.is_available())'
export CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DDPFLOW_BUILD_UI=OFF -DDPFLOW_BUILD_TESTS=OFF -DDPFLOW_BUILD_SAMPLE=OFF \
  -DCMAKE_PREFIX_PATH="$TP;/opt/deb12/usr;/opt/deb12/usr/lib/x86_64-linux-gnu/cmake;/opt/deb12/usr/share/cmake" \
  -DPKG_CONFIG_EXECUTABLE=/usr/local/bin/deb12-pkg-config -DTORCH_CUDA_ARCH_LIST=9.0 -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DCMAKE_EXE_LINKER_FLAGS="-L$D -Wl,-rpath-link,$D -Wl,--disable-new-dtags -Wl,-rpath,$D" > $OUT/cmake.log 2>&1 || { tail -60 $OUT/cmake.log; exit 1; }
grep -i "torch\|cuda" $OUT/cmake.log | head -20
cmake --build build-cuda -j16 --target dpflow > $OUT/build.log 2>&1 || { grep -B2 -A12 "error" $OUT/build.log | head -120; exit 1; }
echo "== built in $(( $(date +%s) - T0 )) s"; ls -la build-cuda/app/dpflow
strip -o $OUT/dpflow build-cuda/app/dpflow; ls -la $OUT/dpflow
ldd build-cuda/app/dpflow | grep -i "not found\|torch_cuda\|dcmdata"
rm -f $OUT/cmake.log $OUT/build.log
LD_LIBRARY_PATH=/opt/deb12/usr/lib/x86_64-linux-gnu build-cuda/app/dpflow model-info models/pneumoniamnist-glow32.safetensors --bench 20 --device cuda | tail -2
echo "== build step done after $(( $(date +%s) - T0 )) s"
