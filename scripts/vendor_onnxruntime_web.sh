#!/usr/bin/env bash
# Refresh the vendored ONNX Runtime Web files (the generator runs in the page with them)
# from the pinned npm package, and check them.
#   scripts/vendor_onnxruntime_web.sh          fetch the pinned version, verify, copy, hash
#   scripts/vendor_onnxruntime_web.sh --check  only verify the vendored files' hashes
# Nothing is fetched at run time: the app serves these files from assets/.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.30.0
# npm's integrity of onnxruntime-web-$VERSION.tgz (npm view onnxruntime-web@$VERSION dist.integrity)
INTEGRITY="sha512-q0y+JrrtukXSzsBWEMccVfqX25LRmosXHF+CaRJmg8pZClzcV7svNc4rKY3jL02Vb7QmRMDs1SigqR4CXAfKYQ=="
DEST=assets/vendor/onnxruntime-web
FILES=(ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm)

if [ "${1:-}" = "--check" ]; then
  (cd "$DEST" && sha256sum --check --quiet SHA256SUMS)
  echo "vendored onnxruntime-web $(cat "$DEST/VERSION") files match SHA256SUMS"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "onnxruntime-web@$VERSION" --silent >/dev/null)
tgz="$work/onnxruntime-web-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "integrity mismatch for onnxruntime-web@$VERSION: $got" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$work"
mkdir -p "$DEST"
for f in "${FILES[@]}"; do cp "$work/package/dist/$f" "$DEST/$f"; done
cp "$work/package/package.json" "$DEST/package.json"  # its version and licence (MIT)
echo "$VERSION" >"$DEST/VERSION"
(cd "$DEST" && sha256sum "${FILES[@]}" package.json >SHA256SUMS)
echo "vendored onnxruntime-web $VERSION into $DEST"
