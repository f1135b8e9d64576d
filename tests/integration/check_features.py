#!/usr/bin/python3
"""Checks a features-mode results file (analysis.mode = "features", docs/results.md) against an
independent numpy computation on the snapshot file it was made from.

    check_features.py RESULTS SNAPSHOTS [--outputs GROUP]

The reference is brute force, serial and written from methods.md §3 and §5 alone: class order,
NC1 (three variants), NC2, NC4, the least-squares readout f = F pinv(F) Y (or the stored outputs),
accuracy and MSE, the kernel picture of (1/n) F^T F uncentred and centred, and the Gram tiles.
For the last snapshot, whose features are the class means of a simplex ETF exactly, it also checks
the closed forms: NC1 = NC2 = 0, d_eff = 2 = K - 1, tail_C = 0, Pi*(C) = 8/9 uncentred and 1
centred, Gram tiles 1 within and -1/2 across classes; with the readout also NC4 = 0,
accuracy 1, MSE 1/9 and Pi(r) = 1.

Exits 1 with one line per failed check. Needs Debian's numpy, h5py and xarray (/usr/bin/python3).
"""
import argparse
import sys

import h5py
import numpy as np

TOLERANCE = 1e-9   # relative: reductions in another order, dsyevd against numpy's eigh
CUTOFF = 1e-10     # kernel_rank_cutoff: eigenvalues below this times the largest are dropped
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def text(values):
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]


def natural_key(name):
    import re
    return [(0, int(part), len(part)) if part.isdigit() else (1, part, 0)
            for part in re.split(r"(\d+)", name) if part]


def close(name, got, want, scale=None):
    """Element-wise |got - want| <= TOLERANCE * max(|want|, scale); NaN where want is NaN. The
    scale is 1 for shares, counts and correlations (values that should be 0 then differ by
    rounding), the spectrum's largest entry for spectra, and 1e-12 (about relative) otherwise."""
    got, want = np.asarray(got, float), np.asarray(want, float)
    if not check(got.shape == want.shape, f"{name}: shape {got.shape}, expected {want.shape}"):
        return
    nan = np.isnan(want)
    if not check((np.isnan(got) == nan).all(), f"{name}: NaN at {np.isnan(got)}, expected {nan}"):
        return
    bound = TOLERANCE * np.maximum(np.abs(want), 1e-12 if scale is None else scale)
    bad = np.abs(got - want)[~nan] > bound[~nan]
    check(not bad.any(), f"{name}: {got.tolist()} != {want.tolist()}")


def nc_reference(F, y, K):
    N = len(y)
    means = np.stack([F[y == c].mean(axis=0) for c in range(K)])
    mu_g = means.mean(axis=0)
    sw = sum((F[y == c] - means[c]).T @ (F[y == c] - means[c]) for c in range(K))
    centred = means - mu_g
    sb = centred.T @ centred
    nc1 = (np.trace(sw) / N) / (np.trace(sb) / K)
    lam, u = np.linalg.eigh(sb / K)
    keep = lam > 1e-10 * lam.max()
    papyan = sum(u[:, k] @ (sw / N) @ u[:, k] / lam[k] for k in np.flatnonzero(keep)) / K
    tilde = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    E = K / (K - 1) * (np.eye(K) - 1.0 / K)
    nc2 = np.mean((tilde @ tilde.T - E) ** 2)
    return dict(nc1=nc1, nc1_code=nc1 / K, nc1_papyan=papyan, nc2=nc2, nc2_fro=K * np.sqrt(nc2)), means


def readout(F, Y):
    rho, v = np.linalg.eigh(F.T @ F)
    rho, v = rho[::-1], v[:, ::-1]
    r = int(np.sum(rho > CUTOFF * rho[0]))
    return F @ (v[:, :r] @ np.diag(1.0 / rho[:r]) @ v[:, :r].T @ F.T @ Y)


def picture(F, Y, f, centred):
    n, C = Y.shape
    if centred:
        F, Y, f = F - F.mean(axis=0), Y - Y.mean(axis=0), f - f.mean(axis=0)
    rho, v = np.linalg.eigh(F.T @ F / n)
    rho, v = rho[::-1], v[:, ::-1]
    r = int(np.sum(rho > CUTOFF * rho[0]))
    rho, v = rho[:r], v[:, :r]
    e = F @ v / np.sqrt(rho)                     # e_k(x_i), <e_k, e_l> = delta_kl
    quality = ((e.T @ Y / n) ** 2).sum(axis=1) / ((Y ** 2).sum() / n)
    utility = ((e.T @ f / n) ** 2).sum(axis=1) / ((f ** 2).sum() / n)
    pi, share = np.cumsum(utility), rho / rho.sum()

    def first(threshold):
        hits = np.flatnonzero(pi >= threshold)
        return hits[0] + 1.0 if hits.size else np.nan

    top = min(C, r)
    return dict(rho=rho, quality=quality, utility=utility, pi=pi, pi_star=np.cumsum(quality),
                d_eff=np.exp(-(share * np.log(share)).sum()), tail_c=share[C:].sum(),
                k_tau90=first(0.9), k_tau99=first(0.99), dlr_function=1.0 - pi[top - 1],
                dlr_spectral=share[C:].sum())


def gram_tiles(F, T):
    n = len(F)
    Z = F - F.mean(axis=0)
    Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    tile = (np.arange(n) * T) // n
    sums = np.stack([Z[tile == t].sum(axis=0) for t in range(T)])
    counts = np.bincount(tile, minlength=T)
    return sums @ sums.T / np.outer(counts, counts)


