"""Train one run and keep several generator averages beside it, one per ``ema_follows_lr``.

Training never reads the average, so one run's weights serve every averaging rule: each
extra average starts from the run's own when the learning-rate decay begins and then moves
by its own rule at every step. From ``--keep-from`` on, every average's class map is
recorded after each epoch, and at the end each is written as a model folder
(``OUT/avg-<value>``: generator, config, ``history/class_maps.npz``) that ``gan-explorer
--checkpoints OUT evaluate avg-<value>`` measures like any other.

    python scripts/compare_averages.py --out runs/averages --values 0,0.05,0.2,1 -- \\
        train gan-2d --latent-dim 2 --epochs 36 --seed 0 --lr-decay 0.5 ...

Everything after ``--`` is a ``gan-explorer train`` command line; its own average (the
run's ``--ema-follows-lr``) is the run's model as usual.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def averages_trainer(values: list[float], out: Path, keep_from: int):
    from gan_core.grids import classify_latents
    from gan_core.models import build_gan_pair
    from gan_core.recipe import Recipe, recompute_batchnorm_statistics
    from gan_core.training import GanTrainer

    class AveragesTrainer(GanTrainer):
        """:class:`GanTrainer` that also keeps one average per value of ``values``."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.ema is None:
                raise SystemExit("error: the run has no average (--ema-half-life 0)")
            base = self.s.recipe.to_json()
            self.rules = {v: Recipe.from_json({**base, "ema_follows_lr": v}) for v in values}
            self.extra: dict[float, list[np.ndarray]] | None = None
            self.maps: dict[float, list[np.ndarray]] = {v: [] for v in values}
            self.map_epochs: list[int] = []
            self.probe, _ = build_gan_pair(self.s.latent_dim, self.s.conditional, self.s.activation)
            inner = self._step_fn

            def step(real, labels, step_index, ema_beta):
                out = inner(real, labels, step_index, ema_beta)
                self._move_averages(int(step_index))
                return out

            self._step_fn = step

        def _move_averages(self, global_step: int) -> None:
            i = global_step - int(self._steps[0])  # this epoch's schedule, as the run's own
            if self._scales[i] >= 1.0:
                return
            if self.extra is None:  # the decay begins: every average starts from the run's
                start = [v.numpy().astype(np.float32) for v in self.ema.trainable_variables]
                self.extra = {v: [w.copy() for w in start] for v in self.rules}
            weights = [v.numpy().astype(np.float32) for v in self.generator.trainable_variables]
            for value, betas in self._betas.items():
                beta = np.float32(betas[i])
                for avg, w in zip(self.extra[value], weights):
                    avg *= beta
                    avg += (np.float32(1.0) - beta) * w

        def _train_epoch(self, epoch, epochs, bar):
            self._steps, self._scales, _ = self.epoch_schedule(epoch, epochs)
            batch = self.s.batch_size
            self._betas = {
                value: [rule.ema_beta(int(s) * batch, batch, lr_scale=float(c))
                        for s, c in zip(self._steps, self._scales)]
                for value, rule in self.rules.items()
            }  # fmt: skip
            result = super()._train_epoch(epoch, epochs, bar)
            if epoch >= keep_from and self.extra is not None and self.classifier is not None:
                self.map_epochs.append(epoch)
                for value in self.rules:
                    self._load_probe(value)
                    probs = classify_latents(
                        self.probe, self.classifier, self.map_latents, self.map_labels
                    )
                    self.maps[value].append(
                        probs.argmax(1).astype(np.uint8).reshape(self.map_shape)
                    )
                    print(self._summary(value), flush=True)
            if epoch == epochs and self.extra is not None:
                self._write_folders()
            return result

        def _load_probe(self, value: float) -> None:
            for var, avg in zip(self.probe.trainable_variables, self.extra[value]):
                var.assign(avg)
            recompute_batchnorm_statistics(
                self.probe, self.s.latent_dim, self.s.conditional, n=self.s.bn_samples,
                seed=self.s.seed,
            )  # fmt: skip

        def _summary(self, value: float) -> str:
            maps = self.maps[value]
            share = np.bincount(maps[-1].ravel(), minlength=10) / maps[-1].size * 100
            change = float((maps[-1] != maps[-2]).mean() * 100) if len(maps) > 1 else None
            return json.dumps({
                "epoch": self.map_epochs[-1], "ema_follows_lr": value,
                "map_change_percent": None if change is None else round(change, 2),
                "rarest_percent": round(float(share.min()), 2), "rarest": int(share.argmin()),
            })  # fmt: skip

        def _write_folders(self) -> None:
            for value in self.rules:
                folder = out / f"avg-{value:g}"
                (folder / "history").mkdir(parents=True, exist_ok=True)
                self._load_probe(value)
                self.probe.save(folder / "generator.keras")
                config = json.loads((self.dir / "config.json").read_text())
                config["recipe"]["ema_follows_lr"] = value
                (folder / "config.json").write_text(json.dumps(config, indent=2))
                np.savez_compressed(
                    folder / "history" / "class_maps.npz",
                    epochs=np.array(self.map_epochs, np.int32),
                    classes=np.stack(self.maps[value]),
                    description=np.array(self.map_desc),
                )
                shutil.copy(self.dir / "discriminator.keras", folder / "discriminator.keras")
                print(f"wrote {folder}", flush=True)

    return AveragesTrainer


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        print("error: give the train command after --", file=sys.stderr)
        return 2
    cut = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for the averages")
    parser.add_argument("--values", required=True, help="comma-separated ema_follows_lr values")
    parser.add_argument("--keep-from", type=int, default=1, help="first epoch with class maps")
    args = parser.parse_args(argv[:cut])
    try:
        values = [float(v) for v in args.values.split(",")]
    except ValueError:
        print(f"error: --values must be numbers, got {args.values!r}", file=sys.stderr)
        return 2
    if any(not 0 <= v <= 1 for v in values):
        print("error: every value must be in [0, 1]", file=sys.stderr)
        return 2
    import gan_core.training_jax as training_jax
    from gan_explorer import cli

    trainer_class = averages_trainer(values, args.out, args.keep_from)
    training_jax.make_trainer = lambda settings, mnist, classifier=None, resume=False: (
        trainer_class(settings, mnist, classifier, resume=resume)
    )
    train_args = cli.build_parser().parse_args(argv[cut + 1 :])
    if train_args.command != "train":
        print("error: the command after -- must be train", file=sys.stderr)
        return 2
    return cli.cmd_train(train_args)


if __name__ == "__main__":
    sys.exit(main())
