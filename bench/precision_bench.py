#!/usr/bin/python3
"""float64, mixed and float32 side by side (issue 21): one Fashion-MNIST problem run in each
model.precision, with the SGEMM and DGEMM rates measured in the same invocation.

For each precision: the whole-program wall time, the per-phase seconds (results file, summed over
layers), the per-rank peak resident memory (/usr/bin/time) next to --dry-run's plan, the test
accuracy and the NC1 of X_l, X_l S_l and Phi per layer. The yardstick is bench_gemm_rates
(KokkosBlas gemm, core/device_blas.hpp) run by `ranks` processes together, before and after the
runs, the larger of the two: kernel assembly and AGOP are reported as a share of the SGEMM rate in
float32 and of the DGEMM rate in float64. The time in host↔device copies comes from the Kokkos
Tools library bench/kokkos_copy_timer.cpp, loaded into every rank (0 on a host backend). Prints a
Markdown report (paste it into bench/RESULTS.md).

  /usr/bin/python3 bench/precision_bench.py --build build --n 10000 --ranks 2 --depth 3

On a GPU node with a CUDA Kokkos build the same command measures the device path: the GEMM rates
are then the card's (bench_gemm_rates runs there too). Run it on a quiet machine.
"""
import argparse
import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_bench import ENV, plan, run  # noqa: E402  (one runner for both benchmarks)

PRECISIONS = ["float64", "mixed", "float32"]


def gemm_rates(build, copies):
    """Summed best SGEMM and DGEMM rates of `copies` bench_gemm_rates processes run together."""
    procs = [subprocess.Popen([f"{build}/bench/bench_gemm_rates", "--json", "--n", "2048",
                               "--reps", "3"], env=ENV, stdout=subprocess.PIPE, text=True)
             for _ in range(copies)]
    outs = [proc.communicate()[0] for proc in procs]
    if any(proc.returncode != 0 for proc in procs):
        sys.exit(f"bench_gemm_rates failed: {outs}")
    rates = [json.loads(out.strip().splitlines()[-1]) for out in outs]
    return (sum(r["sgemm"]["best_gflops"] for r in rates),
            sum(r["dgemm"]["best_gflops"] for r in rates), rates[0]["execution_space"])


def copy_times(path, ranks):
    """The ranks' copy timer lines (kokkos_copy_timer.cpp): the largest seconds and bytes of
    each kind over the ranks."""
    with open(path) as f:
        lines = [dict(kv.split("=") for kv in line.split()[1:]) for line in f
                 if line.startswith("drfm_copy_timer ")]
    if len(lines) != ranks:
        sys.exit(f"expected {ranks} drfm_copy_timer lines in {path}, found {len(lines)}")
    return {key: max(float(line[key]) for line in lines)
            for key in ("host_device_s", "host_device_bytes", "same_side_s")}


