#!/bin/bash
# One drfm_hpc run (or a whole scan) in one job. Resubmit the same command to resume it.
#   sbatch jobs/drfm_single.sh INPUT.toml [section.key=value ...]
# Set the resources below or on the sbatch command line (sbatch -N 4 -n 256 -t 08:00:00 ...).
#SBATCH --job-name=drfm
#SBATCH --nodes=1
#SBATCH --ntasks=16
#SBATCH --time=02:00:00
#SBATCH --output=drfm-%j.out
source "${DRFM_JOBS:-$SLURM_SUBMIT_DIR/jobs}/drfm_common.sh" || exit 1
drfm_setup "$@"
drfm_run "$@"
exit $?
