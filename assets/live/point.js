/* One page's live drawing (the explorer's, and the base of the others): the sliders it
 * watches, the canvases it draws on. A latent slider's drag runs the model here and draws
 * the image, the probabilities, the activation heatmaps and the map marker, with no
 * request to the server per step (the sliders report to Dash only when released). Any
 * image shape and class count: ``this.look`` (colours.js lookOf) from the manifest. The
 * image layer's canvas of a colour model shows the RGB image itself (a mean over its
 * three channels would lose the colours); every other layer, the mean over channels.
 * ``manifest.ids``: the page's element ids, from the server (dashboard/live.py page_ids). */
import {drawHeatmap, drawImage, drawProbs} from "./drawing.js";
import {argmax, cubeAt, meanMap, sliceIndices, slicesThrough} from "./geometry.js";
import {hideOnce, placeRing, placeSlices, plotIn, swapCube} from "./plot.js";
import {byId, onSlice, readLabel, readPoint, readSlice, sliderGeometry} from "./sliders.js";
import {cubesFor} from "./cubes.js";
import {classText, lookOf} from "./colours.js";
import {Model} from "./runtime.js";
import {keys} from "./store.js";

const SWAP_REST_MS = 150;

/* A latent point as the server writes it (dashboard/slicing.py full_point_text). */
export function fullPointText(z) {
  return z.map((v) => v.toFixed(4)).join(", ");
}  // a dragged 4D cube is swapped once w rests this long

export class Live {
  constructor(root, manifest) {
    this.root = root;          // the page's name, e.g. "explore"
    this.manifest = manifest;
    this.look = lookOf(manifest);  // the image's shape, the class names and colours
    this.ids = manifest.ids || {};
    // which slider box holds what: a latent point (by coordinate) or the CGAN label
    this.boxes = {z: this.ids.sliders, label: this.ids.label};
    this.running = false;
    this.pending = null;       // latest wins: at most one run queued
    this.frame = 0;
    this.runs = 0;
    this.last = null;
  }

  async start() {
    this.model = await Model.load(this.manifest);
    this.buildCanvases();
    this.watch();
    const committed = this.values();  // the committed point: the figures show it
    this.cubeData(committed.label);  // a 3D/4D model's class cubes, fetched once
    this.lastKey = JSON.stringify(committed);
    await this.runNow(committed, false);
    await this.runNow(committed, false);  // the first run warms the runtime up: time the second
    if (this.last && this.last.t) { this.commit(this.last); }  // above 4-D: the whole z
    byId(this.ids.root).classList.add("live-on");
    this.on = true;
  }

  statusText() {  // (no run yet while a plane's sliders are still coming)
    const ms = this.last ? ", " + this.last.ms.toFixed(0) + " ms per step" : "";
    return "Drawn in the page as you drag (ONNX Runtime Web" + ms +
      "); the server follows when you let go.";
  }

  buildCanvases() {
    const box = byId(this.ids.acts);
    if (!box) { return; }
    box.replaceChildren(...this.manifest.layers.map((layer, k) => {
      const cell = document.createElement("figure");
      const canvas = document.createElement("canvas");
      canvas.id = this.ids.act_canvas + k;
      const caption = document.createElement("figcaption");
      caption.textContent = layer.title;
      cell.append(caption, canvas);
      return cell;
    }));
  }

  stop() {
    this.on = false;
    if (this.observer) { this.observer.disconnect(); }
    for (const [kind, fn] of [["pointerdown", this.onDown], ["pointermove", this.onMove],
                              ["pointerup", this.onUp], ["pointercancel", this.onUp],
                              ["keydown", this.onKey]]) {
      if (fn) { document.removeEventListener(kind, fn, true); }
    }
    const el = byId(this.ids.root);
    if (el) { el.classList.remove("live-on"); }
  }

  /* The latent point and label the sliders show now (their thumbs' values, updated by
   * the slider itself while it is dragged, before Dash hears of it). */
  values() {
    return this.lift(this.sliderValues());
  }

  sliderValues() {
    const out = {};
    for (const [key, id] of Object.entries(this.boxes)) {
      out[key] = key === "label" ? readLabel(id) : readPoint(id);
    }
    return out;
  }

  /* Above 4-D a box's sliders hold the coordinates t of a plane: its point becomes
   * z = origin + t @ basis, and t is kept (as ``t`` for the explorer's z, ``<key>_t`` for
   * the others) for the map's marker. The plane itself is kept on the page (``this.plane``),
   * out of the step's record, which is compared as JSON on every step. */
  lift(values) {
    const out = {...values};
    this.plane = null;
    for (const [key, id] of Object.entries(this.boxes)) {
      const plane = key === "label" ? null : readSlice(id);
      if (plane && Array.isArray(values[key]) && values[key].length === plane.basis.length) {
        out[key === "z" ? "t" : key + "_t"] = values[key];
        out[key] = onSlice(plane, values[key]);
        this.plane = plane;
      }
    }
    return out;
  }

