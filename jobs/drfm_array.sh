#!/bin/bash
# A scan split over a job array: task i of T runs the i-th of T equal slices of the scan
# (drfm_hpc --runs=A:B) into its own file <output.path without .h5>.task<i>.h5, and requeues
# itself after exit 75 like drfm_scan.sh. Merge the files with xarray (docs/scans.md).
#   sbatch --array=0-3 jobs/drfm_array.sh SCAN.toml [section.key=value ...]
#SBATCH --job-name=drfm-array
#SBATCH --nodes=1
#SBATCH --ntasks=16
#SBATCH --time=12:00:00
#SBATCH --signal=B:USR1@300
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=drfm-array-%A_%a.out
source "${DRFM_JOBS:-$SLURM_SUBMIT_DIR/jobs}/drfm_common.sh" || exit 1
drfm_setup "$@"

# The number of runs and output.path, from a dry run on the job's ranks (reads dataset headers only).
# shellcheck disable=SC2086
plan=$($DRFM_LAUNCH "$DRFM_HPC" --dry-run "$@") || exit $?
runs=$(sed -n 's/^scan: \([0-9]*\) run.*/\1/p' <<< "$plan" | head -n 1)
output=$(sed -n '/^\[output\]/,/^\[/s/^path = "\(.*\)"$/\1/p' <<< "$plan" | head -n 1)
runs=${runs:-1}
tasks=${SLURM_ARRAY_TASK_COUNT:-1}
task=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
per_task=$(((runs + tasks - 1) / tasks))
first=$((task * per_task))
last=$((first + per_task < runs ? first + per_task : runs))
if [ "$first" -ge "$runs" ]; then
    echo "drfm job: array task $task of $tasks has no runs (the scan has $runs)"
    exit 0
fi
echo "drfm job: array task $task of $tasks: runs $first..$((last - 1)) of $runs into ${output%.h5}.task$task.h5"
drfm_run "$@" output.path="${output%.h5}.task$task.h5" --runs="$first:$last"
drfm_finish $?
