#!/usr/bin/env bash
# Builds Kokkos (OpenMP + Serial backends, shared libs, C++17) and KokkosKernels on top of it from
# Debian 12's own trilinos source package and installs both into PREFIX, for
# `cmake -DKokkos_ROOT=PREFIX` (docs/build.md; drfm finds the KokkosKernels next to that Kokkos).
# Debian ships Kokkos with the Serial backend only, and its KokkosKernels is built on that Kokkos;
# this is the opt-in threaded build. KokkosKernels: BLAS component only, host GEMM through the BLAS
# TPL (libblas.so, i.e. OpenBLAS via the alternatives), ETI for float and double, LayoutLeft,
# <OpenMP, HostSpace>; no tests or examples.
# Idempotent: a PREFIX that already holds an OpenMP Kokkos and a KokkosKernels built on it is left
# alone; one with only the Kokkos gets the KokkosKernels added (use --force to rebuild both).
#
# Usage: scripts/build_kokkos_openmp.sh [--force] PREFIX
#   DRFM_KOKKOS_WORKDIR  where the source package is downloaded and built
#                        (default: ${TMPDIR:-/tmp}/drfm-kokkos-openmp; kept, so a rerun skips the download)
#   DRFM_KOKKOS_JOBS     parallel build jobs (default: nproc)
# Needs root or sudo once, to add a deb-src entry and run apt-get update, and gfortran (KokkosKernels'
# BLAS TPL probes the Fortran name mangling); a 166 MB download, ~2.5 min on a 2-core machine
# (docs/build.md).
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
have_kokkos() {
  local header
  header=$(find "$prefix" -name KokkosCore_config.h -path '*/include/*' 2>/dev/null | head -n1)
  [[ -n "$header" ]] && grep -q '^#define KOKKOS_ENABLE_OPENMP' "$header" &&
    find "$prefix" -name KokkosConfig.cmake | grep -q .
}
# A KokkosKernels in PREFIX with the BLAS TPL whose config looks for the Kokkos of this PREFIX.
have_kernels() {
  local header config kokkos_dir
  header=$(find "$prefix" -name KokkosKernels_config.h -path '*/include/*' 2>/dev/null | head -n1)
  config=$(find "$prefix" -name KokkosKernelsConfig.cmake 2>/dev/null | head -n1)
  kokkos_dir=$(find "$prefix" -name KokkosConfig.cmake -printf '%h\n' 2>/dev/null | head -n1)
  [[ -n "$header" && -n "$config" && -n "$kokkos_dir" ]] &&
    grep -q '^#define KOKKOSKERNELS_ENABLE_TPL_BLAS' "$header" &&
    grep -qF "find_dependency(Kokkos HINTS $kokkos_dir)" "$config"
}
build_kokkos=1
build_kernels=1
if ((force == 0)) && have_kokkos; then
  build_kokkos=0
  if have_kernels; then
    log "an OpenMP Kokkos and a KokkosKernels built on it are already installed in $prefix (--force to rebuild)"
    exit 0
  fi
  log "an OpenMP Kokkos is already installed in $prefix; adding KokkosKernels"
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

# --- 3. Extract only packages/kokkos and packages/kokkos-kernels ----------------------------------
src="$workdir/src"
if [[ ! -f "$src/packages/kokkos/CMakeLists.txt" || ! -f "$src/packages/kokkos-kernels/CMakeLists.txt" ]]; then
  log "extracting packages/kokkos and packages/kokkos-kernels from $orig"
  rm -rf "$src"
  mkdir -p "$src"
  tar -xf "$orig" -C "$src" --strip-components=1 --wildcards \
    '*/packages/kokkos/*' '*/packages/kokkos-kernels/*'
fi

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi

# install_package NAME SOURCE BUILD [cmake args...]: a fresh Release build of SOURCE in BUILD,
# shared libraries, C++17, installed into PREFIX.
install_package() {
  local name=$1 source=$2 build=$3
  shift 3
  rm -rf "$build"
  log "building $name into $prefix"
  cmake -S "$source" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_EXTENSIONS=OFF \
    -DBUILD_SHARED_LIBS=ON "$@"
  cmake --build "$build" -j "$jobs"
  cmake --install "$build"
}

# --- 4. Kokkos: configure, build, install ----------------------------------------------------------
if ((build_kokkos)); then
  install_package Kokkos "$src/packages/kokkos" "$workdir/build" \
    -DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_SERIAL=ON
fi

# --- 5. KokkosKernels on that Kokkos: configure, build, install ------------------------------------
# Standalone build (Kokkos_ROOT = PREFIX). BLAS TPL: host GEMM of float/double LayoutLeft views goes
# to sgemm_/dgemm_ of libblas.so (BLA_VENDOR=Generic as in drfm, i.e. OpenBLAS via the alternatives);
# the Fortran compiler is only used to detect the name mangling. LAPACK TPL off (as in Debian's
# build; drfm calls LAPACK itself). ETI kept small: BLAS component only, float and double,
# LayoutLeft, <OpenMP, HostSpace> (the device of every HostSpace view on this Kokkos); other
# combinations still compile from the headers (KokkosKernels_ETI_ONLY stays OFF).
if ((build_kernels)); then
  install_package KokkosKernels "$src/packages/kokkos-kernels" "$workdir/build-kernels" \
    -DKokkos_ROOT="$prefix" \
    -DBLA_VENDOR=Generic \
    -DKokkosKernels_ENABLE_TPL_BLAS=ON -DKokkosKernels_ENABLE_TPL_LAPACK=OFF \
    -DKokkosKernels_ENABLED_COMPONENTS=BLAS \
    -DKokkosKernels_ADD_DEFAULT_ETI=OFF \
    -DKokkosKernels_INST_FLOAT=ON -DKokkosKernels_INST_DOUBLE=ON \
    -DKokkosKernels_INST_COMPLEX_FLOAT=OFF -DKokkosKernels_INST_COMPLEX_DOUBLE=OFF \
    -DKokkosKernels_INST_LAYOUTLEFT=ON -DKokkosKernels_INST_LAYOUTRIGHT=OFF \
    -DKokkosKernels_INST_ORDINAL_INT=ON -DKokkosKernels_INST_ORDINAL_INT64_T=OFF \
    -DKokkosKernels_INST_OFFSET_INT=ON -DKokkosKernels_INST_OFFSET_SIZE_T=OFF \
    -DKokkosKernels_INST_EXECSPACE_OPENMP=ON -DKokkosKernels_INST_EXECSPACE_SERIAL=OFF \
    -DKokkosKernels_INST_MEMSPACE_HOSTSPACE=ON \
    -DKokkosKernels_ENABLE_TESTS=OFF -DKokkosKernels_ENABLE_EXAMPLES=OFF
fi
log "done: configure drfm_hpc with -DKokkos_ROOT=$prefix (KokkosKernels is found next to it)"
