#!/usr/bin/python3
"""Plots one run of a drfm_hpc results file (layout: docs/results.md) as PNG files.

    plot_results.py results.h5 [--run 0] [--layers 1,3,7] [--out DIR] [--centering uncentred]

Writes, for the chosen run,
  <stem>_run<r>_nc.png       NC1 and NC2 against the layer (log y) for X, M^1/2 X, Phi(M^1/2 X)
  <stem>_run<r>_spectra.png  eigenvalues rho_k of each representation, one line per layer
  <stem>_run<r>_pi.png       cumulative utility Pi(k) and quality Pi*(k), one line per layer
  <stem>_run<r>_gram.png     block-averaged Gram tiles at the chosen layers (viridis, -1..1)
and prints each path. --layers picks the layers of the spectra, Pi and Gram figures (default:
all layers for the curves, at most five spread over the depth for the Gram tiles). A features-mode
file (analysis.mode = "features") has snapshots in place of layers: --layers then counts them
1, 2, ... in file order, and the axes and titles show their names. A network-mode file
(analysis.mode = "network") has checkpoints in place of runs: --run picks the checkpoint (0-based,
natural name order) of the four figures above, whose layers are the network's hidden layers, and
  <stem>_network.png         per hidden layer, against the checkpoint: NC1 of Phi(X), S V^T Phi(X),
                             ReLU(U S V^T Phi(X)) and S_AGOP V_AGOP^T Phi(X) (log y, one panel per
                             layer as the paper's figures), the NFA correlations of W^T W with the
                             AGOP and its square root, and the network's train MSE and accuracy
comes first.
Needs only Debian's python3-numpy, python3-h5py and python3-matplotlib.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker  # noqa: E402  (after choosing the headless backend)
import numpy as np  # noqa: E402

# How the paper's legends name the representations.
REPR_LABELS = {"X": r"$X$", "MX": r"$M^{1/2}X$", "PhiMX": r"$\Phi(M^{1/2}X)$",
               "base": r"$\Phi(X)$", "right": r"$SV^T\Phi(X)$", "left": r"ReLU$(USV^T\Phi(X))$",
               "agop": r"$S_{AGOP}V_{AGOP}^T\Phi(X)$"}
STATUS_NAMES = {0: "pending", 1: "done", 2: "failed"}


def labels(dataset):
    """String coordinates (fixed-length UTF-8) as a list of str."""
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in dataset[()]]


def layer_axis(f):
    """The `layer` coordinates as plotted and the axis name: numbers 1..depth (Deep RFM), or the
    snapshot names of a features-mode file (string coordinates, one per snapshot)."""
    layer = f["metrics/layer"]
    if layer.dtype.kind in "SUO":
        return labels(layer), "snapshot"
    return layer[()], "layer"


def parse_layers(text, depth):
    try:
        layers = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise SystemExit(f"--layers: expected numbers like 1,3,7, got '{text}'")
    bad = [layer for layer in layers if not 1 <= layer <= depth]
    if bad or not layers:
        raise SystemExit(f"--layers: layers are 1..{depth}, got '{text}'")
    return layers


def default_gram_layers(depth, count=5):
    return sorted(set(np.linspace(1, depth, num=min(count, depth)).round().astype(int).tolist()))


def layer_colours(layers, depth):
    cmap = plt.get_cmap("viridis")
    return {layer: cmap((layer - 1) / max(depth - 1, 1)) for layer in layers}


def add_layer_colourbar(fig, axes, depth):
    norm = matplotlib.colors.Normalize(vmin=1, vmax=max(depth, 2))
    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap="viridis")
    bar = fig.colorbar(mappable, ax=axes, label="layer")
    bar.ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def log_y_if_possible(ax, values):
    """Log y-axis, unless nothing positive is there to show (matplotlib would fail)."""
    values = np.asarray(values)
    if (np.isfinite(values) & (values > 0)).any():
        ax.set_yscale("log")


def mark_missing(ax, values):
    """Says so on the panel when nothing was computed (all NaN)."""
    if not np.isfinite(values).any():
        ax.text(0.5, 0.5, "not computed", transform=ax.transAxes, ha="center", va="center",
                color="grey")


def save(fig, path):
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(path)


def plot_nc(f, run, prefix):
    layer, axis_name = layer_axis(f)
    reprs = labels(f["metrics/repr"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for ax, name, title in ((axes[0], "nc1", "NC1  tr(Σ_W)/tr(Σ_B)"),
                            (axes[1], "nc2", "NC2  mean (G − E)²")):
        values = f["metrics/" + name][run]  # [layer, repr]
        for i, r in enumerate(reprs):
            ax.plot(layer, values[:, i], marker="o", label=REPR_LABELS.get(r, r))
        log_y_if_possible(ax, values)
        ax.set_xlabel(axis_name)
        ax.set_title(title)
        ax.set_xticks(range(len(layer)) if axis_name == "snapshot" else layer)
        mark_missing(ax, values)
        ax.legend()
    save(fig, f"{prefix}_nc.png")


def plot_curves(f, run, layers, centering, prefix):
    """rho_k per representation (one figure), then Pi and Pi* per representation."""
    depth = f["metrics/layer"].shape[0]
    reprs = labels(f["spectra/repr"])
    c = labels(f["spectra/centering"]).index(centering)
    k = f["spectra/k"][()]
    colours = layer_colours(layers, depth)

    fig, axes = plt.subplots(1, len(reprs), figsize=(4 * len(reprs), 3.6), squeeze=False,
                             constrained_layout=True)
    rho = f["spectra/rho"][run]  # [layer, repr, centering, k]
    for i, r in enumerate(reprs):
        ax = axes[0, i]
        for layer in layers:
            ax.plot(k, rho[layer - 1, i, c], color=colours[layer])
        log_y_if_possible(ax, rho[:, i, c])
        ax.set_xlabel("k")
        ax.set_title(f"ρ_k of {REPR_LABELS.get(r, r)} ({centering})")
        mark_missing(ax, rho[:, i, c])
    add_layer_colourbar(fig, axes, depth)
    save(fig, f"{prefix}_spectra.png")

    fig, axes = plt.subplots(2, len(reprs), figsize=(4 * len(reprs), 6.5), squeeze=False,
                             constrained_layout=True)
    for row, (name, title) in enumerate((("pi", "Π(k) utility"), ("pi_star", "Π*(k) quality"))):
        values = f["spectra/" + name][run]
        for i, r in enumerate(reprs):
            ax = axes[row, i]
            for layer in layers:
                ax.plot(k, values[layer - 1, i, c], color=colours[layer])
            ax.set_ylim(0, 1.05)
            ax.set_xlim(1, max(k[-1], 2) if len(k) else 2)
            ax.set_xscale("log")
            ax.set_xlabel("k")
            ax.set_title(f"{title}, {REPR_LABELS.get(r, r)}")
            mark_missing(ax, values[:, i, c])
    add_layer_colourbar(fig, axes, depth)
    save(fig, f"{prefix}_pi.png")


def plot_gram(f, run, layers, prefix):
    reprs = labels(f["pictures/repr"])
    names, axis_name = layer_axis(f)
    gram = f["pictures/gram"]
    fig, axes = plt.subplots(len(layers), len(reprs), figsize=(3.2 * len(reprs), 3 * len(layers)),
                             squeeze=False, constrained_layout=True)
    image = None
    for row, layer in enumerate(layers):
        for i, r in enumerate(reprs):
            ax = axes[row, i]
            tile = gram[run, layer - 1, i]
            image = ax.imshow(tile, cmap="viridis", vmin=-1.0, vmax=1.0, interpolation="nearest")
            place = names[layer - 1] if axis_name == "snapshot" else f"layer {layer}"
            ax.set_title(place + (f", {REPR_LABELS.get(r, r)}" if len(reprs) > 1 else ""))
            ax.set_xticks([])
            ax.set_yticks([])
            mark_missing(ax, tile)
    fig.colorbar(image, ax=axes, label="inner product")
    save(fig, f"{prefix}_gram.png")


def plot_network(f, prefix):
    """One panel per hidden layer against the checkpoint: NC1 of the four representations; below,
    the NFA correlations per layer and the network's train MSE and accuracy."""
    names = labels(f["metrics/checkpoint"])
    reprs = labels(f["metrics/repr"])
    depth = f["metrics/layer"].shape[0]
    x = np.arange(len(names))
    fig, axes = plt.subplots(2, depth, figsize=(3.6 * depth, 6.4), squeeze=False,
                             constrained_layout=True)
    nc1 = f["metrics/nc1"][()]  # [checkpoint, layer, repr]
    for layer in range(depth):
        ax = axes[0, layer]
        for i, r in enumerate(reprs):
            ax.plot(x, nc1[:, layer, i], marker="o", label=REPR_LABELS.get(r, r))
        log_y_if_possible(ax, nc1[:, layer])
        ax.set_title(f"layer {layer + 1}: NC1")
        mark_missing(ax, nc1[:, layer])
        ax = axes[1, layer]
        ax.plot(x, f["metrics/nfa"][:, layer], marker="o", label="corr($W^TW$, AGOP)")
        ax.plot(x, f["metrics/nfa_sqrt"][:, layer], marker="o", label="corr($W^TW$, AGOP$^{1/2}$)")
        ax.set_ylim(min(0.0, np.nanmin(f["metrics/nfa"][()], initial=0.0)), 1.02)
        ax.set_title(f"layer {layer + 1}: NFA")
        for row in (0, 1):
            axes[row, layer].set_xticks(x)
            axes[row, layer].set_xticklabels(names, rotation=45, ha="right", fontsize=7)
    axes[0, 0].legend(fontsize=7)
    axes[1, 0].legend(fontsize=7)
    loss = axes[1, depth - 1].twinx()
    train = labels(f["metrics/split"]).index("train")
    loss.plot(x, f["metrics/final_mse"][:, train], color="grey", linestyle="--", label="train MSE")
    loss.plot(x, f["metrics/final_accuracy"][:, train], color="black", linestyle=":",
              label="train accuracy")
    loss.legend(fontsize=7, loc="lower right")
    save(fig, f"{prefix}_network.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="results file written by drfm_hpc")
    parser.add_argument("--run", type=int, default=0, help="run index (default 0)")
    parser.add_argument("--layers", help="comma-separated layers, e.g. 1,3,7")
    parser.add_argument("--out", help="output folder, created if missing (default: the results "
                        "file's path without .h5, plus _plots)")
    parser.add_argument("--centering", default="uncentred", choices=["uncentred", "centred"],
                        help="which feature spectra to plot (default uncentred)")
    args = parser.parse_args(argv)

    with h5py.File(args.file, "r") as f:
        network = "checkpoint" in f["runs"]
        runs = f["runs/checkpoint" if network else "runs/run"].shape[0]
        depth = f["metrics/layer"].shape[0]
        if not 0 <= args.run < runs:
            parser.error(f"--run: the file has runs 0..{runs - 1}")
        status = int(f["runs/status"][args.run])
        if status != 1:
            print(f"warning: run {args.run} has status {STATUS_NAMES.get(status, status)}; "
                  "missing values show as gaps", file=sys.stderr)
        chosen = parse_layers(args.layers, depth) if args.layers else None
        curve_layers = chosen or list(range(1, depth + 1))
        gram_layers = chosen or default_gram_layers(depth)

        stem = os.path.splitext(os.path.basename(args.file))[0]
        if args.out is None:
            args.out = os.path.splitext(args.file)[0] + "_plots"
        os.makedirs(args.out, exist_ok=True)
        if network:
            plot_network(f, os.path.join(args.out, stem))
        prefix = os.path.join(args.out, f"{stem}_run{args.run}")
        plot_nc(f, args.run, prefix)
        plot_curves(f, args.run, curve_layers, args.centering, prefix)
        plot_gram(f, args.run, gram_layers, prefix)


if __name__ == "__main__":
    main()
