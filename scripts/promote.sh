#!/usr/bin/env bash
# Move a model retrained in a staging folder over the bundled one, once it is evaluated.
#   usage: scripts/promote.sh ID [STAGING]   (default STAGING: runs/retrain)
set -euo pipefail
cd "$(dirname "$0")/.."
id=${1:?usage: scripts/promote.sh ID [STAGING]}
src=${2:-runs/retrain}/$id
for f in generator.keras discriminator.keras config.json metrics.json train_state.npz; do
  [ -f "$src/$f" ] || { echo "error: $src/$f is missing (train and evaluate it first)" >&2; exit 2; }
done
rm -rf "checkpoints/$id.new"
mkdir -p "checkpoints/$id.new"
cp -r "$src"/generator.keras "$src"/discriminator.keras "$src"/config.json "$src"/metrics.json \
  "$src"/train_state.npz "$src"/history "checkpoints/$id.new/"
rm -rf "checkpoints/$id.old"
[ -d "checkpoints/$id" ] && mv "checkpoints/$id" "checkpoints/$id.old"
mv "checkpoints/$id.new" "checkpoints/$id"
rm -rf "checkpoints/$id.old"
echo "promoted $src -> checkpoints/$id"
