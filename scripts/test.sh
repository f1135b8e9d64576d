#!/usr/bin/env bash
# Fresh Debian 12 → installed packages (with the single-node Slurm used by the job-script test),
# a build, and the whole test suite (unit, MPI at 1/2/4 ranks, whole-program).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-slurm
scripts/build.sh
source scripts/env.sh
cd build
ctest --output-on-failure --timeout 900 -j"$(nproc)"
