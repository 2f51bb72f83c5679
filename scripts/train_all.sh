#!/usr/bin/env bash
# Train (or resume) the four bundled generators round-robin, one stage of epochs at a time,
# so every model improves even if the run is cut short. Safe to kill and rerun: each call
# resumes from the last saved epoch.
#   usage: scripts/train_all.sh [STAGE_EPOCHS...]   (default: 20 40 80)
set -euo pipefail
cd "$(dirname "$0")/.."
GX=${GX:-.venv/bin/gan-explorer}
COMMON=(--batch-size 128 --precision mixed_bfloat16 --quiet)
stages=("${@:-20 40 80}")
read -r -a stages <<<"${stages[*]}"

train() {  # id, epochs, extra args...
  local id=$1 epochs=$2; shift 2
  if [ -f "checkpoints/$id/train_state.npz" ]; then
    "$GX" train "$id" --resume --epochs "$epochs" --quiet
  else
    "$GX" train "$id" --epochs "$epochs" "${COMMON[@]}" "$@"
  fi
}

for target in "${stages[@]}"; do
  train gan-2d "$target" --latent-dim 2
  train cgan-3d "$target" --latent-dim 3 --conditional
  train gan-3d "$target" --latent-dim 3
  train gan-4d "$target" --latent-dim 4
done
