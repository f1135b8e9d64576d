#!/usr/bin/python3
"""Whole-program tests of layer checkpoints (docs/scans.md, "Runs longer than one job"):
drfm_hpc on checkpoint_run.toml (one run, 6 layers and the final predictor) under mpiexec.

  resume   SIGUSR1 after a layer: exit 75, a checkpoint; a half-written '.writing' file beside it
           (what a SIGKILL while writing leaves) is ignored; the re-run says "resuming at layer k"
           and its file equals an uninterrupted run in every dataset but /timings, bit for bit;
           the checkpoint is gone. Then SIGKILL of a rank at three random moments inside layers,
           each attempt continuing from the last checkpoint: again bit for bit. Then stopped on 2
           ranks and resumed on 1 and on 3 (another grid): to rounding. Then a scan in rank
           groups of 1 (tests/scan/scan_small.toml) stopped while the groups are inside runs:
           each run under way resumes from its own checkpoint, bit for bit.
  refuse   a truncated checkpoint, and one of another configuration, are refused (exit 2) naming
           the file (and the key that differs), the results file unchanged byte for byte; with
           the checkpoint deleted the run is redone from layer 1 and equals the uninterrupted
           one. A changed input leaves results file and checkpoint untouched. A checkpoint
           directory too small for two checkpoints (a 6 MiB tmpfs; skipped where mount is not
           allowed): exit 5 naming the path, and the previous checkpoint, moved elsewhere,
           resumes the run to the uninterrupted result.

Exit code 0 when every check passes; each failure is printed. Debian's python3 (numpy, h5py).
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from result_checks import check, finish, statuses
from scan_program import Runner, event_count, progress_events, ranks_of

# Projections on eigenfunctions (their ratios to ‖f‖²): near-degenerate eigenvalues make them
# the most rank-sensitive records. Uninterrupted runs on 1 and 2 ranks differ there by 2.4e-10
# (measured), every other record by <= 1.2e-11.
PROJECTIONS = ("quality", "utility", "pi", "pi_star")


def datasets(path, timings=False):
    """Every dataset (but /timings, whose seconds differ between runs) as {name: array}."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and (timings or not name.startswith("timings")):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def root_status(path):
    with h5py.File(path, "r") as f:
        return f.attrs["status"]


def contents(path):
    """What a results file holds: every dataset with its values, and the root attributes."""
    with h5py.File(path, "r") as f:
        attrs = {k: str(v) for k, v in f.attrs.items()}
    return {name: value.tobytes() for name, value in datasets(path, timings=True).items()}, attrs


def compare(path, reference, label, exact=True):
    """Bit for bit (exact) or to rounding: <= 1e-10 relative, the projections <= 1e-9."""
    a, b = datasets(path), datasets(reference)
    check(sorted(a) == sorted(b), f"{label}: datasets {sorted(set(a) ^ set(b))} differ")
    check(root_status(path) == "complete", f"{label}: root status {root_status(path)}")
    worst = {"projections": 0.0, "others": 0.0}
    for name in sorted(set(a) & set(b)):
        x, y = a[name], b[name]
        if exact or x.dtype.kind != "f":
            check(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f"{label}: /{name} differs")
            continue
        check(np.array_equal(np.isnan(x), np.isnan(y)), f"{label}: /{name}: NaN positions differ")
        diff = np.abs(np.nan_to_num(x) - np.nan_to_num(y)) / np.maximum(np.abs(np.nan_to_num(y)), 1.0)
        kind = "projections" if name.split("/")[-1] in PROJECTIONS else "others"
        worst[kind] = max(worst[kind], float(diff.max()) if diff.size else 0.0)
    if not exact:
        check(worst["others"] <= 1e-10, f"{label}: difference {worst['others']:.3e} > 1e-10")
        check(worst["projections"] <= 1e-9, f"{label}: projections differ by {worst['projections']:.3e} > 1e-9")
    print(f"{label}: " + ("every dataset bit for bit equal" if exact else
          f"largest difference {worst['others']:.2e} (projections {worst['projections']:.2e})")
          + " to the uninterrupted run", flush=True)


def checkpoint(path):
    return path + ".run0.ckpt.h5"


def fresh(path):
    for stale in (path, path + ".progress.jsonl", checkpoint(path), checkpoint(path) + ".writing"):
        if os.path.exists(stale):
            os.remove(stale)


def wait_for_layer(path, layer, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path + ".progress.jsonl") and any(
                e["event"] == "layer" and e["layer"] >= layer for e in progress_events(path)):
            return True
        time.sleep(0.01)
    return False


def stop_after(runner, path, layer, extra=(), np_=None):
    """Starts the run, sends SIGUSR1 to mpiexec once `layer` is done; returns the exit code."""
    launcher = runner.start(path, list(extra), "stop.log", np_)
    check(wait_for_layer(path, layer), f"{path}: layer {layer} never finished")
    os.kill(launcher.pid, signal.SIGUSR1)
    return launcher.wait(timeout=120)


