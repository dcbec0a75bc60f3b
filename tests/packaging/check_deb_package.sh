#!/usr/bin/env bash
# Builds the Debian package from a finished build folder and checks that it holds what a user
# installs: both executables, the desktop entry, AppStream metainfo, the icon, the sample study,
# and declared dependencies on the libraries the binaries need.
set -euo pipefail
build_dir=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$out" > "$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/*.deb)
contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
fail=0
for expected in \
    ./usr/bin/dpflow \
    ./usr/bin/dpflow-studio \
    ./usr/share/applications/io.github.dpflow.Studio.desktop \
    ./usr/share/metainfo/io.github.dpflow.Studio.metainfo.xml \
    ./usr/share/icons/hicolor/scalable/apps/dpflow-studio.svg \
    ./usr/share/dpflow-studio/sample/png/manifest.csv \
    ./usr/share/dpflow-studio/sample/dcm/manifest.csv; do
    if ! grep -qxF "$expected" <<<"$contents"; then
        echo "missing from the package: $expected"
        fail=1
    fi
done
depends=$(dpkg-deb --field "$deb" Depends)
for library in libtorch libdcmtk libqt6widgets6 libopenblas0-pthread libpng16; do
    if ! grep -q "$library" <<<"$depends"; then
        echo "the package does not declare a dependency on $library (Depends: $depends)"
        fail=1
    fi
done
exit $fail
