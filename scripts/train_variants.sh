#!/usr/bin/env bash
# Train the activation-function variants of the 3D GAN with one budget (latent dim 3,
# batch 128, mixed_bfloat16, seed 0, EPOCHS epochs), then evaluate each. gan-3d-leaky is
# gan-3d as it was at epoch 10 (gan-3d itself trains on). Safe to kill and rerun: each
# model resumes from its last epoch.
#   usage: scripts/train_variants.sh [EPOCHS]   (default: 10)
set -euo pipefail
cd "$(dirname "$0")/.."
GX=${GX:-.venv/bin/gan-explorer}
epochs=${1:-10}
variants=(relu:relu prelu:prelu elu:elu leaky:leaky_relu)  # id suffix:activation
for v in "${variants[@]}"; do
  id="gan-3d-${v%%:*}" act="${v#*:}"
  if [ -f "checkpoints/$id/train_state.npz" ]; then
    "$GX" train "$id" --resume --epochs "$epochs" --quiet
  else
    "$GX" train "$id" --epochs "$epochs" --latent-dim 3 --activation "$act" \
      --batch-size 128 --precision mixed_bfloat16 --seed 0 --quiet
  fi
done
for v in "${variants[@]}"; do
  id="gan-3d-${v%%:*}"
  [ -f "checkpoints/$id/metrics.json" ] || "$GX" evaluate "$id"
done