def padded(values, k):
    out = np.full(k, np.nan)
    out[: len(values)] = values
    return out


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("snapshots")
    parser.add_argument("--outputs", default="")
    args = parser.parse_args(argv)

    with h5py.File(args.snapshots, "r") as s:
        raw_labels = s["labels"][()].astype(int)
        names = sorted(s["snapshots"].keys(), key=natural_key)
        order = np.argsort(raw_labels, kind="stable")   # class order, file order within a class
        y = raw_labels[order]
        K = y.max() + 1
        Y = np.where(y[:, None] == np.arange(K), 1.0, -1.0)
        snaps = [(s["snapshots"][name][()][order],
                  s[args.outputs][name][()][order] if args.outputs else None) for name in names]

    import xarray as xr
    metrics = xr.open_dataset(args.results, engine="h5netcdf", group="metrics")
    check(list(metrics.layer.values) == names,
          f"layer coordinates {list(metrics.layer.values)}, expected the snapshots {names}")
    check(list(metrics.repr.values) == ["features"], f"repr {list(metrics.repr.values)}")

    with h5py.File(args.results, "r") as r:
        check(text([r.attrs["status"]]) == ["complete"], f"root status {r.attrs['status']!r}")
        check(r["runs/status"][()].tolist() == [1], f"/runs/status {r['runs/status'][()]}")
        check(text(r["timings/phase"][()]) == ["read", "readout", "analysis"],
              f"phases {text(r['timings/phase'][()])}")
        check((r["timings/seconds"][0] >= 0).all(), "negative or NaN timings")
        for name in ("spectra/agop", "spectra/kernel", "metrics/final_accuracy", "metrics/final_mse"):
            if name in r:
                check(np.isnan(r[name][()]).all(), f"/{name} should be NaN in features mode")
        k = r["spectra/k"].shape[0]
        T = r["pictures/tile_row"].shape[0]
        for i, (F, outputs) in enumerate(snaps):
            where = f"snapshot {names[i]}"
            nc, means = nc_reference(F, y, K)
            for key, want in nc.items():
                close(f"{where}: {key}", r["metrics/" + key][0, i, 0], want)
            f = outputs if outputs is not None else readout(F, Y)
            nearest = np.argmin(((F[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
            predicted = np.argmax(f, axis=1)
            close(f"{where}: nc4", r["metrics/nc4"][0, i, 0], np.mean(predicted != nearest), 1.0)
            close(f"{where}: accuracy", r["metrics/accuracy"][0, i], [np.mean(predicted == y), np.nan], 1.0)
            close(f"{where}: mse", r["metrics/mse"][0, i], [np.mean((f - Y) ** 2), np.nan], 1.0)
            for c, centred in enumerate((False, True)):
                ref = picture(F, Y, f, centred)
                label = f"{where}, {'centred' if centred else 'uncentred'}"
                for key in ("rho", "quality", "utility", "pi", "pi_star"):
                    want = padded(ref[key], k)
                    close(f"{label}: {key}", r["spectra/" + key][0, i, 0, c], want,
                          scale=np.nanmax(np.abs(want)))
                for key in ("d_eff", "tail_c", "k_tau90", "k_tau99", "dlr_function", "dlr_spectral"):
                    close(f"{label}: {key}", r["spectra/" + key][0, i, 0, c], ref[key], scale=1.0)
            close(f"{where}: gram", r["pictures/gram"][0, i, 0], gram_tiles(F, T), scale=1.0)

        # Closed forms at the last snapshot: the class means of a simplex ETF, exactly.
        last = len(names) - 1
        exact = lambda name, got, want, tol=1e-12: check(abs(got - want) <= tol, f"{names[last]}: {name} = {got!r}, expected {want}")
        exact("nc1", r["metrics/nc1"][0, last, 0], 0.0, 0.0)
        for key in ("nc1_papyan", "nc2"):
            exact(key, r["metrics/" + key][0, last, 0], 0.0, 1e-20)
        for c in (0, 1):
            exact("d_eff", r["spectra/d_eff"][0, last, 0, c], 2.0)
            exact("tail_c", r["spectra/tail_c"][0, last, 0, c], 0.0)
        exact("uncentred Pi*(C)", r["spectra/pi_star"][0, last, 0, 0, 1], 8.0 / 9.0)
        exact("centred Pi*(C)", r["spectra/pi_star"][0, last, 0, 1, 1], 1.0)
        tiles = r["pictures/gram"][0, last, 0]
        check(np.all((np.abs(tiles - 1.0) < 1e-12) | (np.abs(tiles + 0.5) < 1e-12)),
              f"{names[last]}: Gram tiles are not 1 and -1/2: {tiles}")
        if not args.outputs:
            exact("nc4", r["metrics/nc4"][0, last, 0], 0.0, 0.0)
            exact("accuracy", r["metrics/accuracy"][0, last, 0], 1.0)
            exact("mse", r["metrics/mse"][0, last, 0], 1.0 / 9.0)
            for c in (0, 1):
                exact("Pi(r)", r["spectra/pi"][0, last, 0, c, 1], 1.0)

    for message in failures:
        print("FAILED:", message)
    if not failures:
        print(f"{args.results}: {len(names)} snapshots agree with the numpy reference "
              f"(tolerance {TOLERANCE}) and the closed forms")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
