/* The class cubes of a 3D/4D model for a label, from the server's cache
 * (GET /class-cubes, dashboard/live.py): {n, axes, w, cubes: {index: Uint8Array}, missing}
 * or null until fetched. Cubes still being computed are asked for again a little later. */

const CUBES_URL = "/class-cubes";
const cubeStore = new Map();  // "model|label" -> {data, at, busy}

export function cubesFor(model, label) {
  const key = model + "|" + label;
  let entry = cubeStore.get(key);
  if (!entry) { entry = {data: null, at: -Infinity, busy: false}; cubeStore.set(key, entry); }
  const complete = entry.data && !entry.data.missing.length;
  if (!complete && !entry.busy && performance.now() - entry.at > 2000) {
    entry.busy = true;
    const url = CUBES_URL + "?model=" + encodeURIComponent(model) +
      (label === null || label === undefined ? "" : "&label=" + encodeURIComponent(label));
    fetch(url)
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => { if (body && body.cubes) { entry.data = decodeCubes(body); } })
      .catch(() => { /* the server path keeps the cubes */ })
      .finally(() => { entry.busy = false; entry.at = performance.now(); });
  }
  return entry.data;
}

/* The server's cubes (one character per point, C order: "0" + class, so "0".."9" and, for
 * classes 10..19, ":".."C"; dashboard.live.encode_classes) as numbers. */
export function decodeCubes(body) {
  const cubes = {};
  for (const [index, text] of Object.entries(body.cubes)) {
    const classes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) { classes[i] = text.charCodeAt(i) - 48; }
    cubes[index] = classes;
  }
  return {...body, cubes};
}
