#!/usr/bin/python3
"""Speed of network mode (issue 22): one checkpoint of the methods.md §4.1 MLP (depth 5, width 512,
bias-free ReLU, 10 outputs) on n rows of d = 784 synthetic features (data.source = "synthetic",
10 classes), at each rank count: the per-layer seconds of the forward pass, the sub-network AGOPs
(one backward pass for all layers) and the analysis (SVD, M^{1/2}, NC metrics, two kernel
pictures and Gram tiles of four representations) from the results file, their sum per checkpoint,
the wall time of the whole program, and the DGEMM rate of the same cores measured right before and
after each run (bench_dgemm, the larger is the yardstick; engine_bench.py). Work: forward and AGOP
counted exactly (GEMM/SYRK multiply-adds as 2), the analysis from the plan of --dry-run.
Prints a Markdown table (bench/RESULTS.md).

  /usr/bin/python3 bench/network_bench.py --build build --n 50000 --ranks 1 2
"""
import argparse
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_bench import ENV, dgemm_rate, mpirun, plan  # noqa: E402

D, WIDTH, DEPTH, CLASSES = 784, 512, 5, 10


def write_checkpoints(path, seed=0):
    """One checkpoint epoch_1: xavier-uniform hidden layers (gain 1) and a default-scale readout."""
    rng = np.random.default_rng(seed)
    widths = [D] + [WIDTH] * DEPTH
    with h5py.File(path, "w") as f:
        g = f.create_group("epoch_1")
        for k in range(DEPTH):
            fan_in, fan_out = widths[k], widths[k + 1]
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            g[f"W{k + 1}"] = rng.uniform(-bound, bound, size=(fan_out, fan_in))
        g["W_out"] = rng.uniform(-1, 1, size=(CLASSES, WIDTH)) / np.sqrt(WIDTH)
    return widths


def exact_flops(n, widths):
    """Forward (2 n in out per layer, plus the readout) and AGOP (2 n c out in + n c in^2)."""
    forward = 2.0 * n * CLASSES * widths[-1]
    agop = 0.0
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        forward += 2.0 * n * fan_in * fan_out
        agop += 2.0 * n * CLASSES * fan_out * fan_in + n * CLASSES * fan_in * fan_in
    return forward, agop


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--n", type=int, default=50000)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--work", default="results/network_bench")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    checkpoints = os.path.join(args.work, "checkpoints.h5")
    widths = write_checkpoints(checkpoints)
    forward_flops, agop_flops = exact_flops(args.n, widths)
    rows = []
    for ranks in args.ranks:
        out = os.path.join(args.work, f"network_np{ranks}.h5")
        options = ["input/network_example.toml", "data.source=synthetic", f"data.dim={D}",
                   f"data.classes={CLASSES}", f"data.n_train={args.n}", "data.n_test=0",
                   f"analysis.checkpoints={checkpoints}", "analysis.gram_tile=100",
                   f"output.path={out}", "output.overwrite=true"]
        phases, peak = plan(args.build, ranks, options)
        analysis_flops = phases["analysis"][0]
        before, _ = dgemm_rate(args.build, ranks)
        start = time.time()
        log = subprocess.run(mpirun(ranks) + [f"{args.build}/src/app/drfm_hpc"] + options,
                             env=ENV, check=True, capture_output=True, text=True).stdout
        wall = time.time() - start
        after, _ = dgemm_rate(args.build, ranks)
        with h5py.File(out, "r") as f:
            seconds = f["timings/seconds"][0]  # [layer, phase]: forward, agop, analysis
        fwd, agop, analysis = seconds.sum(axis=0)
        total = fwd + agop + analysis
        rate = max(before, after)
        flops = forward_flops + agop_flops + analysis_flops
        rows.append((ranks, fwd, agop, analysis, total, wall, rate, flops))
        print(f"ranks {ranks}: forward {fwd:.2f} s, agop {agop:.2f} s, analysis {analysis:.2f} s, "
              f"checkpoint {total:.2f} s, program {wall:.1f} s; dgemm {before:.1f}/{after:.1f} "
              f"GFLOP/s; peak plan {peak / 2**20:.0f} MiB", flush=True)
        for line in log.splitlines():
            if line.startswith("memory: peak") and "planned" in line:
                print("   ", line)
    print()
    print(f"n = {args.n}, d = {D}, depth {DEPTH}, width {WIDTH}, {CLASSES} classes; work per "
          f"checkpoint: forward {forward_flops / 1e9:.0f} GFLOP, AGOP {agop_flops / 1e9:.0f} GFLOP "
          f"(exact), analysis {rows[0][7] / 1e9 - (forward_flops + agop_flops) / 1e9:.0f} GFLOP "
          "(plan)")
    print()
    print("| ranks | forward (s) | AGOP (s) | analysis (s) | checkpoint (s) | program (s) | "
          "forward GFLOP/s | AGOP GFLOP/s | checkpoint GFLOP/s | DGEMM GFLOP/s | checkpoint / "
          "(flops at DGEMM rate) | speed-up vs 1 rank |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    base = rows[0][4]
    for ranks, fwd, agop, analysis, total, wall, rate, flops in rows:
        print(f"| {ranks} | {fwd:.2f} | {agop:.2f} | {analysis:.2f} | {total:.2f} | {wall:.1f} | "
              f"{forward_flops / fwd / 1e9:.1f} | {agop_flops / agop / 1e9:.1f} | "
              f"{flops / total / 1e9:.1f} | {rate:.1f} | {total / (flops / (rate * 1e9)):.2f} | "
              f"{base / total:.2f} |")


if __name__ == "__main__":
    main()
