#!/usr/bin/env bash
# Train the activation-function variants of the 3D GAN with the same budget as gan-3d
# (latent dim 3, batch 128, mixed_bfloat16, seed 0, EPOCHS epochs), then evaluate each.
# leaky_relu is gan-3d itself. Safe to kill and rerun: each model resumes from its last epoch.
#   usage: scripts/train_variants.sh [EPOCHS]   (default: 10)
set -euo pipefail
cd "$(dirname "$0")/.."
GX=${GX:-.venv/bin/gan-explorer}
epochs=${1:-10}
for act in relu prelu elu; do
  id="gan-3d-$act"
  if [ -f "checkpoints/$id/train_state.npz" ]; then
    "$GX" train "$id" --resume --epochs "$epochs" --quiet
  else
    "$GX" train "$id" --epochs "$epochs" --latent-dim 3 --activation "$act" \
      --batch-size 128 --precision mixed_bfloat16 --seed 0 --quiet
  fi
done
for act in relu prelu elu; do
  id="gan-3d-$act"
  [ -f "checkpoints/$id/metrics.json" ] || "$GX" evaluate "$id"
done