  valid(values) {
    const z = values.z;
    return z.length === this.manifest.latent_dim && z.every((v) => isFinite(v));
  }

  /* The class cubes of this model (3D: one, 4D: one per w) for a label, or null until
   * they are here (see cubesFor). */
  cubeData(label) {
    if (this.manifest.latent_dim < 3 || this.manifest.latent_dim > 4) { return null; }
    return cubesFor(this.manifest.model, this.manifest.conditional ? label : null);
  }

  /* Two ways in: the pointer itself (a drag on a slider: its value computed here as the
   * slider will compute it, so the step is drawn in the frame of the pointer event, not
   * after the slider has rendered), and the thumbs' values (keys, typed numbers, a new
   * model's sliders), watched as the slider renders them. The same point is run once. */
  watch() {
    const onChange = () => {
      this.observedAt = performance.now();
      this.source = "slider";
      this.schedule(this.values());
    };
    this.observer = new MutationObserver(onChange);
    for (const box of this.sliderBoxes()) {
      this.observer.observe(box, {attributes: true, subtree: true, childList: true,
                                  attributeFilter: ["aria-valuenow"]});
    }
    this.onDown = (ev) => {
      const slider = ev.button === 0 && ev.target.closest ? ev.target.closest(".dash-slider-root") : null;
      this.drag = slider && this.sliderBoxes().some((b) => b.contains(slider))
        ? sliderGeometry(slider) : null;
      if (this.drag) { this.pointerStep(ev); }
    };
    this.onMove = (ev) => { if (this.drag && (ev.buttons & 1)) { this.pointerStep(ev); } };
    this.onUp = (ev) => {
      const released = this.drag ? this.valuesAt(ev) : null;  // before the slider tells Dash
      if (this.drag) { this.settled = true; }
      this.drag = null;
      if (released) { this.released(released); }
      if (!this.running) { this.settle(); }
    };
    this.onKey = (ev) => {  // a key on a slider: drawn here as a drag step is (see keys)
      if (ev.target && this.sliderBoxes().some((b) => b.contains(ev.target))) {
        keys.at = performance.now();
      }
    };
    document.addEventListener("keydown", this.onKey, true);
    document.addEventListener("pointerdown", this.onDown, true);
    document.addEventListener("pointermove", this.onMove, true);
    document.addEventListener("pointerup", this.onUp, true);
    document.addEventListener("pointercancel", this.onUp, true);
  }

  sliderBoxes() {
    return Object.values(this.boxes).map(byId).filter((el) => el);
  }

  /* The page's values with the dragged slider at the pointer (null if it is not one of
   * this page's sliders). */
  valuesAt(ev) {
    const g = this.drag, values = this.sliderValues();
    const v = g.valueAt(ev.clientX);
    const key = Object.keys(this.boxes).find((k) => {
      const box = byId(this.boxes[k]);
      return box && box.contains(g.slider);
    });
    if (!key) { return null; }
    if (key === "label") { values.label = v; } else if (g.index !== null) { values[key][g.index] = v; }
    return this.lift(values);
  }

  pointerStep(ev) {
    const values = this.valuesAt(ev);
    if (!values) { return; }
    this.observedAt = performance.now();
    this.source = "pointer";
    this.schedule(values);
  }

  /* A drag let go at ``values``: a 4D cube still to swap is swapped now, so the server
   * hears that the page drew it with the slider's value. */
  released(values) {
    clearTimeout(this.swapLater);
    this.swapLater = null;
    const z = values.z, data = z && z.length === 4 ? this.cubeData(values.label) : null;
    const cube = data && cubeAt(data, z);
    if (cube) { swapCube(this.ids, this.manifest, data, cube, z, values.label); }
  }

  schedule(values) {
    const key = JSON.stringify(values);
    if (key === this.lastKey) { return; }  // already drawn, or being drawn
    this.lastKey = key;
    const run = {...values, source: this.source};
    if (this.running) { this.pending = run; return; }
    this.runNow(run);
  }

  async runNow(values, marker = true) {
    if (!this.valid(values)) { return; }
    this.running = true;
    try {
      await this.step(values, marker);
    } finally {
      this.running = false;
    }
    if (this.pending) {
      const next = this.pending;
      this.pending = null;
      this.runNow(next);
    } else {
      this.settle();
    }
  }

  /* Nothing left to draw: after a drag (or a committed value), tell the server what it
   * needs to know, if the page holds anything the server does not compute itself. */
  settle() {
    const committed = this.settled || (this.last && this.last.source && this.last.source !== "pointer");
    this.settled = false;
    if (committed && this.last) { this.commit(this.last); }
  }

  /* The explorer's server hears of the point through its sliders; above 4-D the whole
   * point is written where a person can copy it. */
  commit(last) {
    if (last && last.t && this.ids.zfull && byId(this.ids.zfull)) {
      window.dash_clientside.set_props(this.ids.zfull, {value: fullPointText(last.z)});
    }
  }

