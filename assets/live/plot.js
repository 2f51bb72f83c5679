/* What the page lays over the server's Plotly figures while a point is dragged (rings,
 * a path, a cube's slices: a CSS move or a canvas, no Plotly redraw per step), and the
 * figure updates it makes itself (a 4D cube swapped for w's). */
import {DIGITS, DIGIT_COLORS, classText, escaped, lookOf} from "./colours.js";
import {FACES} from "./geometry.js";
import {signed} from "./format.js";

/* The Plotly graph inside the element ``id`` (null if there is none). */
export function plotIn(id) {
  const box = id ? document.getElementById(id) : null;
  return box ? box.querySelector(".js-plotly-plot") : null;
}

/* Hide a figure's own marker once while the page moves its ring; a redraw by the server
 * (the committed point) shows it again and takes the rings away. */
export function hideOnce(gd, hide) {
  if (gd.__liveHidden) { return; }
  gd.__liveHidden = true;
  hide();
  if (!gd.__liveListening && gd.on) {
    gd.__liveListening = true;
    gd.on("plotly_afterplot", () => {
      const shown = (gd.layout.shapes && gd.layout.shapes.length) ||
        (gd.data.length === 6 && gd.data[1].x && gd.data[1].x.length);
      if (shown) {
        gd.__liveHidden = false;
        gd.querySelectorAll(".live-ring, .live-path, .live-slice").forEach((r) => { r.style.display = "none"; });
      }
    });
  }
}

/* A ring at (x, y) of the axes ``xName``, ``yName``. */
export function placeRing(gd, key, xName, yName, x, y) {
  const xa = gd._fullLayout[xName], ya = gd._fullLayout[yName];
  if (!xa || !ya || !xa.l2p || !ya.l2p) { return; }
  let ring = gd.querySelector(".live-ring[data-key='" + key + "']");
  if (!ring) {
    ring = document.createElement("div");
    ring.className = "live-ring";
    ring.dataset.key = key;
    gd.appendChild(ring);
  }
  ring.style.transform = "translate(" + (xa._offset + xa.l2p(x)) + "px, " +
    (ya._offset + ya.l2p(y)) + "px)";
  ring.style.display = "block";
}

/* A path as a line with one dot per frame (coloured by its class), over a 2D map. */
export function placePath(gd, latents, classes, palette = DIGIT_COLORS) {
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  if (!xa || !ya || !xa.l2p || !ya.l2p) { return; }
  let canvas = gd.querySelector("canvas.live-path");
  if (!canvas) {
    canvas = document.createElement("canvas");
    canvas.className = "live-path";
    gd.appendChild(canvas);
  }
  const w = gd._fullLayout.width, h = gd._fullLayout.height;
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, w, h);
  const px = (p) => [xa._offset + xa.l2p(p[0]), ya._offset + ya.l2p(p[1])];
  ctx.strokeStyle = "#222";
  ctx.lineWidth = 2;
  ctx.beginPath();
  latents.forEach((p, i) => { const [x, y] = px(p); if (i) { ctx.lineTo(x, y); } else { ctx.moveTo(x, y); } });
  ctx.stroke();
  latents.forEach((p, i) => {
    const [x, y] = px(p);
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.fillStyle = palette[classes[i]];
    ctx.fill();
    ctx.strokeStyle = "#222";
    ctx.lineWidth = 1;
    ctx.stroke();
  });
  canvas.style.display = "block";
}

/* The projections' slices painted over their three faces (canvases laid over the
 * heatmaps: a Plotly redraw of them costs ~40 ms a step here), hidden again when the
 * server's figure comes (see hideOnce). ``slices``: [row][col] per face, coloured by
 * ``palette``. */
