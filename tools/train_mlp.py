#!/usr/bin/python3
"""Trains the reference MLP of methods.md §4.1 with PyTorch and writes its checkpoints for
drfm_hpc's network mode (analysis.mode = "network"; docs/input.md, "Network checkpoints").

    train_mlp.py [--data /usr/share/datasets/fashion-mnist] [--n 5000] [--epochs 30]
                 [--measure-every 5] [--lr 1e-3] [--out results/mlp_checkpoints.h5]

The network: `--depth` hidden layers Linear(bias=False) + ReLU of width `--width` (512), the first
d -> width, then width -> width, and a final Linear(width, classes, bias=False) with PyTorch's
default init; hidden weights xavier_uniform_(gain = --init). Loss: MSELoss against +-1 labels;
Adam (lr --lr) re-created at every epoch, as the reference does (§4.1, §8.16); mini-batches of 128,
shuffled. The defaults train in about 20 s on 2 cores (train accuracy 0.94 at epoch 30); the
reference job script's run is --n 50000 --epochs 250 --lr 5e-5 --measure-every 10. The data are read and preprocessed as drfm_hpc's data stage does (§1): the first --n
training images of the IDX folder (torchvision's ToTensor scale, pixel / 255), per-pixel
standardisation with the unbiased std, 0 for constant pixels; no row normalisation. Keep --n equal
to data.n_train of the analysis so that both see the same samples.

The file gets a group epoch_<e> after every --measure-every epochs (from the first epoch on: 1,
1 + m, 1 + 2m, ..., and always the last), each with W1..WL ([out x in], Linear.weight as stored)
and W_out ([classes x width]), in float64. Needs Debian's python3-torch, python3-numpy and
python3-h5py (/usr/bin/python3).
"""
import argparse
import gzip
import os
import struct
import sys

import h5py
import numpy as np


def read_idx(folder, prefix, n):
    """The first n images (n x d, in [0, 1]) and labels of <prefix>-images/labels-idx*-ubyte[.gz]."""
    def opened(name):
        path = os.path.join(folder, name)
        if os.path.exists(path + ".gz"):
            return gzip.open(path + ".gz", "rb")
        return open(path, "rb")

    with opened(f"{prefix}-images-idx3-ubyte") as f:
        _, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if n > count:
            raise SystemExit(f"--n {n}: {folder} has {count} training images")
        images = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8).reshape(n, rows * cols)
    with opened(f"{prefix}-labels-idx1-ubyte") as f:
        f.read(8)
        labels = np.frombuffer(f.read(n), dtype=np.uint8).astype(np.int64)
    return images.astype(np.float64) / 255.0, labels


def standardised(x):
    std = x.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num((x - x.mean(axis=0)) / std)


def make_mlp(torch, d, width, depth, classes, init):
    layers = []
    for k in range(depth):
        linear = torch.nn.Linear(d if k == 0 else width, width, bias=False)
        torch.nn.init.xavier_uniform_(linear.weight, gain=init)
        layers += [linear, torch.nn.ReLU()]
    layers.append(torch.nn.Linear(width, classes, bias=False))
    return torch.nn.Sequential(*layers)


def write_checkpoint(out, name, model):
    linears = [m for m in model if hasattr(m, "weight")]
    with h5py.File(out, "a") as f:
        if name in f:
            del f[name]
        group = f.create_group(name)
        for k, linear in enumerate(linears[:-1]):
            group[f"W{k + 1}"] = linear.weight.detach().double().cpu().numpy()
        group["W_out"] = linears[-1].weight.detach().double().cpu().numpy()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="IDX folder")
    parser.add_argument("--n", type=int, default=5000, help="training samples (data.n_train)")
    parser.add_argument("--depth", type=int, default=5, help="hidden layers (5)")
    parser.add_argument("--width", type=int, default=512, help="hidden width (512)")
    parser.add_argument("--init", type=float, default=0.1, help="xavier_uniform gain (0.1)")
    parser.add_argument("--lr", type=float, default=1e-3,
                        help="Adam learning rate (1e-3; the reference job: 5e-5 for 250 epochs)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--measure-every", type=int, default=5, help="checkpoint period (epochs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: its default)")
    parser.add_argument("--out", default="results/mlp_checkpoints.h5")
    args = parser.parse_args(argv)

    import torch  # Debian's python3-torch
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    images, labels = read_idx(args.data, "train", args.n)
    classes = int(labels.max()) + 1
    x = torch.tensor(standardised(images), dtype=torch.float32)
    y = torch.tensor(np.where(labels[:, None] == np.arange(classes), 1.0, -1.0), dtype=torch.float32)
    model = make_mlp(torch, x.shape[1], args.width, args.depth, classes, args.init)
    loss_fn = torch.nn.MSELoss()

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with h5py.File(args.out, "w"):
        pass  # a new file: checkpoints of an earlier run must not mix in
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.epochs + 1):
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)  # re-created each epoch
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), args.batch):
            batch = order[start:start + args.batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        if (epoch - 1) % args.measure_every == 0 or epoch == args.epochs:
            with torch.no_grad():
                out = model(x)
                accuracy = (out.argmax(dim=1) == torch.tensor(labels)).double().mean().item()
            write_checkpoint(args.out, f"epoch_{epoch}", model)
            print(f"epoch {epoch:4d}  train loss {total / len(x):.5f}  train accuracy "
                  f"{accuracy:.4f}  -> {args.out}:/epoch_{epoch}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
