#!/bin/bash
# An overnight scan: stops cleanly before the time limit or on a signal and requeues itself until
# every run is done; all runs go to output.path, which each attempt resumes.
#   sbatch jobs/drfm_scan.sh SCAN.toml [section.key=value ...]
# --signal=B:USR1@300: five minutes before the limit Slurm sends SIGUSR1 to this script, which
# passes it on; drfm_hpc stops at the next layer boundary (exit 75) and the job is requeued.
# Preemption (SIGTERM) is handled the same way. A lost node or a kill: the requeued or resubmitted
# job resumes from the file (finished runs are kept, interrupted ones redone).
#SBATCH --job-name=drfm-scan
#SBATCH --nodes=1
#SBATCH --ntasks=16
#SBATCH --time=12:00:00
#SBATCH --signal=B:USR1@300
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=drfm-scan-%j.out
source "${DRFM_JOBS:-$SLURM_SUBMIT_DIR/jobs}/drfm_common.sh" || exit 1
drfm_setup "$@"
drfm_run "$@"
drfm_finish $?
