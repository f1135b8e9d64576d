#!/usr/bin/python3
"""Checks the results file written by ResultsFileTest.RecordsWrittenByDifferentRanksReadBackExactly
(tests/io/test_results_file.cpp) from Python: with h5py, with xarray (engine h5netcdf, no extra
arguments), against docs/results.md, and through tools/plot_results.py.

    check_results_file.py FILE --docs docs/results.md --plot tools/plot_results.py --out DIR

Exits non-zero with a message on the first failed check.
"""
import argparse
import math
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import xarray as xr

# Layout and values of the C++ fixture (example_layout, record_value, write_example_runs).
RUNS, DEPTH, MAX_K, PICTURE = 3, 4, 5, 4
WRITTEN_RUNS = 2
REPRS = ["X", "MX", "PhiMX"]
SPLITS = ["train", "test"]
PHASES = ["kernel", "solve", "agop", "sqrt", "features", "analysis"]
GROUPS = ["metrics", "spectra", "pictures", "timings", "runs"]


def record_value(run, layer_index, j):
    return 1000.0 * run + 100.0 * (layer_index + 1) + j + 0.5


def check(condition, message):
    if not condition:
        raise SystemExit(f"check_results_file: FAILED: {message}")


def dim_names(dataset):
    """Names of the dimension scales attached to each axis ('' where none)."""
    return [d[0].name.split("/")[-1] if len(d) else "" for d in dataset.dims]


def check_h5py(path):
    with h5py.File(path, "r") as f:
        attrs = dict(f.attrs)
        for key in ("program", "version", "git_sha", "hdf5_version", "created", "grid", "config"):
            value = attrs.get(key)
            check(isinstance(value, str) and value, f"root attribute {key}: {value!r}")
        check(attrs["schema_version"] == 1, f"schema_version {attrs['schema_version']}")
        check(attrs["status"] == "complete", f"status {attrs['status']!r}")
        check(attrs["ranks"] >= 1, f"ranks {attrs['ranks']}")
        check(sorted(f.keys()) == sorted(GROUPS), f"groups {list(f.keys())}")

        datasets = []
        f.visititems(lambda name, obj: datasets.append(name)
                     if isinstance(obj, h5py.Dataset) else None)
        for name in datasets:
            description = f[name].attrs.get("description", "")
            check(isinstance(description, str) and description, f"{name} has no description")

        checked = 0
        for name in datasets:
            dims = dim_names(f[name])
            if dims[:2] != ["run", "layer"]:
                continue
            data = f[name][()]
            for run in range(RUNS):
                for layer in range(DEPTH):
                    record = data[run, layer].ravel()
                    if run < WRITTEN_RUNS:
                        expected = record_value(run, layer, np.arange(record.size))
                        check(np.array_equal(record, expected), f"{name}[{run},{layer}] = {record}")
                    else:
                        check(np.isnan(record).all(), f"{name}[{run},{layer}] not NaN: {record}")
            checked += 1
        check(checked == 23, f"{checked} [run, layer, ...] datasets checked, expected 23")
        check(f["runs/status"][()].tolist() == [1, 2, 0], f"status {f['runs/status'][()]}")
        check(f["runs/status"].dtype == np.int32, f"status dtype {f['runs/status'].dtype}")
        ridge = f["runs/ridge"][()]
        check(ridge[0] == 1.0 and ridge[1] == 0.1 and math.isnan(ridge[2]), f"ridge {ridge}")
        return datasets


