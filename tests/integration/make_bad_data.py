#!/usr/bin/python3
"""Writes the broken data files of the integration tests into one folder (argument 1).

    idx_truncated/     MNIST-layout IDX folder whose train-images .gz is cut in the middle
                       (an interrupted download): 120 images of 28x28, labels 0..2
    idx_bad_magic/     same, but train-images is not an IDX file (a zip header)
    train.csv          60 samples, 5 features, label last (0..2): a good training file
    test.csv           20 samples of the same kind: a good test file
    nan.csv            train.csv with 'nan' as one feature of sample 17 (line 18)
    ragged.csv         train.csv with a feature missing on line 9
    bad_label.csv      train.csv with label 1.5 on line 4
    missing_features.h5  HDF5 with 'X' and 'labels' but no 'features' dataset

Every file is a pure function of a fixed seed. Run with /usr/bin/python3 (Debian's numpy, h5py).
"""
import gzip
import os
import struct
import sys

import h5py
import numpy as np

SIDE = 28


def idx_images(images):
    """IDX3 bytes: magic 0x00000803 (unsigned byte, 3 dims), then the dims, then the pixels."""
    n = images.shape[0]
    return struct.pack(">IIII", 0x803, n, SIDE, SIDE) + images.astype(np.uint8).tobytes()


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + labels.astype(np.uint8).tobytes()


def write_gz(path, data):
    with gzip.open(path, "wb") as f:
        f.write(data)


def idx_folder(folder, rng, n_train=120, n_test=20):
    """A valid IDX folder with random images; returns the train-images path."""
    os.makedirs(folder, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, SIDE, SIDE))
        write_gz(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), idx_images(images))
        write_gz(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), idx_labels(np.arange(n) % 3))
    return os.path.join(folder, "train-images-idx3-ubyte.gz")


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("\n".join(",".join(fields) for fields in rows) + "\n")


def csv_rows(rng, n, d=5, classes=3):
    labels = np.arange(n) % classes
    x = rng.normal(size=(n, d)) + 3.0 * np.eye(d)[labels % d]
    return [[f"{v:.17g}" for v in x[i]] + [str(labels[i])] for i in range(n)]


def main(out):
    rng = np.random.default_rng(20240531)
    os.makedirs(out, exist_ok=True)

    images = idx_folder(os.path.join(out, "idx_truncated"), rng)
    with open(images, "rb") as f:
        whole = f.read()
    with open(images, "wb") as f:
        f.write(whole[: len(whole) // 2])  # random pixels hardly compress: the cut is in the pixels

    images = idx_folder(os.path.join(out, "idx_bad_magic"), rng)
    write_gz(images, b"PK\x03\x04" + bytes(64))

    train = csv_rows(rng, 60)
    write_csv(os.path.join(out, "train.csv"), train)
    write_csv(os.path.join(out, "test.csv"), csv_rows(rng, 20))
    nan = [list(r) for r in train]
    nan[17][2] = "nan"
    write_csv(os.path.join(out, "nan.csv"), nan)
    ragged = [list(r) for r in train]
    del ragged[8][0]
    write_csv(os.path.join(out, "ragged.csv"), ragged)
    bad_label = [list(r) for r in train]
    bad_label[3][-1] = "1.5"
    write_csv(os.path.join(out, "bad_label.csv"), bad_label)

    with h5py.File(os.path.join(out, "missing_features.h5"), "w") as f:
        f["X"] = rng.normal(size=(40, 5))
        f["labels"] = np.arange(40) % 2


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTPUT_FOLDER")
    main(sys.argv[1])
