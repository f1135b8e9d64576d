#!/usr/bin/env bash
# What layer checkpoints cost (issue 23): a Deep RFM run of depth 2 on Fashion-MNIST (default
# n = 30000, 2 ranks) with run.checkpoint = "layer" gets SIGUSR1 during layer 1, so it writes the
# checkpoint after layer 1 and stops before layer 2 (exit 75); the same command then resumes, and
# is killed once it has read the checkpoint (its `resume` event). Prints the layer's seconds (which
# include the checkpoint), the checkpoint's write seconds and size (the progress file's `layer`
# and `checkpoint` events), their ratio, and the time from the resumed program's start to its
# `resume` event (plan, data, the checkpoint checked whole by all ranks at start-up, its rows then
# handed to the run: one rank group reads it once).
# Usage: bench/checkpoint_bench.sh [N_TRAIN] [RANKS]    (from the source tree, after a build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
n=${1:-30000}
ranks=${2:-2}
out=bench/out/checkpoint_n${n}_np${ranks}
mkdir -p "$out"
rm -f "$out"/ckpt.h5 "$out"/ckpt.h5.progress.jsonl "$out"/ckpt.h5.run0.ckpt.h5
drfm=(mpirun -n "$ranks" --oversubscribe build/src/app/drfm_hpc input/quickstart.toml
      "data.n_train=$n" model.depth=2 run.checkpoint=layer "output.path=$out/ckpt.h5")
progress=$out/ckpt.h5.progress.jsonl

# Waits until the progress file has $2 events of kind $1 (or mpirun, pid $3, has ended).
wait_for() {
    local count
    while count=$(grep -c "\"event\": \"$1\"" "$progress" 2>/dev/null || true); [ "${count:-0}" -lt "$2" ]; do
        kill -0 "$3" 2>/dev/null || return 0
        sleep 0.1
    done
}

"${drfm[@]}" > "$out/first.log" 2>&1 &
pid=$!
wait_for run_start 1 $pid
sleep 1  # inside layer 1 (its stop check comes right after run_start; layer 1 takes > 1 s)
kill -USR1 $pid  # mpirun forwards it; the ranks stop at the next layer boundary
rc=0
wait $pid || rc=$?
[ "$rc" -eq 75 ] || { echo "first invocation: exit code $rc, expected 75 ($out/first.log)"; exit 1; }
"${drfm[@]}" > "$out/resume.log" 2>&1 &
pid=$!
wait_for resume 1 $pid
pkill -KILL -f "drfm_hpc input/quickstart.toml data.n_train=$n .*output.path=$out/ckpt.h5" || true
wait $pid || true

/usr/bin/python3 - "$progress" "$n" "$ranks" <<'EOF'
import json, sys
path, n, ranks = sys.argv[1], sys.argv[2], sys.argv[3]
events = [json.loads(line) for line in open(path)]
layer = next(e for e in events if e["event"] == "layer" and e["layer"] == 1)
ckpt = next(e for e in events if e["event"] == "checkpoint" and e["layer"] == 1)
starts = [e for e in events if e["event"] == "start"]
resume = next(e for e in events if e["event"] == "resume")
print(f"n = {n}, {ranks} ranks: layer 1 {layer['seconds']:.1f} s, checkpoint "
      f"{ckpt['bytes'] / 2**20:.1f} MiB in {ckpt['seconds']:.3f} s "
      f"({100 * ckpt['seconds'] / layer['seconds']:.2f} % of the layer, "
      f"{ckpt['bytes'] / 2**20 / ckpt['seconds']:.0f} MiB/s); resumed program: start event at "
      f"{starts[-1]['elapsed']:.2f} s, resume event (checkpoint read) at {resume['elapsed']:.2f} s")
EOF
