/* The model helper: ONNX Runtime Web (assets/vendor/onnxruntime-web, vendored by
 * scripts/vendor_onnxruntime_web.sh), loaded on first use, and the generator's graph as
 * gan_core/browser_model.py exports it (inputs z [, label], keep_L / set_L per shown layer;
 * outputs image, probs, act_L). */

const ORT_DIR = new URL("../vendor/onnxruntime-web/", import.meta.url).href;
let ortPromise = null;
const sessions = new Map(); // graph url -> Promise<InferenceSession>

/* The runtime (a classic script of its own, window.ort), loaded once. */
export function loadOrt() {
  if (!ortPromise) {
    ortPromise = new Promise((resolve, reject) => {
      if (window.ort) { resolve(window.ort); return; }
      const s = document.createElement("script");
      s.src = ORT_DIR + "ort.wasm.min.js";
      s.onload = () => {
        window.ort.env.wasm.wasmPaths = ORT_DIR;
        window.ort.env.wasm.numThreads = 1; // two threads were slower here, and need COOP/COEP
        resolve(window.ort);
      };
      s.onerror = () => reject(new Error("the in-page runtime could not be loaded"));
      document.head.appendChild(s);
    });
  }
  return ortPromise;
}

function session(url) {
  if (!sessions.has(url)) {
    sessions.set(url, loadOrt().then((ort) =>
      ort.InferenceSession.create(url, {executionProviders: ["wasm"],
                                        graphOptimizationLevel: "all"})));
  }
  return sessions.get(url);
}

function filled(ort, shape, value) {
  const n = shape.reduce((a, b) => a * b, 1);
  return new ort.Tensor("float32", new Float32Array(n).fill(value), [1, ...shape]);
}

/* One model's graph in the page: ``run`` gives its outputs for a point (and edits). */
export class Model {
  static async load(manifest) {
    const ort = await loadOrt();
    return new Model(ort, await session(manifest.url), manifest);
  }

  constructor(ort, graph, manifest) {
    this.ort = ort;
    this.session = graph;
    this.manifest = manifest;
    this.keep = {};  // nothing edited: every cell kept, none set
    this.put = {};
    for (const layer of manifest.layers) {
      this.keep[layer.name] = filled(ort, layer.shape, 1);
      this.put[layer.name] = filled(ort, layer.shape, 0);
    }
  }

  /* {image, probs, act_L...} for latent point ``z`` (and ``label``), with ``masks`` (see
   * editMasks) or none. */
  async run(z, label, masks = null) {
    const ort = this.ort;
    const feeds = {z: new ort.Tensor("float32", Float32Array.from(z), [1, z.length])};
    if (this.manifest.conditional) {
      feeds.label = new ort.Tensor("int32", Int32Array.from([label]), [1, 1]);
    }
    for (const layer of this.manifest.layers) {
      feeds["keep_" + layer.name] = masks ? masks.keep[layer.name] : this.keep[layer.name];
      feeds["set_" + layer.name] = masks ? masks.put[layer.name] : this.put[layer.name];
    }
    return this.session.run(feeds);
  }

  masks(edits) {
    return editMasks(this.ort, edits, this.manifest.layers);
  }
}

/* The page's edits as the graph's keep/set inputs: an edited cell is kept at 0 and set to
 * the edit's value, the last edit of a cell winning (gan_core.activations.apply_edits).
 * An edit the layer cannot take is left out here; the server says why. */
export function editMasks(ort, edits, layers) {
  const byName = Object.fromEntries(layers.map((l) => [l.name, l]));
  const aliases = {dense_act: "reshape"};
  const keep = {}, put = {};
  let applied = 0;
  for (const l of layers) {
    const n = l.shape.reduce((a, b) => a * b, 1);
    keep[l.name] = new Float32Array(n).fill(1);
    put[l.name] = new Float32Array(n);
  }
  for (const e of edits) {
    const layer = byName[aliases[e.layer] || e.layer];
    const value = Number(e.value);
    if (!layer || !isFinite(value)) { continue; }
    const cells = editCells(e, layer.shape);
    if (!cells) { continue; }
    const [, w, c] = layer.shape.length === 3 ? layer.shape : [1, 1, layer.shape[0]];
    for (const [r, x, k] of cells) {
      const i = (r * w + x) * c + k;
      keep[layer.name][i] = 0;
      put[layer.name][i] = value;
    }
    applied += 1;
  }
  const tensors = {keep: {}, put: {}, applied};
  for (const l of layers) {
    tensors.keep[l.name] = new ort.Tensor("float32", keep[l.name], [1, ...l.shape]);
    tensors.put[l.name] = new ort.Tensor("float32", put[l.name], [1, ...l.shape]);
  }
  return tensors;
}

/* The [row, column, channel] cells an edit covers in a layer of ``shape`` (a vector as one
 * row of one column), or null when the layer cannot take it. */
function editCells(e, shape) {
  const [h, w, c] = shape.length === 3 ? shape : [1, 1, shape[0]];
  const cells = [];
  const ints = (xs) => (Array.isArray(xs) ? xs : []).map(Number);
  const inRange = (xs, n) => xs.every((i) => Number.isInteger(i) && i >= 0 && i < n);
  const idx = ints(e.indices);
  if (e.kind === "rows" && inRange(idx, h)) {
    for (const r of idx) { for (let x = 0; x < w; x++) { for (let k = 0; k < c; k++) { cells.push([r, x, k]); } } }
  } else if (e.kind === "columns" && inRange(idx, w)) {
    for (let r = 0; r < h; r++) { for (const x of idx) { for (let k = 0; k < c; k++) { cells.push([r, x, k]); } } }
  } else if (e.kind === "channels" && inRange(idx, c)) {
    for (let r = 0; r < h; r++) { for (let x = 0; x < w; x++) { for (const k of idx) { cells.push([r, x, k]); } } }
  } else if (e.kind === "region" && Array.isArray(e.region) && e.region.length === 4) {
    const [r0, r1, c0, c1] = e.region.map(Number);
    const chans = idx.length ? idx : Array.from({length: c}, (_, k) => k);
    if (!(0 <= r0 && r0 < r1 && r1 <= h && 0 <= c0 && c0 < c1 && c1 <= w) || !inRange(chans, c)) { return null; }
    for (let r = r0; r < r1; r++) { for (let x = c0; x < c1; x++) { for (const k of chans) { cells.push([r, x, k]); } } }
  } else if (e.kind === "units") {
    const units = (Array.isArray(e.indices) ? e.indices : []).map((u) =>
      (Array.isArray(u) ? u.map(Number) : [0, 0, Number(u)]));
    if (!units.every(([r, x, k]) => inRange([r], h) && inRange([x], w) && inRange([k], c))) { return null; }
    cells.push(...units);
  } else {
    return null;
  }
  return cells;
}