def measure(build, precision, n, n_test, ranks, depth, out_dir):
    path = f"{out_dir}/precision_{precision}_n{n}_np{ranks}.h5"
    timer_out = f"{out_dir}/precision_{precision}_copies.txt"
    if os.path.exists(timer_out):
        os.remove(timer_out)
    args = ["input/quickstart.toml", f"data.n_train={n}", f"data.n_test={n_test}",
            f"model.depth={depth}", f"model.precision={precision}", f"output.path={path}",
            "output.overwrite=true"]
    phases, planned_peak = plan(build, ranks, args)
    tool = os.path.abspath(f"{build}/bench/libdrfm_copy_timer.so")
    ENV.update(KOKKOS_TOOLS_LIBS=tool, KOKKOS_PROFILE_LIBRARY=tool, DRFM_COPY_TIMER_OUT=timer_out)
    wall, rss, log = run(build, ranks, args)
    copies = copy_times(timer_out, ranks)
    for key in ("KOKKOS_TOOLS_LIBS", "KOKKOS_PROFILE_LIBRARY", "DRFM_COPY_TIMER_OUT"):
        ENV.pop(key)
    with h5py.File(path, "r") as f:
        names = [s.decode() if isinstance(s, bytes) else str(s) for s in f["/timings/phase"][()]]
        seconds = f["/timings/seconds"][0].sum(axis=0)  # [layer, phase] summed over layers
        accuracy = f["/metrics/accuracy"][0, :, 1]
        nc1 = f["/metrics/nc1"][0]  # [layer, repr]
        assert f.attrs["precision"] == precision, f.attrs["precision"]
    solves = re.findall(r"mixed solve: (.*)", log)
    return dict(precision=precision, wall=wall, rss=rss, planned=planned_peak, names=names,
                seconds=seconds, flops={k: v[0] for k, v in phases.items()}, accuracy=accuracy,
                nc1=nc1, solves=solves, copies=copies)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--n-test", type=int, default=10000)
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--out", default="bench/out")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"Model name:\s*(.*)", cpu)
    before = gemm_rates(a.build, a.ranks)
    results = [measure(a.build, prec, a.n, a.n_test, a.ranks, a.depth, a.out) for prec in PRECISIONS]
    after = gemm_rates(a.build, a.ranks)
    sgemm, dgemm = max(before[0], after[0]), max(before[1], after[1])
    print(f"machine: {model.group(1) if model else 'unknown'}, {os.cpu_count()} cores, Kokkos "
          f"{before[2]}; n = {a.n} train, {a.n_test} test, depth {a.depth}, {a.ranks} ranks")
    print(f"GEMM rates of {a.ranks} processes together (bench_gemm_rates, n = 2048): SGEMM "
          f"{before[0]:.1f} before / {after[0]:.1f} after, DGEMM {before[1]:.1f} / {after[1]:.1f} "
          f"GFLOP/s; the larger are the yardsticks\n")
    base = results[0]
    header = "| | " + " | ".join(r["precision"] for r in results) + " |"
    print(header)
    print("|---" * (len(results) + 1) + "|")

    def row(label, values):
        print(f"| {label} | " + " | ".join(values) + " |")

    row("whole program, s", [f"{r['wall']:.1f}" for r in results])
    row("speed-up over float64", [f"{base['wall'] / r['wall']:.2f}x" for r in results])
    row("sum of phases, s", [f"{r['seconds'].sum():.1f}" for r in results])
    for i, name in enumerate(base["names"]):
        row(f"{name}, s", [f"{r['seconds'][i]:.2f}" for r in results])
    for name in ("kernel", "agop"):
        cells = []
        for r in results:
            i = r["names"].index(name)
            rate = r["flops"][name] / r["seconds"][i] / 1e9
            yard = dgemm if r["precision"] == "float64" else sgemm
            cells.append(f"{rate:.0f} GFLOP/s = {100 * rate / yard:.0f} % of "
                         f"{'DGEMM' if r['precision'] == 'float64' else 'SGEMM'}")
        row(f"{name} rate", cells)
    row("host↔device copies, s (largest rank)",
        [f"{r['copies']['host_device_s']:.2f} = {100 * r['copies']['host_device_s'] / r['wall']:.1f} % "
         f"({r['copies']['host_device_bytes'] / 2**30:.2f} GiB)" for r in results])
    row("peak memory per rank, GiB", [f"{r['rss'] / 2**30:.3f}" for r in results])
    row("  vs float64", [f"{r['rss'] / base['rss']:.2f}" for r in results])
    row("  planned (--dry-run), GiB", [f"{r['planned'] / 2**30:.3f}" for r in results])
    for layer in range(a.depth):
        row(f"layer {layer + 1} test accuracy", [f"{100 * r['accuracy'][layer]:.2f} %" for r in results])
        row(f"layer {layer + 1} accuracy − float64, points",
            [f"{100 * (r['accuracy'][layer] - base['accuracy'][layer]):+.2f}" for r in results])
        for q, rep in enumerate(("X", "MX", "PhiMX")):
            row(f"layer {layer + 1} NC1({rep})", [f"{r['nc1'][layer, q]:.5g}" for r in results])
    for r in results:
        if r["solves"]:
            print(f"\n{r['precision']} solves: " + "; ".join(r["solves"]))


if __name__ == "__main__":
    main()
