/* The morph: dragging A or B (or changing the label, the frames, the interpolation or
 * the waypoints) recomputes every frame of the path in the page and draws the strip, the
 * crossed areas and, on a 2D map, A's marker and the path; the server follows on release
 * (the animation, the downloads, a 3D cube's path). */
import {FACES, argmax, crossedAreas, cubeAt, interpolatePath, slicesThrough} from "./geometry.js";
import {hideOnce, placePath, placeRing, plotIn, swapCube} from "./plot.js";
import {byId, onSlice, toSlice} from "./sliders.js";
import {drawStrip} from "./drawing.js";
import {signed} from "./format.js";
import {Live} from "./point.js";
import {settingsFor} from "./store.js";

export class MorphLive extends Live {
  constructor(root, manifest) {
    super(root, manifest);
    this.boxes = {a: this.ids.a_sliders, b: this.ids.b_sliders, label: this.ids.label};
  }

  lift(values) {  // the path's settings join the sliders' points
    return {...super.lift(values), ...(settingsFor[this.root] || {})};
  }

  valid(values) {
    const d = this.manifest.latent_dim;
    return [values.a, values.b].every((p) => p.length === d && p.every((v) => isFinite(v)));
  }

  buildCanvases() { /* the strip's canvas is in the page's layout */ }

  statusText() {  // (no run yet while a plane's sliders are still coming)
    const ms = this.last ? ", " + this.last.ms.toFixed(0) + " ms for " + this.last.frames : "";
    return "Frames drawn in the page as you drag (ONNX Runtime Web" + ms +
      "); the server follows when you let go.";
  }

  async step(values, marker) {
    const started = performance.now();
    // above 4-D the waypoints, like A and B, are slice coordinates on the page's plane
    const plane = values.a_t ? this.plane : null;
    const lift = (p) => (plane ? onSlice(plane, p) : p);
    const width = plane ? plane.basis.length : values.a.length;
    const via = (values.via || []).filter((p) => p && p.length === width).slice(0, 8).map(lift);
    const frames = Math.max(8, Math.min(64, Math.round(values.frames) || 24));
    const mode = values.mode === "slerp" ? "slerp" : "linear";
    const latents = interpolatePath([values.a, ...via, values.b], frames, mode);
    const images = [], probs = [];
    for (const z of latents) {
      const out = await this.infer(z, values.label);
      images.push(out.image.data.slice());
      probs.push(out.probs.data.slice());
    }
    const classes = probs.map(argmax);
    const inferred = performance.now();
    drawStrip(byId(this.ids.strip), images, classes, this.look);
    const seq = byId(this.ids.sequence);
    if (seq) {
      seq.textContent = "Crossed areas: " +
        crossedAreas(classes).map((c) => this.look.names[c]).join(" → ");
    }
    // the map shows the plane's coordinates: the path drawn is its projection on it
    const shown = plane ? latents.map((z) => toSlice(plane, z)) : latents;
    if (marker) { this.movePath(values.a_t || values.a, shown, classes, values.label); }
    this.timed(values, started, inferred, {frames});
    this.last = {a: values.a.slice(), b: values.b.slice(), label: values.label, frames,
                 ms: performance.now() - started, latents, classes, probs, via, shown,
                 mode, only: !!values.only, source: values.source,
                 get images() { return images.map((im) => Array.from(im)); }};
    this._images = images;
    this.runs += 1;
  }

