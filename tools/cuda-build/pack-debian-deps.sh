#!/bin/bash
# Packs the Debian 12 libraries and headers dpflow needs besides LibTorch (DCMTK, libpng, OpenSSL,
# OpenJPEG, fmt, CLI11, nlohmann-json, jemalloc, oneDNN for the CPU decoder, pkgconf and their
# run-time dependencies) into one tarball
# for a CUDA machine that has LibTorch but none of these, e.g. an Ubuntu 24.04 GPU host.
# Run on Debian 12 after installer/install-dependencies.sh; writes .devdeps/deb12root.tar.xz.
# build-on-cuda-machine.sh unpacks it to /opt/deb12 there.
set -euo pipefail
out=${1:-.devdeps/deb12root.tar.xz}
root=$(mktemp -d)
libs=$(for l in /usr/lib/x86_64-linux-gnu/libdcm*.so.17 /usr/lib/x86_64-linux-gnu/libof*.so.17 /usr/lib/x86_64-linux-gnu/libijg*.so.17 \
                /usr/lib/x86_64-linux-gnu/libopenjp2.so.7 /usr/lib/x86_64-linux-gnu/libfmt.so.9 /usr/lib/x86_64-linux-gnu/libpng16.so.16 \
                /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/bin/pkgconf; do
          echo "$l"; ldd "$l" | awk '/=>/{print $3}'; done | sort -u |
       grep -vE 'libc\.so|libm\.so|libstdc\+\+|libgcc_s|ld-linux|libresolv|libdl\.|libpthread|librt\.')
pkgs=$(for l in $libs; do dpkg -S "$(readlink -f "$l")" 2>/dev/null || dpkg -S "$l"; done | cut -d: -f1 | sort -u)
pkgs="$pkgs libdnnl2 libdnnl-dev ocl-icd-libopencl1 libjemalloc2 libjemalloc-dev libdcmtk-dev libfmt-dev libcli11-dev nlohmann-json3-dev libopenjp2-7-dev libpng-dev libssl-dev zlib1g-dev pkgconf pkgconf-bin libpkgconf3"
for p in $pkgs; do dpkg -L "$p"; done | sort -u | grep -v '^/usr/share/doc\|^/usr/share/man\|^/usr/share/lintian\|/usr/share/locale' |
  sed 's#^/lib/#/usr/lib/#' | sort -u | while read -r f; do
    src=$f; [ -e "$src" ] || [ -L "$src" ] || src=${f/#\/usr\/lib\//\/lib\/}
    { [ -f "$src" ] || [ -L "$src" ]; } || continue
    mkdir -p "$root$(dirname "$f")"; cp -a "$src" "$root$f"
  done
lib=$root/usr/lib/x86_64-linux-gnu
rm -f "$lib"/*.a
# Absolute symlinks and absolute paths in the CMake exports must point inside /opt/deb12.
find "$root" -type l | while read -r l; do t=$(readlink "$l"); case $t in /*) ln -sf "$(basename "$t")" "$l";; esac; done
sed -i 's#/usr/lib/x86_64-linux-gnu/lib#/opt/deb12/usr/lib/x86_64-linux-gnu/lib#g; s#/usr/include/openjpeg#/opt/deb12/usr/include/openjpeg#g' \
    "$lib"/cmake/dcmtk/*.cmake "$lib"/openjpeg-2.5/*.cmake
for l in jpeg tiff wrap xml2 nsl; do [ -e "$lib/lib$l.so" ] || ln -s "$(cd "$lib" && ls lib$l.so.* | head -1)" "$lib/lib$l.so"; done
mkdir -p "$(dirname "$out")"
tar -cJf "$out" -C "$root" .
rm -rf "$root"
echo "wrote $out"
