#!/usr/bin/env bash
# Train (or resume) the four bundled generators round-robin, one stage of epochs at a time,
# so every model improves even if the run is cut short, with the training recipe's
# defaults (see README, "Training recipe"). Safe to kill and rerun: each call resumes from
# the last saved epoch, with the recipe recorded in the model's config.json.
#   usage: [ROOT=DIR] scripts/train_all.sh [STAGE_EPOCHS...]   (default: 20 40 60)
# ROOT (default checkpoints) is the models folder; retrain from scratch into a staging
# folder (ROOT=runs/retrain) and move a model over with scripts/promote.sh once it
# measures better. The last stage is the learning-rate schedule's length: keep it when
# resuming.
set -euo pipefail
cd "$(dirname "$0")/.."
GX=${GX:-.venv/bin/gan-explorer}
ROOT=${ROOT:-checkpoints}
stages=("${@:-20 40 60}")
read -r -a stages <<<"${stages[*]}"
last=${stages[-1]}
mkdir -p "$ROOT"
[ -d "$ROOT/classifier" ] || cp -r checkpoints/classifier "$ROOT/"

train() {  # id, stage epochs, extra args...
  local id=$1 epochs=$2; shift 2
  # Every stage runs under the final budget's schedule, then stops at its own epoch.
  if [ -f "$ROOT/$id/train_state.npz" ]; then
    "$GX" --checkpoints "$ROOT" train "$id" --resume --epochs "$last" --stop-at "$epochs" --quiet
  else
    "$GX" --checkpoints "$ROOT" train "$id" --epochs "$last" --stop-at "$epochs" --quiet "$@"
  fi
}

for target in "${stages[@]}"; do
  train gan-2d "$target" --latent-dim 2
  train cgan-3d "$target" --latent-dim 3 --conditional
  train gan-3d "$target" --latent-dim 3
  train gan-4d "$target" --latent-dim 4
done
for id in gan-2d cgan-3d gan-3d gan-4d; do
  "$GX" --checkpoints "$ROOT" evaluate "$id" >/dev/null
done
