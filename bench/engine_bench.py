#!/usr/bin/python3
"""Speed and memory of the Deep RFM engine (issue 3) and the cost of the analysis (issue 4).

For each (n, ranks): the plan of `drfm_hpc --dry-run` (work and peak memory per phase), then the
real run of input/quickstart.toml at that size under /usr/bin/time (peak resident memory of every
rank), its per-phase seconds from the results file, and the DGEMM rate measured by bench_dgemm right
before and right after that run (the larger is the yardstick). For an r-rank run the yardstick is
the sum of r bench_dgemm processes running at the same time: the rate those r cores reach together.
On this VM that was 0.88-1.05 of r times one core alone, varying from hour to hour (the cores share
memory bandwidth with each other and with the host's other guests); one core alone is reported
next to it. What the node charges for a page's first access (bench_page_traps) is printed at the
start. Prints a Markdown report (paste it into bench/RESULTS.md).

  /usr/bin/python3 bench/engine_bench.py --build build --sizes 5000 10000 --ranks 1 2 --depth 3
  /usr/bin/python3 bench/engine_bench.py --build build --sizes 30000 --ranks 2 --depth 2

Run it on a quiet machine: the targets compare times with the DGEMM rate.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", OMPI_MCA_pml="ob1",
           OMPI_MCA_mpi_yield_when_idle="1")
UNITS = {"GFLOP": 1e9}
BYTES = {"MiB": 2.0**20, "GiB": 2.0**30}


def mpirun(ranks):
    return ["mpirun", "-n", str(ranks), "--oversubscribe", "--bind-to", "none"]


def dgemm_rate(build, copies=1):
    """Sum of the best rates of `copies` bench_dgemm processes started together; their output."""
    procs = [subprocess.Popen([f"{build}/bench/bench_dgemm", "2000", "5"], env=ENV,
                              stdout=subprocess.PIPE, text=True) for _ in range(copies)]
    outs = [proc.communicate()[0] for proc in procs]
    if any(proc.returncode != 0 for proc in procs):
        sys.exit(f"bench_dgemm failed: {outs}")
    rates = [float(re.search(r"best_gflops=([0-9.]+)", out).group(1)) for out in outs]
    return sum(rates), " | ".join(out.strip() for out in outs)


def plan(build, ranks, args):
    out = subprocess.run(mpirun(ranks) + [f"{build}/src/app/drfm_hpc", "--dry-run"] + args,
                         env=ENV, check=True, capture_output=True, text=True).stdout
    phases = {}
    for m in re.finditer(r"^\s+(\w+)\s+([0-9.e+]+) GFLOP\s+([0-9.]+) (MiB|GiB)$", out, re.M):
        phases[m.group(1)] = (float(m.group(2)) * 1e9, float(m.group(3)) * BYTES[m.group(4)])
    peak = max(b for _, b in phases.values())
    return phases, peak


def run(build, ranks, args):
    cmd = mpirun(ranks) + ["/usr/bin/time", "-f", "maxrss_kb=%M",
                           f"{build}/src/app/drfm_hpc"] + args
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    rss = [int(v) * 1024.0 for v in re.findall(r"maxrss_kb=(\d+)", proc.stderr)]
    if len(rss) != ranks:
        sys.exit(f"expected {ranks} maxrss_kb lines from /usr/bin/time, found {len(rss)}: "
                 f"{' '.join(cmd)}\n{proc.stderr}")
    return wall, max(rss), proc.stdout


def measure(build, n, ranks, depth, out_dir):
    path = f"{out_dir}/engine_n{n}_np{ranks}.h5"
    args = ["input/quickstart.toml", f"data.n_train={n}", f"model.depth={depth}",
            f"output.path={path}", "output.overwrite=true"]
    phases, planned_peak = plan(build, ranks, args)
    # A shared machine's DGEMM rate drifts (36.9 to 45.8 GFLOP/s within one day here): measure it
    # right before and after the run and judge by the larger, which never flatters the run.
    alone, _ = dgemm_rate(build)
    before, _ = dgemm_rate(build, ranks)
    wall, rss, log = run(build, ranks, args)
    after, _ = dgemm_rate(build, ranks)
    rate = max(before, after)
    with h5py.File(path, "r") as f:
        names = [s.decode() if isinstance(s, bytes) else str(s) for s in f["/timings/phase"][()]]
        seconds = f["/timings/seconds"][0]  # [layer, phase]
        acc = f["/metrics/accuracy"][0, :, 1]
    return dict(n=n, ranks=ranks, depth=depth, wall=wall, rss=rss, planned_peak=planned_peak,
                names=names, seconds=seconds, flops={k: v[0] for k, v in phases.items()},
                peak=rate, rates=(before, after), alone=alone, test_accuracy=acc)


def report(r):
    per_phase = r["seconds"].sum(axis=0)
    total_seconds = per_phase.sum()
    total_flops = sum(r["flops"].values())
    lines = [f"### n = {r['n']}, {r['ranks']} rank(s), depth {r['depth']}", "",
             f"DGEMM rate of {r['ranks']} core(s) together {r['rates'][0]:.1f} GFLOP/s before the "
             f"run, {r['rates'][1]:.1f} after; peak rate {r['peak']:.1f} GFLOP/s (the larger; one "
             f"core alone {r['alone']:.1f}, {r['ranks']} x that = {r['ranks'] * r['alone']:.1f}); "
             f"test accuracy per layer {np.array2string(r['test_accuracy'], precision=4)}", "",
             "| phase | seconds | GFLOP | GFLOP/s | % of DGEMM rate |", "|---|---|---|---|---|"]
    for name, s in zip(r["names"], per_phase):
        f = r["flops"].get(name, 0.0)
        rate = f / s / 1e9 if s > 0 else float("nan")
        lines.append(f"| {name} | {s:.2f} | {f / 1e9:.1f} | {rate:.1f} | {100 * rate / r['peak']:.0f} % |")
    ideal = total_flops / (r["peak"] * 1e9)
    lines += [f"| **layers (sum of phases)** | {total_seconds:.2f} | {total_flops / 1e9:.1f} | "
              f"{total_flops / total_seconds / 1e9:.1f} | {100 * total_flops / total_seconds / 1e9 / r['peak']:.0f} % |",
              "",
              f"- whole program: {r['wall']:.1f} s wall (start-up and data loading included); "
              f"work / DGEMM rate = {ideal:.1f} s, so layers take {total_seconds / ideal:.2f}x and "
              f"the program {r['wall'] / ideal:.2f}x of it",
              f"- analysis (metrics, spectra, Gram tiles): {100 * per_phase[r['names'].index('analysis')] / total_seconds:.1f} % of the layers' time",
              f"- peak resident memory per rank {r['rss'] / 2**30:.3f} GiB, --dry-run predicted "
              f"{r['planned_peak'] / 2**30:.3f} GiB: ratio {r['rss'] / r['planned_peak']:.2f}", ""]
    return "\n".join(lines), total_seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000])
    p.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--out", default="bench/out")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    _, dgemm_line = dgemm_rate(a.build)
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"Model name:\s*(.*)", cpu)
    try:  # "always" makes the whole kernel matrix resident and changes the timings
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = re.search(r"\[(\w+)\]", f.read()).group(1)
    except (OSError, AttributeError):
        thp = "unknown"
    print(f"machine: {model.group(1) if model else 'unknown'}, {os.cpu_count()} cores; "
          f"transparent huge pages: {thp}; load before: {os.getloadavg()[0]:.2f}")
    print(f"DGEMM (bench_dgemm, one core), at the start: {dgemm_line}")
    print(f"DGEMM (bench_dgemm, two cores together), at the start: {dgemm_rate(a.build, 2)[1]}")
    # The first layer's kernel phase pays the first access to every page of the kernel matrix:
    # cheap on bare metal, several seconds per GiB on some VMs (docs/build.md).
    traps = subprocess.run([f"{a.build}/bench/bench_page_traps", "256"], env=ENV, check=True,
                           capture_output=True, text=True).stdout.strip()
    print(f"page traps (bench_page_traps), at the start: {traps}\n")
    layer_time = {}
    for n in a.sizes:
        for ranks in a.ranks:
            text, seconds = report(measure(a.build, n, ranks, a.depth, a.out))
            layer_time[(n, ranks)] = seconds
            print(text, flush=True)
    for n in a.sizes:
        if (n, 1) in layer_time and (n, 2) in layer_time:
            print(f"- n = {n}: 2 ranks are {layer_time[(n, 1)] / layer_time[(n, 2)]:.2f}x faster "
                  f"than 1 rank (sum of the layers' phases)")
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
