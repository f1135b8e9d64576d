#!/usr/bin/python3
"""Writes the files of the network-mode tests into one folder (argument 1), in the layout of
docs/input.md ("Network checkpoints"), with h5py as tools/train_mlp.py does:

    data.h5          features [60 x 7] (float64) and labels [60] (int64, 3 classes, interleaved:
                     not in class order), read with data.source = "hdf5"
    checkpoints.h5   groups epoch_1, epoch_2, epoch_10 (natural order puts epoch_10 last), each
                     with W1 [6 x 7], W2 [9 x 6], W3 [5 x 9] and W_out [3 x 5] (PyTorch's
                     Linear.weight layout [out x in]); later epochs move the first layer towards
                     the class directions, so the metrics change between checkpoints
    missing.h5       epoch_1 lacks W2
    bad_shape.h5     epoch_1/W2 is [9 x 5]
    dead.h5          epoch_2's W_out is zero (its sub-network AGOPs are zero)

Every file is a pure function of a fixed seed. Run with /usr/bin/python3 (Debian's numpy, h5py).
"""
import os
import sys

import h5py
import numpy as np

N, D, K = 60, 7, 3
WIDTHS = [D, 6, 9, 5]


def data(rng):
    labels = rng.permutation(np.arange(N) % K)
    centres = rng.normal(size=(K, D)) * 1.5
    return centres[labels] + rng.normal(size=(N, D)), labels


def checkpoints(rng):
    """Name -> [W1, W2, W3, W_out]: xavier-uniform scale, drifting with the epoch."""
    base = [rng.uniform(-1, 1, size=(o, i)) * np.sqrt(6.0 / (i + o))
            for i, o in zip(WIDTHS[:-1], WIDTHS[1:])]
    base.append(rng.uniform(-1, 1, size=(K, WIDTHS[-1])) / np.sqrt(WIDTHS[-1]))
    drift = [rng.normal(size=w.shape) * 0.3 for w in base]
    return {f"epoch_{e}": [w + e / 10.0 * d for w, d in zip(base, drift)] for e in (1, 2, 10)}


def write(path, nets, skip=None, reshape=None, zero=None):
    with h5py.File(path, "w") as f:
        for name, weights in nets.items():
            g = f.create_group(name)
            for k, w in enumerate(weights):
                key = "W_out" if k == len(weights) - 1 else f"W{k + 1}"
                if (name, key) == skip:
                    continue
                g[key] = w[:, :-1] if (name, key) == reshape else 0.0 * w if (name, key) == zero else w


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261207)
    x, labels = data(rng)
    with h5py.File(os.path.join(out, "data.h5"), "w") as f:
        f["features"] = x
        f["labels"] = labels.astype(np.int64)
    nets = checkpoints(rng)
    write(os.path.join(out, "checkpoints.h5"), nets)
    write(os.path.join(out, "missing.h5"), nets, skip=("epoch_1", "W2"))
    write(os.path.join(out, "bad_shape.h5"), nets, reshape=("epoch_1", "W2"))
    write(os.path.join(out, "dead.h5"), nets, zero=("epoch_2", "W_out"))


if __name__ == "__main__":
    main(sys.argv[1])
