#!/usr/bin/python3
"""Checks a network-mode results file (analysis.mode = "network", docs/results.md) against an
independent serial numpy computation from the data and checkpoint files it was made from.

    check_network.py RESULTS DATA CHECKPOINTS

The reference is written from methods.md §1 and §4 alone: class order and standardisation of the
data (unbiased std, no row normalisation), the forward pass, one explicit Jacobian per sample
(W_out D_L W_L ... D_l W_l, a Python loop) for the sub-network AGOP (1/n) sum J^T J, numpy's full
SVD of W_l with S zero-padded for the right representation Phi V S^T, numpy's eigh of the AGOP
for Phi V_a S_a of the AGOP divided by its largest entry (so the invariance that drfm_hpc uses, Phi M^{1/2} with M = AGOP / max, is checked, not assumed),
NC1 (three variants) and NC2 of the four representations, the two NFA correlations, the kernel
picture of every representation, the network's accuracy and MSE, and the AGOP spectrum.
The NC and picture formulas are those of check_features.py (written from methods.md §3 and §5).

Exits 1 with one line per failed check. Needs Debian's numpy, h5py and xarray (/usr/bin/python3).
"""
import sys

import h5py
import numpy as np

from check_features import check, close, failures, natural_key, nc_reference, padded, picture, text


def standardised(x):
    std = x.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num((x - x.mean(axis=0)) / std)


def sub_network_agop(h_in, weights, readout):
    """(1/n) sum_i J_i^T J_i from explicit per-sample Jacobians of readout relu(W_L ... relu(W_l h))."""
    n = len(h_in)
    agop = np.zeros((h_in.shape[1], h_in.shape[1]))
    for i in range(n):
        h, masks = h_in[i], []
        for w in weights:
            pre = w @ h
            masks.append((pre > 0).astype(float))
            h = np.maximum(pre, 0.0)
        jac = readout
        for w, m in zip(weights[::-1], masks[::-1]):
            jac = (jac * m) @ w
        agop += jac.T @ jac
    return agop / n


def corr(a, b):
    a, b = a - a.mean(), b - b.mean()
    return (a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum())


def main(argv):
    results, data_file, checkpoint_file = argv
    with h5py.File(data_file, "r") as f:
        raw_labels = f["labels"][()].astype(int)
        order = np.argsort(raw_labels, kind="stable")
        x = standardised(f["features"][()][order])
    y = raw_labels[order]
    K = y.max() + 1
    Y = np.where(y[:, None] == np.arange(K), 1.0, -1.0)
    with h5py.File(checkpoint_file, "r") as f:
        names = sorted(f.keys(), key=natural_key)
        nets = []
        for name in names:
            depth = sum(1 for key in f[name] if key != "W_out")
            nets.append(([f[name][f"W{k}"][()] for k in range(1, depth + 1)], f[name]["W_out"][()]))

    import xarray as xr
    metrics = xr.open_dataset(results, engine="h5netcdf", group="metrics")
    check(list(metrics.checkpoint.values) == names,
          f"checkpoint coordinates {list(metrics.checkpoint.values)}, expected {names}")
    check(list(metrics.repr.values) == ["base", "right", "left", "agop"], f"repr {list(metrics.repr.values)}")
    check(metrics.nc1.dims == ("checkpoint", "layer", "repr"), f"nc1 dims {metrics.nc1.dims}")

    with h5py.File(results, "r") as r:
        check(text([r.attrs["status"]]) == ["complete"], f"root status {r.attrs['status']!r}")
        check(r["runs/status"][()].tolist() == [1] * len(names), f"/runs/status {r['runs/status'][()]}")
        check(text(r["timings/phase"][()]) == ["forward", "agop", "analysis"],
              f"phases {text(r['timings/phase'][()])}")
        check((r["timings/seconds"][()] >= 0).all(), "negative or NaN timings")
        k = r["spectra/k"].shape[0]
        for s, (weights, readout) in enumerate(nets):
            acts = [x]
            for w in weights:
                acts.append(np.maximum(acts[-1] @ w.T, 0.0))
            f_out = acts[-1] @ readout.T
            where = names[s]
            close(f"{where}: accuracy", r["metrics/final_accuracy"][s],
                  [np.mean(np.argmax(f_out, axis=1) == y), np.nan], 1.0)
            close(f"{where}: mse", r["metrics/final_mse"][s], [np.mean((f_out - Y) ** 2), np.nan], 1.0)
            for l, w in enumerate(weights):
                phi = acts[l]
                u, sv, vt = np.linalg.svd(w, full_matrices=True)
                s_pad = np.zeros(w.shape)
                s_pad[: len(sv), : len(sv)] = np.diag(sv)
                right = phi @ vt.T @ s_pad.T
                agop = sub_network_agop(phi, weights[l:], readout)
                lam, va = np.linalg.eigh(agop)
                lam = np.where(lam < 1e-10 * lam.max(), 0.0, lam)  # drfm_hpc's sqrt cutoff
                projected = phi @ va @ np.diag(np.sqrt(lam / agop.max()))  # of AGOP / max entry
                reprs = [phi, right, acts[l + 1], projected]
                at = f"{where}, layer {l + 1}"
                for i, rep in enumerate(reprs):
                    nc, _ = nc_reference(rep, y, K)
                    for key, want in nc.items():
                        close(f"{at}, repr {i}: {key}", r["metrics/" + key][s, l, i], want)
                    for c, centred in enumerate((False, True)):
                        ref = picture(rep, Y, f_out, centred)
                        want = padded(ref["rho"], k)
                        close(f"{at}, repr {i}, centring {c}: rho", r["spectra/rho"][s, l, i, c],
                              want, scale=np.nanmax(np.abs(want)))
                        close(f"{at}, repr {i}, centring {c}: d_eff", r["spectra/d_eff"][s, l, i, c],
                              ref["d_eff"], scale=1.0)
                nfm = w.T @ w
                root = va @ np.diag(np.sqrt(lam)) @ va.T
                close(f"{at}: nfa", r["metrics/nfa"][s, l], corr(nfm, agop), 1.0)
                close(f"{at}: nfa_sqrt", r["metrics/nfa_sqrt"][s, l], corr(nfm, root), 1.0)
                spectrum = np.sort(np.linalg.eigvalsh(agop))[::-1] / agop.max()
                close(f"{at}: agop spectrum", r["spectra/agop"][s, l], padded(spectrum, k),
                      scale=spectrum[0])

    for message in failures:
        print("FAILED:", message)
    if not failures:
        print(f"{results}: {len(names)} checkpoints agree with the numpy reference")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
