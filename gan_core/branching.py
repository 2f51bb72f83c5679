"""Runs made from other runs: a branch (a new run from another's last epoch, with a
changed recipe) and the trained, not averaged, generator of a run's training state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from gan_core.checkpoints import (
    CheckpointError,
    atomic_write_json,
    load_config,
    resolve_model_dir,
)
from gan_core.history import read_npz, write_npz
from gan_core.recipe import Recipe, RecipeError, recorded_recipe
from gan_core.train_state import STATE_FILE, TrainingError, saved_generator_weights


def branch_run(
    source_id: str, model_id: str, root=None, recipe_changes: dict[str, Any] | None = None
) -> Path:
    """Start run ``model_id`` from ``source_id``'s last saved epoch, with the source's
    recipe changed by ``recipe_changes``; the source is not touched. The copy (weights,
    optimiser and EMA state, history) is made under a temporary name and renamed into
    place, so a failure leaves no half-made run. ``config.json`` records the branch point
    (``extra.branched_from``). Continue it with ``GanTrainer(..., resume=True)``."""
    import shutil

    try:
        src, dst = resolve_model_dir(source_id, root), resolve_model_dir(model_id, root)
    except CheckpointError as exc:
        raise TrainingError(str(exc)) from exc
    if not (src / STATE_FILE).is_file():
        raise TrainingError(f"cannot branch from {src}: it has no {STATE_FILE} to continue")
    if dst.exists():
        raise TrainingError(f"{dst} already exists; pick a new id for the branch")
    try:
        cfg = load_config(src)
    except CheckpointError as exc:
        raise TrainingError(str(exc)) from exc
    changes = dict(recipe_changes or {})
    try:
        old = recorded_recipe(cfg)
        recipe = Recipe.from_json({**old.to_json(), **changes})
    except (RecipeError, TypeError) as exc:
        raise TrainingError(f"bad recipe change for the branch: {exc}") from exc
    tmp = dst.with_name(f".{model_id}.branching")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(src, tmp)
        for name in ("metrics.json", "metrics_raw.json"):  # the source's, not the branch's
            (tmp / name).unlink(missing_ok=True)
        data = json.loads((tmp / "config.json").read_text())
        data["recipe"] = recipe.to_json()
        data.setdefault("extra", {})["branched_from"] = {
            "model": source_id,
            "epoch": cfg.epochs_trained,
            "recipe_changes": changes,
        }
        atomic_write_json(tmp / "config.json", data)
        if recipe.uses_ema != old.uses_ema:
            switch_ema_state(tmp / STATE_FILE, recipe.uses_ema)
        tmp.rename(dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dst


def switch_ema_state(path: Path, on: bool) -> None:
    """A branch that turns the generator EMA on starts the average at the trained
    generator's weights (float32, in the same order); one that turns it off drops it."""
    data = {k: v for k, v in read_npz(path).items() if not k.startswith("ema/")}
    if on:
        for key in sorted(k for k in data if k.startswith("g/")):
            data["ema/" + key[2:]] = data[key].astype(np.float32)
    write_npz(path, data)


def raw_generator(model_dir: Path):
    """The trained (not averaged) generator of a model folder, from its training state, as
    a float32 model: with EMA on, generator.keras holds the average instead. Training never
    reads the average, so this is exactly the generator the same run without EMA gives."""
    from gan_core.models import build_gan_pair

    cfg = load_config(model_dir)
    path = Path(model_dir) / STATE_FILE
    arrays = saved_generator_weights(path)
    generator, _ = build_gan_pair(cfg.latent_dim, cfg.conditional, cfg.activation)
    if len(arrays) != len(generator.weights):
        raise TrainingError(
            f"{path}: {len(arrays)} generator tensors, expected {len(generator.weights)}"
        )
    generator.set_weights([a.astype(np.float32) for a in arrays])
    return generator