  /* The last runs' phases (ms), for benchmarks/browser_drag.py. */
  timed(values, started, inferred, extra = {}) {
    this.timings = (this.timings || []).slice(-99);
    this.timings.push({source: values.source || "start", observed: this.observedAt,
                       start: started, infer: inferred - started,
                       draw: performance.now() - inferred, ...extra});
  }

  /* One drawn point (predict): the graph run, the canvases, the marker. */
  async step(values, marker) {
    const started = performance.now();
    const out = await this.infer(values.z, values.label);
    const inferred = performance.now();
    this.draw(values, out, marker);
    this.timed(values, started, inferred);
    const layers = this.manifest.layers;  // the numbers copied only when read (tests)
    this.last = {z: values.z.slice(), t: values.t, label: values.label,
                 ms: performance.now() - started,
                 get image() { return Array.from(out.image.data); },
                 get probs() { return Array.from(out.probs.data); },
                 get acts() {
                   return Object.fromEntries(layers.map((l) =>
                     [l.name, Array.from(out["act_" + l.name].data)]));
                 }};
    this.runs += 1;
  }

  infer(z, label, masks = null) {
    return this.model.run(z, label, masks);
  }

  draw(values, out, marker = true) {
    const look = this.look;
    drawImage(byId(this.ids.image), out.image.data, look);
    drawProbs(byId(this.ids.probs), out.probs.data, look);
    const layers = this.manifest.layers;
    layers.forEach((layer, k) => {
      const canvas = byId(this.ids.act_canvas && this.ids.act_canvas + k);
      if (!canvas) { return; }
      const data = out["act_" + layer.name].data;
      if (k === layers.length - 1 && look.channels === 3) {
        drawImage(canvas, data, look);  // a colour image layer: the image itself, in RGB
      } else {
        drawHeatmap(canvas, meanMap(data, layer.shape));
      }
    });
    const probs = out.probs.data;
    const top = argmax(probs);
    const readout = byId(this.ids.readout);
    if (readout) {
      const shown = values.t || values.z;
      const coords = shown.map((v) => (v >= 0 ? "+" : "") + v.toFixed(2)).join(", ");
      readout.textContent = (values.t ? "t" : "z") + " = (" + coords + ") → " +
        classText(look, top) + " (p = " + probs[top].toFixed(2) + ")";  // texts.readout_text
    }
    if (marker) { this.moveMarker(values.t || values.z, values.label); }
  }

  /* The marker follows as a ring laid over the map and the projections (a CSS move, no
   * Plotly redraw, so the next drag step never waits for one); Plotly's own marker is
   * hidden once per drag, and comes back where the ring is when the server hears of the
   * point. A 3D cube's marker moves then too (a WebGL redraw per step costs too much);
   * the projections' slices follow the point, and a 4D cube is swapped for w's. */
  moveMarker(z, label) {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      if (z.length >= 3) { this.followCube(z, label); }
      const gd = plotIn(this.ids.map);
      if (gd && gd._fullLayout && z.length === 2) {
        hideOnce(gd, () => window.Plotly.relayout(gd, {shapes: []}));
        placeRing(gd, "map", "xaxis", "yaxis", z[0], z[1]);
      }
      const proj = plotIn(this.ids.projections);
      if (proj && proj._fullLayout && proj.data && proj.data.length === 6 && z.length >= 3) {
        hideOnce(proj, () => window.Plotly.restyle(proj, {x: [[], [], []], y: [[], [], []]},
                                                   [1, 3, 5]));
        placeRing(proj, "xy", "xaxis", "yaxis", z[0], z[1]);
        placeRing(proj, "xz", "xaxis2", "yaxis2", z[0], z[2]);
        placeRing(proj, "yz", "xaxis3", "yaxis3", z[1], z[2]);
      }
    });
  }

  followCube(z, label) {
    const data = this.cubeData(label);
    const cube = data && cubeAt(data, z);
    if (!cube) { return; }
    const proj = plotIn(this.ids.projections);
    if (proj && proj._fullLayout && proj.data && proj.data.length === 6) {
      const key = cube.index + ":" + sliceIndices(data, z).join(",");
      if (proj.__liveSlices !== key || !proj.querySelector("canvas.live-slice[style*='block']")) {
        placeSlices(proj, data, slicesThrough(data, cube, z), this.look.palette);
        proj.__liveSlices = key;
      }
    }
    if (z.length === 4) {
      // A cube swap redraws 4,096 WebGL points (~80 ms here): while w is dragged it waits
      // until the pointer rests, so every step's image still comes in its frame.
      clearTimeout(this.swapLater);
      this.swapLater = null;
      const swap = () => { this.swapLater = null; swapCube(this.ids, this.manifest, data, cube, z, label); };
      if (this.drag) { this.swapLater = setTimeout(swap, SWAP_REST_MS); } else { swap(); }
    }
  }
}
