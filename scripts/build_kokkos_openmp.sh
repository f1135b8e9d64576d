#!/usr/bin/env bash
# Builds Kokkos (OpenMP + Serial backends, shared libs, C++17) from Debian 12's own trilinos source
# package and installs it into PREFIX, for `cmake -DKokkos_ROOT=PREFIX` (docs/build.md). Debian ships
# Kokkos with the Serial backend only; this is the opt-in threaded build. Idempotent: a PREFIX that
# already holds an OpenMP Kokkos is left alone (use --force to rebuild).
#
# Usage: scripts/build_kokkos_openmp.sh [--force] PREFIX
#   DRFM_KOKKOS_WORKDIR  where the source package is downloaded and built
#                        (default: ${TMPDIR:-/tmp}/drfm-kokkos-openmp; kept, so a rerun skips the download)
#   DRFM_KOKKOS_JOBS     parallel build jobs (default: nproc)
# Needs root or sudo once, to add a deb-src entry and run apt-get update; ~45 s and a 166 MB
# download on a 2-core machine.
set -euo pipefail

force=0
if [[ "${1:-}" == "--force" ]]; then
  force=1
  shift
fi
if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: $0 [--force] PREFIX" >&2
  exit 2
fi
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
workdir=${DRFM_KOKKOS_WORKDIR:-${TMPDIR:-/tmp}/drfm-kokkos-openmp}
jobs=${DRFM_KOKKOS_JOBS:-$(nproc)}
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

log() { echo "build_kokkos_openmp: $*"; }

# --- 0. Already installed? ----------------------------------------------------------------------
config_header=$(find "$prefix" -name KokkosCore_config.h -path '*/include/*' 2>/dev/null | head -n1)
if ((force == 0)) && [[ -n "$config_header" ]] &&
   grep -q '^#define KOKKOS_ENABLE_OPENMP' "$config_header" &&
   find "$prefix" -name KokkosConfig.cmake | grep -q .; then
  log "an OpenMP Kokkos is already installed in $prefix (--force to rebuild)"
  exit 0
fi

# --- 1. A deb-src entry for the Debian mirror -----------------------------------------------------
have_deb_src() {
  grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/
}
if ! have_deb_src; then
  src_list=/etc/apt/sources.list.d/debian-src.sources
  log "adding $src_list"
  $sudo tee "$src_list" >/dev/null <<'EOF'
# Added by drfm_hpc scripts/build_kokkos_openmp.sh: source packages, for building Kokkos with OpenMP.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  $sudo apt-get update -q
fi

# --- 2. Download the trilinos source package (once) -----------------------------------------------
mkdir -p "$workdir/download"
cd "$workdir/download"
orig=$(ls trilinos_*.orig.tar.* 2>/dev/null | head -n1 || true)
if [[ -z "$orig" ]]; then
  log "downloading the trilinos source package into $workdir/download"
  if ! apt-get source --download-only trilinos; then
    # A deb-src entry that exists but was never fetched: refresh the lists once and retry.
    $sudo apt-get update -q
    apt-get source --download-only trilinos
  fi
  orig=$(ls trilinos_*.orig.tar.* | head -n1)
fi

# --- 3. Extract only packages/kokkos --------------------------------------------------------------
src="$workdir/src"
if [[ ! -f "$src/packages/kokkos/CMakeLists.txt" ]]; then
  log "extracting packages/kokkos from $orig"
  rm -rf "$src"
  mkdir -p "$src"
  tar -xf "$orig" -C "$src" --strip-components=1 --wildcards '*/packages/kokkos/*'
fi

# --- 4. Configure, build, install ------------------------------------------------------------------
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
build="$workdir/build"
rm -rf "$build"
log "building Kokkos into $prefix"
cmake -S "$src/packages/kokkos" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_EXTENSIONS=OFF \
  -DBUILD_SHARED_LIBS=ON \
  -DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_SERIAL=ON
cmake --build "$build" -j "$jobs"
cmake --install "$build"
log "done: configure drfm_hpc with -DKokkos_ROOT=$prefix"