def run_log(runner, path, extra=(), np_=None):
    """Runs to the end; returns the exit code and the log of this invocation."""
    log = runner.path("last.log")
    if os.path.exists(log):
        os.remove(log)
    rc, _ = runner.run(path, list(extra), "last.log", np_)
    with open(log) as f:
        return rc, f.read()


def checkpoint_layer(path):
    with h5py.File(checkpoint(path), "r") as f:
        return int(f.attrs["layer"])


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def reference(runner):
    path = runner.path("reference.h5")
    fresh(path)
    rc, _ = runner.run(path, ["run.checkpoint=none"], "reference.log")
    check(rc == 0, f"uninterrupted run: exit code {rc}")
    return path


def test_resume(runner):
    ref = reference(runner)
    path = runner.path("resume.h5")
    fresh(path)
    rc = stop_after(runner, path, 2)
    check(rc == 75, f"SIGUSR1: exit code {rc}, expected 75")
    check(os.path.exists(checkpoint(path)), "no checkpoint after the stop")
    k = checkpoint_layer(path)
    print(f"stopped with exit code {rc}, checkpoint after layer {k}", flush=True)
    check(2 <= k < 6, f"checkpoint of layer {k}, expected 2..5")
    with open(checkpoint(path), "rb") as f:  # a SIGKILL while writing the next one leaves this
        half = f.read()[: os.path.getsize(checkpoint(path)) // 2]
    with open(checkpoint(path) + ".writing", "wb") as f:
        f.write(half)
    rc, log = run_log(runner, path)
    check(rc == 0, f"resume: exit code {rc}")
    check(f"resuming at layer {k + 1}" in log, f"resume: no 'resuming at layer {k + 1}' in the log")
    resumed = [e for e in progress_events(path) if e["event"] == "resume"]
    check(resumed and resumed[-1]["layer"] == k + 1, f"resume: progress events {resumed}")
    started = [e["layer"] for e in progress_events(path) if e["event"] == "layer"]
    check(started.count(1) == 1, f"resume: layer 1 computed {started.count(1)} times")
    compare(path, ref, f"stopped after layer {k}, resumed")
    check(not os.path.exists(checkpoint(path)) and not os.path.exists(checkpoint(path) + ".writing"),
          "the checkpoint is left after the run is done")

    # SIGKILL of one rank at random moments inside layers; each attempt continues from the last.
    rng = random.Random(runner.args.seed)
    path = runner.path("kills.h5")
    fresh(path)
    for attempt in range(3):
        done = event_count(path, "layer")
        launcher = runner.start(path, [], "kills.log")
        # After the attempt's first layer, a random moment of the next one (about 0.25 s; its
        # checkpoint write included): at most 2 layers an attempt, so the run never ends first.
        target = done + 1
        while event_count(path, "layer") < target and launcher.poll() is None:
            time.sleep(0.005)
        delay = rng.uniform(0.0, 0.2)
        time.sleep(delay)
        victims = ranks_of(launcher)
        if victims:
            os.kill(rng.choice(victims), signal.SIGKILL)
        rc = launcher.wait(timeout=120)
        layer = checkpoint_layer(path) if os.path.exists(checkpoint(path)) else 0
        print(f"kill {attempt + 1}: {delay:.3f} s after layer event {target}: exit code {rc}, "
              f"checkpoint after layer {layer}", flush=True)
        check(rc != 0, f"kill {attempt + 1}: the run ended before the kill")
    rc, log = run_log(runner, path)
    check(rc == 0, f"resume after the kills: exit code {rc}")
    compare(path, ref, "after 3 kills, resumed")

    # Stopped on 2 ranks, resumed on 1 and on 3 (a 3x1 grid instead of 2x1).
    for np_ in (1, 3):
        path = runner.path(f"ranks{np_}.h5")
        fresh(path)
        rc = stop_after(runner, path, 2)
        check(rc == 75, f"ranks {np_}: stop exit code {rc}")
        k = checkpoint_layer(path) if os.path.exists(checkpoint(path)) else 0
        rc, log = run_log(runner, path, np_=np_)
        check(rc == 0 and f"resuming at layer {k + 1}" in log,
              f"ranks {np_}: resume exit code {rc}, no 'resuming at layer {k + 1}'")
        compare(path, ref, f"stopped after layer {k} on 2 ranks, resumed on {np_}", exact=False)
    test_groups(runner)


def test_groups(runner):
    """A scan of 6 runs in two groups of 1 rank, each checkpointing its own run."""
    scan = os.path.join(os.path.dirname(os.path.abspath(runner.args.input)), "scan_small.toml")

    def command(output, *extra):
        line = runner.command(output, ["parallel.ranks_per_run=1", *extra])
        line[line.index(runner.args.input)] = scan
        return line

    def quiet(line):
        return subprocess.run(line, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT).returncode

    ref, path = runner.path("groups_reference.h5"), runner.path("groups.h5")
    fresh(ref)
    fresh(path)
    check(quiet(command(ref, "run.checkpoint=none")) == 0, "groups: the uninterrupted scan failed")
    launcher = subprocess.Popen(command(path, "run.checkpoint=layer"), stdout=subprocess.DEVNULL,
                                stderr=subprocess.STDOUT, start_new_session=True)
    # 2 layers done: usually one in each group's first run (of 3 layers), so both stop with a
    # checkpoint; at least one must.
    deadline = time.monotonic() + 60
    while event_count(path, "layer") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(launcher.pid, signal.SIGUSR1)
    rc = launcher.wait(timeout=120)
    left = sorted(f for f in os.listdir(runner.args.work) if f.startswith("groups.h5.run"))
    print(f"groups: stopped with exit code {rc}, checkpoints {left}", flush=True)
    check(rc == 75 and left, f"groups: exit code {rc}, checkpoints {left}")
    rc = quiet(command(path))
    resumed = [e for e in progress_events(path) if e["event"] == "resume"]
    check(rc == 0 and len(resumed) == len(left),
          f"groups: resume exit code {rc}, {len(resumed)} runs resumed from {len(left)} checkpoints")
    compare(path, ref, "groups of 1 rank, stopped and resumed")


def test_refuse(runner):
    ref = reference(runner)
    path = runner.path("refuse.h5")
    fresh(path)
    check(stop_after(runner, path, 2) == 75, "refuse: no stop")
    results_before = contents(path)
    ckpt = checkpoint(path)
    saved = runner.path("saved.ckpt.h5")
    shutil.copy(ckpt, saved)

    # Truncated: refused, nothing changed.
    os.truncate(ckpt, os.path.getsize(ckpt) // 2)
    rc, log = run_log(runner, path)
    check(rc == 2, f"truncated checkpoint: exit code {rc}, expected 2")
    check(f"the layer checkpoint '{ckpt}' cannot be read" in log,
          f"truncated checkpoint: message does not name it:\n{log[-1500:]}")
    check(contents(path) == results_before, "truncated checkpoint: the results file changed")
    check(os.path.exists(ckpt), "truncated checkpoint: removed (it is the user's to delete)")

    # Another configuration's checkpoint (model.bandwidth = 3 instead of 2): refused naming it.
    other = runner.path("other.h5")
    fresh(other)
    check(stop_after(runner, other, 2, ["model.bandwidth=3"]) == 75, "other: no stop")
    shutil.copy(checkpoint(other), ckpt)
    rc, log = run_log(runner, path)
    check(rc == 2, f"foreign checkpoint: exit code {rc}, expected 2")
    check("another configuration" in log and "model.bandwidth = 3.0 in the file, 2.0 now" in log,
          f"foreign checkpoint: message does not name the key:\n{log[-1500:]}")
    check(contents(path) == results_before, "foreign checkpoint: the results file changed")

    # A changed input: the results file refuses it first; the file and the checkpoint stay.
    shutil.copy(saved, ckpt)
    ckpt_before = sha(ckpt)
    rc, log = run_log(runner, path, ["model.ridge=0.01"])
    check(rc == 2 and "model.ridge" in log, f"changed input: exit code {rc}")
    check(contents(path) == results_before and sha(ckpt) == ckpt_before,
          "changed input: the results file or the checkpoint changed")

    # The checkpoint deleted: the run is redone from layer 1.
    os.remove(ckpt)
    rc, log = run_log(runner, path)
    check(rc == 0 and "resuming" not in log, f"without the checkpoint: exit code {rc}")
    compare(path, ref, "checkpoint deleted, redone from layer 1")

    test_full_disk(runner, ref)


def test_full_disk(runner, ref):
    small = tempfile.mkdtemp(prefix="drfm_small_", dir=runner.args.work)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", small], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"full disk: skipped (mount of a tmpfs refused: {r.stderr.strip()})", flush=True)
        return
    try:
        path = runner.path("disk.h5")
        fresh(path)
        rc, log = run_log(runner, path, [f"run.checkpoint_dir={small}"])
        ckpt = os.path.join(small, "disk.h5.run0.ckpt.h5")
        check(rc == 5, f"full disk: exit code {rc}, expected 5")
        check(f"cannot write the layer checkpoint '{ckpt}'" in log and "No space left" in log,
              f"full disk: message does not name the path:\n{log[-1500:]}")
        check(os.path.exists(ckpt) and not os.path.exists(ckpt + ".writing"),
              "full disk: the previous checkpoint is gone or a .writing file is left")
        roomy = runner.path("roomy")
        os.makedirs(roomy, exist_ok=True)
        shutil.copy(ckpt, roomy)
    finally:
        subprocess.run(["umount", small])
    rc, log = run_log(runner, path, [f"run.checkpoint_dir={roomy}"])
    check(rc == 0 and "resuming at layer 2" in log, f"full disk, resumed elsewhere: exit code {rc}")
    compare(path, ref, "full disk, previous checkpoint resumed elsewhere")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("test", choices=["resume", "refuse"])
    parser.add_argument("--drfm", required=True)
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--np", type=int, default=2)
    parser.add_argument("--work", required=True)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000,
                        help="seed of the kill moments (printed; default: from the clock)")
    args = parser.parse_args()
    args.groups = False
    print(f"seed {args.seed}", flush=True)
    {"resume": test_resume, "refuse": test_refuse}[args.test](Runner(args))
    return finish(args.work)


if __name__ == "__main__":
    sys.exit(main())
