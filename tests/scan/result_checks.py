"""Checks shared by the whole-program scan tests (scan_program.py, slurm_jobs.py): failures are
collected rather than raised, so one test reports every broken property at once."""
import h5py
import numpy as np

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)
    return condition


def finish(work):
    """Exit code of the test: 0 when every check passed."""
    if failures:
        print(f"{len(failures)} check(s) failed; logs in {work}", flush=True)
        return 1
    print("all checks passed", flush=True)
    return 0


def statuses(path):
    """Run statuses, the root status and the scan index of every run (None: not a slice)."""
    with h5py.File(path, "r") as f:
        runs = f["runs"]
        index = [int(i) for i in runs["scan_index"][:]] if "scan_index" in runs else None
        return list(runs["status"][:]), f.attrs["status"], index


def relative_difference(x, y, label):
    """Largest |x − y| / max(|y|, 1) where both are numbers; NaN positions must agree."""
    check(np.array_equal(np.isnan(x), np.isnan(y)), f"{label}: NaN positions differ")
    diff = np.abs(np.nan_to_num(x) - np.nan_to_num(y)) / np.maximum(np.abs(np.nan_to_num(y)), 1.0)
    return float(np.max(diff)) if diff.size else 0.0
