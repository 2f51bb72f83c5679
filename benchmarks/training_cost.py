"""What training a model cost, read from its own records (``history/losses.csv``).

Usage: python benchmarks/training_cost.py [--checkpoints DIR] [IDS ...]
Prints, per model: the epochs, the seconds of training steps per epoch (min / median /
max, without the per-epoch records), their total in hours and the backends that trained it
(``config.json`` ``extra.trained_with``; older models do not record it). The numbers are
what the run measured where it ran, beside whatever else ran there.
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoints", default=None)
    ap.add_argument("ids", nargs="*")
    args = ap.parse_args()

    from gan_core.checkpoints import list_model_ids, resolve_model_dir
    from gan_core.history import load_history

    ids = args.ids or list_model_ids(args.checkpoints)
    print(
        "| model | epochs | s/epoch of steps (min / median / max) | hours of steps | trained with |"
    )
    print("| --- | --- | --- | --- | --- |")
    for model_id in ids:
        folder = resolve_model_dir(model_id, args.checkpoints)
        seconds = np.array([float(r["seconds"]) for r in load_history(folder)["losses"]])
        if not len(seconds):
            print(f"| {model_id} | – | no losses.csv | – | – |")
            continue
        extra = json.loads((folder / "config.json").read_text()).get("extra", {})
        backends = ", ".join(extra.get("trained_with", [])) or "not recorded"
        print(
            f"| {model_id} | {len(seconds)} | {seconds.min():.1f} / {np.median(seconds):.1f} / "
            f"{seconds.max():.1f} | {seconds.sum() / 3600:.2f} | {backends} |"
        )


if __name__ == "__main__":
    main()
