#!/usr/bin/env bash
# Issue 5's acceptance run: the 12-run Fashion-MNIST scan (input/scan_fashion.toml, bandwidth x
# ridge x seed) through two forced interruptions, then compared with an uninterrupted run.
#   1. SIGKILL of one rank once the first run is done (a crash or a lost node);
#   2. SIGTERM to every rank once two more runs are done (what Slurm sends at the time limit):
#      exit code 75 expected;
#   3. the same command again: it must complete, keeping the runs done before.
# Prints each step's exit code and time, the runs done after each, and the largest relative
# difference of every record to the uninterrupted run (tests/scan/result_checks.py).
#
#   bench/scan_interruptions.sh [BUILD_DIR] [RANKS]      (default: build 2)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
ranks=${2:-2}
source scripts/env.sh
exe=$build/src/app/drfm_hpc
work=bench/out/scan_interruptions
rm -rf "$work" && mkdir -p "$work"
file=$work/interrupted.h5

runs_done() {  # done events in the progress file
    [ -f "$1.progress.jsonl" ] || { echo 0; return; }
    grep -c '"event": "run", .*"status": "done"' "$1.progress.jsonl" || true
}
wait_for_runs() {  # until $2 runs are done in file $1
    until [ "$(runs_done "$1")" -ge "$2" ]; do sleep 0.2; done
}
rank_pids() {  # the rank processes of launcher $1 (tests/scan/scan_program.py's rank_pids)
    /usr/bin/python3 -c 'import sys; sys.path.insert(0, "tests/scan")
from scan_program import rank_pids; print(*rank_pids(int(sys.argv[1])), sep="\n")' "$1"
}
timed() {  # runs "$@", prints its exit code and seconds
    local start=$SECONDS rc=0
    "$@" || rc=$?
    echo "  exit code $rc after $((SECONDS - start)) s; runs done: $(runs_done "$file") of 12"
}

echo "uninterrupted reference:"
start=$SECONDS
mpirun -n "$ranks" "$exe" input/scan_fashion.toml output.path="$work/reference.h5" > "$work/reference.log" 2>&1
echo "  $((SECONDS - start)) s"

echo "1. SIGKILL of one rank after the first run:"
mpirun -n "$ranks" "$exe" input/scan_fashion.toml output.path="$file" > "$work/1.log" 2>&1 &
launcher=$!
wait_for_runs "$file" 1
sleep 1  # inside the second run
kill -KILL "$(rank_pids "$launcher" | head -n1)"
timed wait "$launcher"

echo "2. SIGTERM to every rank after two more runs:"
before=$(runs_done "$file")
mpirun -n "$ranks" "$exe" input/scan_fashion.toml output.path="$file" > "$work/2.log" 2>&1 &
launcher=$!
wait_for_runs "$file" $((before + 2))
sleep 1
term_at=$SECONDS
for pid in $(rank_pids "$launcher"); do kill -TERM "$pid"; done
timed wait "$launcher"
echo "  stopped $((SECONDS - term_at)) s after the signal"

echo "3. the same command again:"
mpirun -n "$ranks" "$exe" input/scan_fashion.toml output.path="$file" > "$work/3.log" 2>&1 &
timed wait $!

/usr/bin/python3 - "$file" "$work/reference.h5" <<'EOF'
import sys
import h5py
sys.path.insert(0, "tests/scan")
from result_checks import relative_difference, statuses

path, reference = sys.argv[1:]
done, root, _ = statuses(path)
print(f"root status {root}, run status {list(done)}")
worst = 0.0
with h5py.File(path, "r") as a, h5py.File(reference, "r") as b:
    for group in ("metrics", "spectra", "pictures"):
        for name, ref in b[group].items():
            if ref.dtype.kind == "f":
                worst = max(worst, relative_difference(a[group][name][()], ref[()], f"/{group}/{name}"))
print(f"largest relative difference to the uninterrupted run: {worst:.3e}")
EOF
