#!/usr/bin/python3
"""Checks drfm_hpc results files (layout: docs/results.md) the way a user would read them.

    check_results.py complete FILE RANKS    a finished run: status, finite metrics, AGOP collapse
    check_results.py same REFERENCE FILE... /metrics, /spectra, /pictures agree with REFERENCE
    check_results.py incomplete FILE        a failed run: nothing in it looks complete
    check_results.py plots TOOL FILE OUT    tools/plot_results.py writes its four PNGs (five for a
                                            network-mode file) into OUT

Exits 1 with one line per failed check. Needs Debian's numpy and h5py (/usr/bin/python3).
"""
import os
import subprocess
import sys
import warnings

import h5py
import numpy as np

# Two runs of the same input on different rank counts differ only by the order of floating-point
# reductions: far below this (about 1e-13 measured on the smoke input).
RELATIVE_TOLERANCE = 1e-10
MIN_TEST_ACCURACY = 0.8  # 3 well-separated Gaussian classes (smoke.toml); chance is 1/3

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def float_datasets(f, groups):
    """(name, dataset) of every float dataset in the groups (dimension scales are integers/str)."""
    for group in groups:
        for name, obj in f[group].items():
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f":
                yield f"{group}/{name}", obj


def check_complete(path, ranks):
    with h5py.File(path, "r") as f:
        check(text(f.attrs["status"]) == "complete", f"{path}: root status is {f.attrs['status']!r}, expected 'complete'")
        check(int(f.attrs["ranks"]) == ranks, f"{path}: attribute ranks = {f.attrs['ranks']}, expected {ranks}")
        check("[model]" in text(f.attrs["config"]), f"{path}: the config attribute holds no resolved TOML")
        status = f["runs/status"][()]
        check(status.tolist() == [1], f"{path}: /runs/status = {status.tolist()}, expected [1]")
        for name, ds in float_datasets(f, ["metrics"]):
            values = ds[()]
            check(np.isfinite(values).all(), f"{path}: /{name} has non-finite values: {values.tolist()}")
        reprs = [text(r) for r in f["metrics/repr"][()]]
        nc1 = f["metrics/nc1"][0]  # [layer, repr]
        x, mx = reprs.index("X"), reprs.index("MX")
        for layer, row in zip(f["metrics/layer"][()], nc1):
            # methods.md §6: per layer, NC1(M^1/2 X) < NC1(X) (the AGOP projection collapses).
            check(row[mx] < row[x], f"{path}: layer {layer}: nc1(MX) = {row[mx]:.4g} is not below nc1(X) = {row[x]:.4g}")
        splits = [text(s) for s in f["metrics/split"][()]]
        test_accuracy = f["metrics/accuracy"][0, :, splits.index("test")]
        check((test_accuracy >= MIN_TEST_ACCURACY).all(),
              f"{path}: test accuracy {test_accuracy.tolist()} below {MIN_TEST_ACCURACY} at some layer")
        print(f"{path}: complete, {ranks} ranks, nc1 X/MX per layer "
              + ", ".join(f"{r[x]:.3g}/{r[mx]:.3g}" for r in nc1)
              + f", test accuracy {np.round(test_accuracy, 4).tolist()}")


# Shares computed as 1 - (a sum of shares): accurate to a rounding of 1, not of themselves (they
# are exactly 0 for collapsed features, where any two reduction orders give different ~1e-16).
ONE_MINUS = {"dlr_function", "dlr_spectral", "tail_c"}


def scale_of(ds, ref):
    """What a difference is relative to. A spectrum (last dimension k) comes from an
    eigen-decomposition, accurate to a fraction of its largest entry: relative to max|.| of each
    spectrum. A share 1 - sum: relative to 1 at least. Every other value relative to itself."""
    if ds.name.rsplit("/", 1)[-1] in ONE_MINUS:
        return np.maximum(np.abs(ref), 1.0)
    if ds.ndim and ds.dims[ds.ndim - 1][0].name.endswith("/k"):
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN spectrum: scale 0
            peak = np.nanmax(np.abs(ref), axis=-1, keepdims=True)
        return np.broadcast_to(np.nan_to_num(peak), ref.shape)
    return np.abs(ref)


def check_same(reference, others):
    with h5py.File(reference, "r") as ref_file:
        for other in others:
            with h5py.File(other, "r") as f:
                worst = 0.0
                for name, ds in float_datasets(ref_file, ["metrics", "spectra", "pictures"]):
                    a, b = ds[()], f[name][()]
                    if not check(a.shape == b.shape, f"{other}: /{name} has shape {b.shape}, {reference} {a.shape}"):
                        continue
                    nan = np.isnan(a)
                    if not check((nan == np.isnan(b)).all(), f"{other}: /{name}: NaN at other places than in {reference}"):
                        continue
                    scale = scale_of(ds, a)[~nan]
                    diff = np.abs(a - b)[~nan]
                    rel = np.divide(diff, scale, out=np.where(diff > 0, np.inf, 0.0), where=scale > 0)
                    if rel.size:
                        i = int(np.argmax(rel))
                        worst = max(worst, rel[i])
                        check(rel[i] <= RELATIVE_TOLERANCE,
                              f"{other}: /{name} differs from {reference} by {rel[i]:.3g} relative "
                              f"({a[~nan][i]!r} vs {b[~nan][i]!r})")
                print(f"{other}: largest relative difference to {reference}: {worst:.3g}")


def check_incomplete(path):
    with h5py.File(path, "r") as f:
        check(text(f.attrs["status"]) == "incomplete", f"{path}: root status is {f.attrs['status']!r}, expected 'incomplete'")
        status = f["runs/status"][()]
        check(status.tolist() in ([0], [2]),
              f"{path}: /runs/status = {status.tolist()}, expected [0] (pending) or [2] (failed)")
        print(f"{path}: status {text(f.attrs['status'])}, /runs/status {status.tolist()}")


def check_plots(tool, path, out):
    stem = os.path.splitext(os.path.basename(path))[0]
    expected = [os.path.join(out, f"{stem}_run0_{kind}.png") for kind in ("nc", "spectra", "pi", "gram")]
    with h5py.File(path, "r") as f:
        if "checkpoint" in f["runs"]:  # network mode: the per-layer figure against the checkpoint first
            expected.insert(0, os.path.join(out, f"{stem}_network.png"))
    for png in expected:
        if os.path.exists(png):
            os.remove(png)
    done = subprocess.run([sys.executable, tool, path, "--out", out], capture_output=True, text=True)
    if not check(done.returncode == 0, f"{tool} exited {done.returncode}: {done.stderr.strip()}"):
        return
    check(done.stdout.split() == expected, f"{tool} printed {done.stdout.split()}, expected {expected}")
    for png in expected:
        if check(os.path.isfile(png), f"{png} was not written"):
            with open(png, "rb") as image:
                check(image.read(8) == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG file")
    check(done.stderr.strip() == "", f"{tool} warned: {done.stderr.strip()}")
    print(f"{tool}: wrote {', '.join(expected)}")


def main(argv):
    commands = {
        "complete": (2, lambda a: check_complete(a[0], int(a[1]))),
        "same": (2, lambda a: check_same(a[0], a[1:])),
        "incomplete": (1, lambda a: check_incomplete(a[0])),
        "plots": (3, lambda a: check_plots(*a)),
    }
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 < commands[argv[1]][0]:
        sys.exit(__doc__)
    commands[argv[1]][1](argv[2:])
    for message in failures:
        print("FAILED:", message)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
