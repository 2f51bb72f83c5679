#!/usr/bin/env bash
# Move a model retrained in a staging folder over the bundled one, once it is evaluated.
#   usage: scripts/promote.sh [--without-state] ID [STAGING]   (default STAGING: runs/retrain)
# --without-state leaves train_state.npz (~20 MB) out: the model serves, replays and
# evaluates as before but cannot be resumed (for finished fixed-budget runs such as the
# activation variants, which keeps the repository lean). DEST (default checkpoints) is the
# folder promoted into.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${DEST:-checkpoints}
state=train_state.npz
if [ "${1:-}" = "--without-state" ]; then state=; shift; fi
id=${1:?usage: scripts/promote.sh [--without-state] ID [STAGING]}
src=${2:-runs/retrain}/$id
files=(generator.keras discriminator.keras config.json metrics.json $state)
for f in "${files[@]}"; do
  [ -f "$src/$f" ] || { echo "error: $src/$f is missing (train and evaluate it first)" >&2; exit 2; }
done
[ -d "$src/history" ] || { echo "error: $src/history is missing (train it first)" >&2; exit 2; }
rm -rf "$dest/$id.new"
mkdir -p "$dest/$id.new"
for f in "${files[@]}" history; do cp -r "$src/$f" "$dest/$id.new/"; done
rm -rf "$dest/$id.old"
[ -d "$dest/$id" ] && mv "$dest/$id" "$dest/$id.old"
mv "$dest/$id.new" "$dest/$id"
rm -rf "$dest/$id.old"
note=${state:+ with its training state}
echo "promoted $src -> $dest/$id${note:- without its training state}"