def check_xarray(path):
    ds = xr.open_dataset(path, engine="h5netcdf", group="metrics")
    sizes = {"run": RUNS, "layer": DEPTH, "repr": 3, "split": 2}
    check(dict(ds.sizes) == sizes, f"sizes {dict(ds.sizes)}")
    check(ds.run.values.tolist() == [0, 1, 2], f"run {ds.run.values}")
    check(ds.layer.values.tolist() == [1, 2, 3, 4], f"layer {ds.layer.values}")
    check(ds.repr.values.tolist() == REPRS, f"repr {ds.repr.values}")
    check(ds.split.values.tolist() == SPLITS, f"split {ds.split.values}")
    check(ds.nc1.dims == ("run", "layer", "repr"), f"nc1 dims {ds.nc1.dims}")
    check(ds.accuracy.dims == ("run", "layer", "split"), f"accuracy dims {ds.accuracy.dims}")
    for name in ("nc1", "nc1_code", "nc1_papyan", "nc2", "nc2_fro", "nc4", "accuracy", "mse"):
        check(name in ds.data_vars and ds[name].attrs.get("description"), f"metrics/{name}")
    got = float(ds.nc1.sel(run=1, layer=3, repr="MX"))
    check(got == record_value(1, 2, 1), f"nc1.sel(run=1, layer=3, repr='MX') = {got}")
    got = float(ds.accuracy.sel(run=0, layer=1, split="test"))
    check(got == record_value(0, 0, 1), f"accuracy.sel(run=0, layer=1, split='test') = {got}")
    check(np.isnan(ds.mse.sel(run=2)).all(), "mse of the pending run 2 is not NaN")
    ds.close()

    sizes = {"spectra": {"run": RUNS, "layer": DEPTH, "repr": 3, "centering": 2, "k": MAX_K},
             "pictures": {"run": RUNS, "layer": DEPTH, "repr": 3,
                          "tile_row": PICTURE, "tile_col": PICTURE},
             "timings": {"run": RUNS, "layer": DEPTH, "phase": len(PHASES)},
             "runs": {"run": RUNS}}
    for group, expected in sizes.items():
        with xr.open_dataset(path, engine="h5netcdf", group=group) as g:
            check(dict(g.sizes) == expected, f"{group} sizes {dict(g.sizes)}")
    with xr.open_dataset(path, engine="h5netcdf", group="spectra") as s:
        centering = s.centering.values.tolist()
        check(centering == ["uncentred", "centred"], f"centering {centering}")
        check(s.k.values.tolist() == [1, 2, 3, 4, 5], f"k {s.k.values}")
        check(s.rho.dims == ("run", "layer", "repr", "centering", "k"), f"rho dims {s.rho.dims}")
    with xr.open_dataset(path, engine="h5netcdf", group="timings") as t:
        check(t.phase.values.tolist() == PHASES, f"phase {t.phase.values}")
        check(t.seconds.attrs.get("units") == "s", f"seconds units {t.seconds.attrs}")


def check_docs(docs, datasets):
    """docs/results.md names every dataset (as `/group/name`) and every dimension."""
    text = open(docs, encoding="utf-8").read()
    documented = set(re.findall(r"`(/[a-z_]+/[a-z_0-9]+)`", text))
    for name in datasets:
        group, leaf = name.split("/")
        if group == "runs" and leaf not in ("run", "status"):
            continue  # per-run parameters are chosen by the program at run time
        if f"`{leaf}`" in text and leaf in ("run", "layer", "repr", "split", "centering", "k",
                                             "tile_row", "tile_col", "phase"):
            continue  # dimensions are documented once, by name
        check(f"/{name}" in documented, f"docs/results.md does not document /{name}")


def check_plots(path, plot, out):
    command = [sys.executable, plot, path, "--run", "1", "--layers", "1,3", "--out", out]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    check(result.returncode == 0, f"plot_results.py failed:\n{result.stderr}")
    pngs = result.stdout.split()
    check(len(pngs) == 4, f"plot_results.py printed {pngs}")
    for png in pngs:
        check(os.path.isfile(png) and os.path.getsize(png) > 1000, f"missing or empty PNG {png}")
        with open(png, "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--docs", required=True)
    parser.add_argument("--plot", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    datasets = check_h5py(args.file)
    check_xarray(args.file)
    check_docs(args.docs, datasets)
    check_plots(args.file, args.plot, args.out)
    print(f"check_results_file: {len(datasets)} datasets OK (h5py, xarray, docs, plots)")


if __name__ == "__main__":
    main()
