/* The latent-space arithmetic the page does itself, as the server does it (pure functions,
 * no DOM): paths (gan_core.interpolation), the class cubes' lookups (gan_core.latent,
 * dashboard.figures). tests/integration/test_live_geometry.py compares them with Python. */

export function argmax(p) {
  let k = 0;
  for (let i = 1; i < p.length; i++) { if (p[i] > p[k]) { k = i; } }
  return k;
}

/* The class areas a path crosses, in order (gan_core.interpolation.crossed_areas). */
export function crossedAreas(classes) {
  return classes.filter((c, i) => i === 0 || c !== classes[i - 1]);
}

/* ``frames`` points along the path through ``points``, frames spread over the segments
 * in proportion to their length (gan_core.interpolation.interpolate_path). */
export function interpolatePath(points, frames, mode) {
  const d = points[0].length, n = points.length;
  const lengths = [];
  for (let i = 0; i < n - 1; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) { s += (points[i + 1][k] - points[i][k]) ** 2; }
    lengths.push(Math.sqrt(s));
  }
  const total = lengths.reduce((x, y) => x + y, 0);
  if (total === 0) { return Array.from({length: frames}, () => points[0].slice()); }
  const cum = [0];
  lengths.forEach((l) => cum.push(cum[cum.length - 1] + l));
  for (let i = 0; i < cum.length; i++) { cum[i] /= total; }
  const out = [];
  for (let i = 0; i < frames; i++) {
    const t = frames === 1 ? 0 : i / (frames - 1);
    let right = 0;
    while (right < cum.length && cum[right] <= t) { right += 1; }
    const seg = Math.min(right - 1, n - 2);
    const span = cum[seg + 1] - cum[seg];
    const local = span === 0 ? 0 : (t - cum[seg]) / span;
    const a = points[seg], b = points[seg + 1];
    out.push(mode === "slerp" ? slerp(a, b, local) : a.map((v, k) => v + local * (b[k] - v)));
  }
  out[0] = points[0].slice();
  out[frames - 1] = points[n - 1].slice();
  return out;
}

/* Spherical interpolation (gan_core.interpolation._slerp): linear where it is undefined. */
export function slerp(a, b, t) {
  const norm = (p) => Math.sqrt(p.reduce((s, v) => s + v * v, 0));
  const na = norm(a), nb = norm(b);
  const linear = () => a.map((v, k) => v + t * (b[k] - v));
  if (na < 1e-8 || nb < 1e-8) { return linear(); }
  const cos = Math.max(-1, Math.min(1, a.reduce((s, v, k) => s + (v / na) * (b[k] / nb), 0)));
  const omega = Math.acos(cos);
  if (omega < 1e-4 || Math.PI - omega < 1e-4) { return linear(); }
  const so = Math.sin(omega), wa = Math.sin((1 - t) * omega) / so, wb = Math.sin(t * omega) / so;
  return a.map((v, k) => wa * v + wb * b[k]);
}

/* The index of the grid value nearest ``v`` (gan_core.latent.nearest_index). */
export function nearest(values, v) {
  let k = 0;
  for (let i = 1; i < values.length; i++) {
    if (Math.abs(values[i] - v) < Math.abs(values[k] - v)) { k = i; }
  }
  return k;
}

/* The cube a point is in: 3D the one cube, 4D the one nearest its w (snap_fourth).
 * ``data``: {n, axes, w, cubes: {index: classes}} (see cubes.js). */
export function cubeAt(data, p) {
  const index = data.w ? nearest(data.w, p[3]) : 0;
  const classes = data.cubes[String(index)];
  return classes ? {index, classes, w: data.w ? data.w[index] : null} : null;
}

/* The (xy, xz, yz) faces: [the axis held at the point, the column axis, the row axis]
 * (dashboard.figures.PROJECTIONS). */
export const FACES = [[2, 0, 1], [1, 0, 2], [0, 1, 2]];

/* The cube's grid index nearest the point along x, y and z (dashboard.figures.slice_indices). */
export function sliceIndices(data, p) {
  return [0, 1, 2].map((k) => nearest(data.axes[k], p[k]));
}

/* The cube's slices through the grid value nearest the point, [row][col] as
 * dashboard.figures.projection_slices gives them. */
export function slicesThrough(data, cube, p) {
  const n = data.n, at = sliceIndices(data, p);
  return FACES.map(([axis, a, b]) => Array.from({length: n}, (_, r) =>
    Array.from({length: n}, (_, c) => {
      const ijk = [0, 0, 0];
      ijk[axis] = at[axis];
      ijk[a] = c;
      ijk[b] = r;
      return cube.classes[(ijk[0] * n + ijk[1]) * n + ijk[2]];
    })));
}

/* A layer's output as a 2D map (gan_core.activations.mean_heatmap): the mean over
 * channels of (H, W, C); a vector of up to 16 units as one row, a longer one as a
 * near-square with its unused cells blank (NaN). */
export const SHORT_VECTOR = 16;

export function meanMap(data, shape) {
  if (shape.length === 3) {
    const [H, W, C] = shape, out = new Float32Array(H * W);
    for (let p = 0; p < H * W; p++) {
      let s = 0;
      for (let c = 0; c < C; c++) { s += data[p * C + c]; }
      out[p] = s / C;
    }
    return {values: out, rows: H, cols: W};
  }
  if (data.length <= SHORT_VECTOR) {
    return {values: Float32Array.from(data), rows: 1, cols: data.length};
  }
  const side = Math.ceil(Math.sqrt(data.length)), out = new Float32Array(side * side).fill(NaN);
  out.set(data);
  return {values: out, rows: side, cols: side};
}
