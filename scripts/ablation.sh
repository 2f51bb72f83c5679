#!/usr/bin/env bash
# The recipe ablation: gan-2d at one fixed budget (same epochs, seed and data), each
# technique switched off in turn from the full recipe, plus the study's plain loop.
# Models go to runs/ablation/<name> (not committed); each is evaluated when it is done.
# Safe to kill and rerun: a finished run is skipped, an interrupted one resumes.
#   usage: scripts/ablation.sh [EPOCHS] [NAMES...]
set -euo pipefail
cd "$(dirname "$0")/.."
GX=${GX:-.venv/bin/gan-explorer}
EPOCHS=${1:-4}
shift || true
ROOT=runs/ablation
mkdir -p "$ROOT"
[ -d "$ROOT/classifier" ] || cp -r checkpoints/classifier "$ROOT/"

declare -A ARGS=(
  [plain]="--plain --batch-size 128"
  # "full" is the recipe as it was ablated, before the D input curve (now on by default)
  [full]="--d-input-gain 0"
  [no-ema]="--d-input-gain 0 --ema-half-life 0"
  [no-ttur-decay]="--d-input-gain 0 --g-lr 2e-4 --d-lr 2e-4 --lr-decay 0"
  [batch-128]="--d-input-gain 0 --batch-size 128"
  [no-r1]="--d-input-gain 0 --r1-gamma 0"
  # the D input curve alone, as it was measured (before the linear share existed)
  [d-log]="--d-input-gain 15 --d-input-linear 0"
  [d-log-100]="--d-input-gain 100 --d-input-linear 0"
  [d-log-1000]="--d-input-gain 1000 --d-input-linear 0"
  # today's defaults (D's curve mixed half with the linear view), and against them a ten
  # times stronger R1 (the rows of retired options: docs/results.md)
  [defaults]=""
  [r1-0.1]="--r1-gamma 0.1"
  # D's curve far steeper, where the haze fell with the gain (15, 100, 1000): grey level 1
  # shown as 52% grey at g = 1e5 and 66% at g = 1e7 (23% at 1000), alone and mixed with
  # the linear view
  [d-log-1e5]="--d-input-gain 1e5 --d-input-linear 0"
  [d-log-1e7]="--d-input-gain 1e7 --d-input-linear 0"
  [d-1e7-linear-0.5]="--d-input-gain 1e7 --d-input-linear 0.5"
  [d-1e7-linear-0.75]="--d-input-gain 1e7 --d-input-linear 0.75"
)
names=("${@:-plain full no-ema no-ttur-decay batch-128 no-r1}")
read -r -a names <<<"${names[*]}"

for name in "${names[@]}"; do
  dir="$ROOT/$name"
  if [ -f "$dir/metrics.json" ] && grep -q "\"epochs_trained\": $EPOCHS" "$dir/metrics.json"; then
    continue
  fi
  if [ -f "$dir/train_state.npz" ]; then
    "$GX" --checkpoints "$ROOT" train "$name" --resume --epochs "$EPOCHS" --quiet
  else
    # shellcheck disable=SC2086
    "$GX" --checkpoints "$ROOT" train "$name" --latent-dim 2 --epochs "$EPOCHS" --seed 0 \
      --quiet ${ARGS[$name]}
  fi
  "$GX" --checkpoints "$ROOT" evaluate "$name" >"$dir/evaluate.log"
done
