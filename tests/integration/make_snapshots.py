#!/usr/bin/python3
"""Writes the feature-snapshot files of the features-mode tests into one folder (argument 1),
in the layout of docs/input.md ("Feature snapshots"), with h5py as a PyTorch user would:

    snapshots.h5   labels [90] (int64, 3 balanced classes, interleaved: not in class order) and
                   snapshots/epoch_0, epoch_1, epoch_2 [90 x 8] and epoch_10 [90 x 6] (natural
                   order puts epoch_10 last): random features moving towards exactly collapsed
                   class means that form a simplex ETF at epoch_10; logits/<same names> [90 x 3]
    missing.h5     labels and snapshots/epoch_0, epoch_1, but logits/ lacks epoch_1
    ragged.h5      snapshots/epoch_1 has 80 rows for 90 labels

Every file is a pure function of a fixed seed. Run with /usr/bin/python3 (Debian's numpy, h5py).
"""
import os
import sys

import h5py
import numpy as np

N, K = 90, 3


def etf_means(p):
    """K means in p dimensions forming a simplex ETF, small integers (exact in float64):
    mu_c = 3 e_c - (1, 1, 1, 0, ...), so mu_a . mu_b = 6 (a = b) or -3, and sum_c mu_c = 0."""
    means = np.zeros((K, p))
    means[:, :K] = 3.0 * np.eye(K) - 1.0
    return means


def snapshots(rng, labels):
    """Name -> (features, logits): noise shrinking towards the ETF means, exact at epoch_10."""
    out = {}
    for name, t, p in (("epoch_0", 0.0, 8), ("epoch_1", 0.5, 8), ("epoch_2", 0.9, 8),
                       ("epoch_10", 1.0, 6)):
        means = etf_means(p)
        noise = rng.normal(size=(N, p)) if t < 1.0 else np.zeros((N, p))
        features = (1.0 - t) * noise + t * means[labels]
        logits = features @ rng.normal(size=(p, K)) + rng.normal(size=K)
        out[name] = (features, logits)
    return out


def write(path, labels, data, skip_logits=(), rows=None):
    with h5py.File(path, "w") as f:
        f["labels"] = labels.astype(np.int64)
        for name, (features, logits) in data.items():
            f[f"snapshots/{name}"] = features[: rows.get(name, N)] if rows else features
            if name not in skip_logits:
                f[f"logits/{name}"] = logits


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20240611)
    labels = rng.permutation(np.arange(N) % K)
    data = snapshots(rng, labels)
    write(os.path.join(out, "snapshots.h5"), labels, data)
    two = {name: data[name] for name in ("epoch_0", "epoch_1")}
    write(os.path.join(out, "missing.h5"), labels, two, skip_logits=("epoch_1",))
    write(os.path.join(out, "ragged.h5"), labels, two, rows={"epoch_1": 80})


if __name__ == "__main__":
    main(sys.argv[1])
