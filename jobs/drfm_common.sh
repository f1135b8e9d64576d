# Shared by the drfm_hpc job scripts (sourced; not a job itself). docs/scans.md explains them.
#
# Environment (all optional):
#   DRFM_HPC          the drfm_hpc binary        (default: $SLURM_SUBMIT_DIR/build/src/app/drfm_hpc)
#   DRFM_LAUNCH       how ranks are started      (default: mpirun; e.g. "srun --mpi=pmix")
#   DRFM_MAX_REQUEUES requeues after exit 75     (default: 20; a scan that makes no progress stops)

drfm_setup() {
    DRFM_HPC=${DRFM_HPC:-$SLURM_SUBMIT_DIR/build/src/app/drfm_hpc}
    DRFM_LAUNCH=${DRFM_LAUNCH:-mpirun}
    # One BLAS thread per rank; ranks yield while waiting (Slurm may place more ranks than cores).
    export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMPI_MCA_mpi_yield_when_idle=1
    if [ "$(id -u)" = 0 ]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
    echo "drfm job $SLURM_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname -s): $DRFM_HPC $*"
}

# Seconds left before this job's time limit (squeue %L: [D-]HH:MM:SS, MM:SS); nothing if unknown.
drfm_time_left() {
    local left days=0 seconds=0 part
    left=$(squeue -h -j "$SLURM_JOB_ID" -o %L 2>/dev/null)
    case $left in "" | *[!0-9:-]*) return ;; esac
    if [[ $left == *-* ]]; then days=${left%%-*}; left=${left#*-}; fi
    IFS=: read -r -a parts <<< "$left"
    for part in "${parts[@]}"; do seconds=$((seconds * 60 + 10#$part)); done
    echo $((days * 86400 + seconds))
}

# Runs `drfm_hpc "$@"` with the job's remaining time as its wall-time budget (when at least
# 5 minutes are left), so it stops at a layer boundary before the limit (exit 75). SIGUSR1 or
# SIGTERM sent to this script (Slurm's --signal=B:USR1@T, scancel --signal=USR1 --batch) is passed
# on as SIGUSR1 (mpirun and srun forward it to the ranks): drfm_hpc stops at the next layer
# boundary. Returns drfm_hpc's exit code.
drfm_run() {
    local left budget=() child rc
    left=$(drfm_time_left)
    if [ -n "$left" ] && [ "$left" -ge 300 ]; then budget=(--walltime="$left"); fi
    # shellcheck disable=SC2086  # DRFM_LAUNCH may hold options
    $DRFM_LAUNCH "$DRFM_HPC" "${budget[@]}" "$@" &
    child=$!
    trap 'echo "drfm job: signal received: drfm_hpc stops at the next layer boundary"; kill -USR1 $child 2>/dev/null' USR1 TERM
    while true; do
        wait "$child"
        rc=$?
        kill -0 "$child" 2>/dev/null || break  # else wait was interrupted by the trap
    done
    trap - USR1 TERM
    return "$rc"
}

# Exit code 75 (stopped early, every finished run saved): requeue this job so the same command
# resumes the scan. Exits the script with `rc`.
drfm_finish() {
    local rc=$1
    if [ "$rc" -eq 75 ]; then
        if [ "${SLURM_RESTART_COUNT:-0}" -lt "${DRFM_MAX_REQUEUES:-20}" ]; then
            echo "drfm job: stopped early (exit 75): requeueing job $SLURM_JOB_ID to resume"
            scontrol requeue "$SLURM_JOB_ID"
        else
            echo "drfm job: stopped early (exit 75) after ${SLURM_RESTART_COUNT} requeues: giving up"
        fi
    fi
    exit "$rc"
}