export function placeSlices(gd, data, slices, palette = DIGIT_COLORS) {
  const n = data.n, m = 2 * (n - 1);  // half cells: the edge cells are cut at -1 and 1
  FACES.forEach((_face, k) => {
    const suffix = k ? String(k + 1) : "";
    const xa = gd._fullLayout["xaxis" + suffix], ya = gd._fullLayout["yaxis" + suffix];
    if (!xa || !ya || !xa.l2p || !ya.l2p) { return; }
    let canvas = gd.querySelector("canvas.live-slice[data-face='" + k + "']");
    if (!canvas) {
      canvas = document.createElement("canvas");
      canvas.className = "live-slice";
      canvas.dataset.face = String(k);
      gd.appendChild(canvas);
    }
    if (canvas.width !== m) { canvas.width = canvas.height = m; }
    const left = xa._offset + xa.l2p(-1), right = xa._offset + xa.l2p(1);
    const top = ya._offset + ya.l2p(1), bottom = ya._offset + ya.l2p(-1);
    Object.assign(canvas.style, {left: left + "px", top: top + "px", width: (right - left) + "px",
                                 height: (bottom - top) + "px", display: "block"});
    const ctx = canvas.getContext("2d"), z = slices[k];
    for (let r = 0; r < n; r++) {  // row r holds the row axis' r-th value, upwards
      const y0 = Math.max(0, m - 2 * r - 1), y1 = Math.min(m, m - 2 * r + 1);
      for (let c = 0; c < n; c++) {
        const x0 = Math.max(0, 2 * c - 1), x1 = Math.min(m, 2 * c + 1);
        ctx.fillStyle = palette[z[r][c]];
        ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      }
    }
    canvas.slices = z;
  });
}

/* One trace per class of a cube's points, the slice and the classes of ``meta`` only
 * (dashboard.figures.cube_figure draws them the same way), named and coloured by ``look``. */
export function cubeTraces(data, cube, meta, look = DIGITS) {
  const n = data.n, [xs, ys, zs] = data.axes;
  const sliced = meta.slice_axis === null || meta.slice_axis === undefined ? null : meta.slice_axis;
  const only = Array.isArray(meta.only) ? meta.only : null;
  const per = Array.from({length: look.names.length}, () => ({x: [], y: [], z: []}));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        if (sliced !== null && [i, j, k][sliced] !== meta.slice_index) { continue; }
        const d = cube.classes[(i * n + j) * n + k];
        if (!per[d] || (only && !only.includes(d))) { continue; }
        per[d].x.push(xs[i]);
        per[d].y.push(ys[j]);
        per[d].z.push(zs[k]);
      }
    }
  }
  const traces = [];
  per.forEach((p, d) => {
    if (!p.x.length) { return; }
    traces.push({type: "scatter3d", ...p, mode: "markers", name: escaped(look.names[d]),
                 marker: {size: sliced !== null ? 6 : 4, color: look.palette[d],
                          opacity: sliced !== null ? 0.9 : 0.45},
                 hovertemplate: escaped(classText(look, d)) +
                   "<br>(%{x:.2f}, %{y:.2f}, %{z:.2f})<extra></extra>"});
  });
  return traces;
}

/* Swap a 4D view's cube for the one nearest the point's w, in the page: the view's
 * figure (a Dash prop) is redrawn from the server's as it would draw it (its layout.meta
 * says which cube, slice and classes), and its ``shown`` store tells the server it need
 * not redraw it when the point is let go. A morph's path moves with it. ``ids``: the
 * page's (its view's ``map`` box, ``figure`` and ``shown``). */
export function swapCube(ids, manifest, data, cube, z, label, path = null) {
  const gd = plotIn(ids.map);
  const meta = gd && gd.layout && gd.layout.meta;
  if (!meta || typeof meta.w_index !== "number" || meta.w_index === cube.index || !gd.data) { return; }
  if (gd.__liveSwap && gd.__liveSwap.index === cube.index && gd.__liveSwap.layout === gd.layout) {
    return;  // on its way to Plotly
  }
  const look = lookOf(manifest);
  const marker = {...gd.data[0], x: [z[0]], y: [z[1]], z: [z[2]]};
  let lines = meta.path ? gd.data.slice(1, 3) : [];
  if (meta.path && path && lines.length === 2) {
    const axis = (k) => path.latents.map((p) => p[k]);
    const at = {x: axis(0), y: axis(1), z: axis(2)};
    lines = [{...lines[0], ...at},
             {...lines[1], ...at, marker: {...lines[1].marker,
                                           color: path.classes.map((c) => look.palette[c])}}];
  }
  const title = meta.title.replace("{w}", signed(cube.w));
  const layout = {...gd.layout, meta: {...meta, w_index: cube.index},
                  title: {...(gd.layout.title || {}), text: title}};
  gd.__liveSwap = {index: cube.index, layout: gd.layout};
  const set = window.dash_clientside.set_props;
  set(ids.figure, {figure: {data: [marker, ...lines, ...cubeTraces(data, cube, meta, look)], layout}});
  set(ids.shown, {data: {model: manifest.model, w_index: cube.index,
                         label: manifest.conditional ? label : null}});
}
