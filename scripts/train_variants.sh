#!/usr/bin/env bash
# Train the activation-function variants of the 3D GAN with one shared budget (latent dim 3,
# the training recipe's defaults, batch 64, seed 0, EPOCHS epochs), then evaluate each.
# Safe to kill and rerun: each model resumes from its last epoch.
#   usage: [ROOT=DIR] scripts/train_variants.sh [EPOCHS]   (default: 6, the bundled budget)
# ROOT (default checkpoints): retrain from scratch into a staging folder (runs/retrain)
# and move the variants over with `scripts/promote.sh --without-state ID` once all four
# are evaluated.
set -euo pipefail
cd "$(dirname "$0")/.."
GX=${GX:-.venv/bin/gan-explorer}
ROOT=${ROOT:-checkpoints}
epochs=${1:-6}
mkdir -p "$ROOT"
[ -d "$ROOT/classifier" ] || cp -r checkpoints/classifier "$ROOT/"
variants=(relu:relu prelu:prelu elu:elu leaky:leaky_relu)  # id suffix:activation
for v in "${variants[@]}"; do
  id="gan-3d-${v%%:*}" act="${v#*:}"
  if [ -f "$ROOT/$id/generator.keras" ] && [ ! -f "$ROOT/$id/train_state.npz" ]; then
    echo "$id: kept as it is (bundled without its training state; retrain with ROOT=runs/retrain)"
  elif [ -f "$ROOT/$id/train_state.npz" ]; then
    "$GX" --checkpoints "$ROOT" train "$id" --resume --epochs "$epochs" --quiet
  else
    "$GX" --checkpoints "$ROOT" train "$id" --epochs "$epochs" --latent-dim 3 \
      --activation "$act" --seed 0 --quiet
  fi
done
for v in "${variants[@]}"; do
  id="gan-3d-${v%%:*}"
  "$GX" --checkpoints "$ROOT" evaluate "$id" >/dev/null
done
