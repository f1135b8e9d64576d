#!/usr/bin/env bash
# Fresh Debian 12 → installed packages, a build, and the main job: a 5-layer Deep RFM on 4000
# Fashion-MNIST images with 2 MPI ranks, its results file and its plots.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
source scripts/env.sh
ranks=${DRFM_RANKS:-2}
mpirun -n "$ranks" build/src/app/drfm_hpc input/quickstart.toml
/usr/bin/python3 tools/plot_results.py results/quickstart.h5 --layers 1,3,5 --out results/quickstart_plots
echo "quickstart: results in results/quickstart.h5, plots in results/quickstart_plots/"
