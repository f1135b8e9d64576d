#!/usr/bin/env bash
# Installs every Debian 12 package drfm_hpc needs to build, test, run and plot. Idempotent.
# Usage: scripts/setup.sh [--with-slurm]   (as root, or with sudo available)
set -euo pipefail

packages=(
  cmake ninja-build g++ gfortran pkg-config
  libopenmpi-dev openmpi-bin
  libscalapack-openmpi-dev libopenblas-dev
  libhdf5-openmpi-dev hdf5-tools
  libeigen3-dev libtomlplusplus-dev libtrilinos-kokkos-dev libtrilinos-kokkos-kernels-dev
  zlib1g-dev libgtest-dev libgmock-dev
  dataset-fashion-mnist
  python3 python3-numpy python3-h5py python3-matplotlib python3-xarray python3-h5netcdf
  python3-torch
)
if [[ "${1:-}" == "--with-slurm" ]]; then
  packages+=(slurmctld slurmd slurm-client munge)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