  /* The page computed the morph: it writes what the server's morph would (the stored
   * morph for the animation and downloads, the path and mask of the latent view). */
  commit(last) {
    const round = (v, d) => Math.round(v * 10 ** d) / 10 ** d;
    const n = last.latents.length;
    const seq = crossedAreas(last.classes);
    const crossings = [];
    for (let i = 1; i < n; i++) {
      if (last.classes[i] !== last.classes[i - 1]) {
        crossings.push({from: last.classes[i - 1], to: last.classes[i], frame: i,
                        t: round(i / (n - 1), 4)});
      }
    }
    const latents = last.latents.map((p) => p.map((v) => round(v, 4)));
    const images = this._images.map((im) => frameValues(im, this.look));
    const set = window.dash_clientside.set_props;
    set(this.ids.result, {data: {
      images, classes: last.classes, model: this.manifest.model,
      label: this.manifest.conditional ? last.label : null, mode: last.mode,
      points: [last.a, ...last.via, last.b], latents,
      probabilities: last.probs.map((p) => Array.from(p, (v) => round(v, 4))),
      sequence: seq, crossings, class_names: this.look.names, noun: this.look.noun}});
    set(this.ids.scrub, {max: n - 1});
    const onMap = last.shown.map((p) => p.map((v) => round(v, 4)));
    set(this.ids.path, {data: {latents: onMap, classes: last.classes}});
    const mask = last.only ? [...new Set(seq)].sort((x, y) => x - y) : null;
    if (JSON.stringify(mask) !== JSON.stringify(this.mask === undefined ? null : this.mask)) {
      this.mask = mask;
      set(this.ids.mask, {data: mask});
    }
  }

  /* The slices through point ``name`` ("a" or "b") cut from its cube, drawn into the
   * server's figure of them (a Dash prop, so nothing is lost when Dash redraws it); false
   * when the page cannot (no figure to redraw yet, the cube not here). */
  drawSlices(name, p, label) {
    const id = this.ids["proj_" + name];
    const gd = plotIn(id);
    const data = this.cubeData(label);
    const cube = data && cubeAt(data, p);
    if (!cube || !gd || !gd.data || gd.data.length !== 6 || !gd.layout) { return false; }
    const key = JSON.stringify([p, cube.index, this.manifest.model, label]);
    const sent = (this.sentSlices = this.sentSlices || {})[id];
    const meta = gd.layout.meta || {};
    if (meta.live === key || (sent && sent.key === key && sent.layout === gd.layout)) {
      return true;  // drawn, or on its way to Plotly
    }
    const slices = slicesThrough(data, cube, p);
    const traces = gd.data.map((t, k) => {
      const [, a, b] = FACES[k >> 1];
      return k % 2 === 0 ? {...t, z: slices[k >> 1]} : {...t, x: [p[a]], y: [p[b]]};
    });
    const text = "Point " + name.toUpperCase() + " = (" + p.map(signed).join(", ") + ")";
    const layout = {...gd.layout, title: {...(gd.layout.title || {}), text},
                    meta: {...meta, live: key}};
    this.sentSlices[id] = {key, layout: gd.layout};
    window.dash_clientside.set_props(id, {figure: {data: traces, layout}});
    return true;
  }

  /* A's ring and the path, laid over a 2D map (Plotly's own hidden until the server has
   * them); a cube's path follows on release (a 4D cube is swapped for A's w at once). */
  movePath(a, latents, classes, label) {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      const data = this.cubeData(label);
      for (const [name, p] of [["a", a], ["b", latents[latents.length - 1]]]) {
        this.drawSlices(name, p, label);
      }
      if (a.length === 4 && data) {
        const cube = cubeAt(data, a);
        if (cube) { swapCube(this.ids, this.manifest, data, cube, a, label, {latents, classes}); }
      }
      const gd = plotIn(this.ids.map);
      if (!gd || !gd._fullLayout || a.length !== 2 || !gd.data) { return; }
      const n = gd.data.length;
      hideOnce(gd, () => {
        window.Plotly.relayout(gd, {shapes: []});
        if (n >= 3) { window.Plotly.restyle(gd, {x: [[], []], y: [[], []]}, [n - 2, n - 1]); }
      });
      placeRing(gd, "map", "xaxis", "yaxis", a[0], a[1]);
      placePath(gd, latents, classes, this.look.palette);
    });
  }
}

/* One frame as the server's morph record holds it (figures.image_values, 3 decimals): a
 * grey image as [row][col], a colour one as [row][col][channel]. */
export function frameValues(im, look) {
  const {height: H, width: W, channels: C} = look;
  const round = (v) => Math.round(v * 1000) / 1000;
  return Array.from({length: H}, (_, r) => Array.from({length: W}, (_, c) => {
    const at = (r * W + c) * C;
    return C === 1 ? round(im[at]) : Array.from(im.subarray(at, at + C), round);
  }));
}
