/* The generator in the page: a latent slider's drag runs the model here and draws the
 * image, the probabilities, the activation heatmaps and the map marker, with no request
 * to the server per step (the sliders report to Dash only when released).
 *
 * ONNX Runtime Web (assets/vendor/onnxruntime-web, vendored by
 * scripts/vendor_onnxruntime_web.sh) is loaded on first use; the graph is the one
 * gan_core/browser_model.py exports (inputs z [, label], keep_L / set_L per shown layer;
 * outputs image, probs, act_L). If the runtime or the graph cannot be loaded, the page
 * keeps the server path: the sliders report every drag step to Dash again.
 */
(function () {
  "use strict";
  const ORT_DIR = "/assets/vendor/onnxruntime-web/";
  const SWAP_REST_MS = 150;  // a dragged 4D cube is swapped once w rests this long
  const DIGIT_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e",
                   "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"].map(hexRgb);
  let ortPromise = null;
  const sessions = new Map(); // graph url -> Promise<InferenceSession>

  function hexRgb(h) {
    return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  }

  function loadOrt() {
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

  /* One page's live drawing: the sliders it watches, the canvases it draws on. */
  class Live {
    constructor(root, manifest) {
      this.root = root;          // the page's id prefix, e.g. "explore"
      this.manifest = manifest;
      // which slider box holds what: a latent point (by coordinate) or the CGAN label
      this.boxes = {z: root + "-sliders", label: root + "-label"};
      this.running = false;
      this.pending = null;       // latest wins: at most one run queued
      this.frame = 0;
      this.runs = 0;
      this.last = null;
    }

    async start() {
      const ort = await loadOrt();
      this.ort = ort;
      this.session = await session(this.manifest.url);
      this.keep = {};
      this.put = {};
      for (const layer of this.manifest.layers) {
        this.keep[layer.name] = filled(ort, layer.shape, 1);
        this.put[layer.name] = filled(ort, layer.shape, 0);
      }
      this.buildCanvases();
      this.watch();
      const committed = this.values();  // the committed point: the figures show it
      this.cubeData(committed.label);  // a 3D/4D model's class cubes, fetched once
      this.lastKey = JSON.stringify(committed);
      await this.runNow(committed, false);
      await this.runNow(committed, false);  // the first run warms the runtime up: time the second
      document.getElementById(this.root + "-root").classList.add("live-on");
      this.on = true;
    }

    statusText() {
      return "Drawn in the page as you drag (ONNX Runtime Web, " + this.last.ms.toFixed(0) +
        " ms per step); the server follows when you let go.";
    }

    buildCanvases() {
      const box = document.getElementById(this.root + "-live-acts");
      if (!box) { return; }
      box.replaceChildren(...this.manifest.layers.map((layer, k) => {
        const cell = document.createElement("figure");
        const canvas = document.createElement("canvas");
        canvas.id = this.root + "-live-act-" + k;
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
                                ["pointerup", this.onUp], ["pointercancel", this.onUp]]) {
        if (fn) { document.removeEventListener(kind, fn, true); }
      }
      const el = document.getElementById(this.root + "-root");
      if (el) { el.classList.remove("live-on"); }
    }

    /* The latent point and label the sliders show now (their thumbs' values, updated by
     * the slider itself while it is dragged, before Dash hears of it). */
    values() {
      const out = {};
      for (const [key, id] of Object.entries(this.boxes)) {
        out[key] = key === "label" ? readLabel(id) : readPoint(id);
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
      if (this.manifest.latent_dim < 3) { return null; }
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
      for (const id of this.sliderBoxes()) {
        this.observer.observe(id, {attributes: true, subtree: true, childList: true,
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
      document.addEventListener("pointerdown", this.onDown, true);
      document.addEventListener("pointermove", this.onMove, true);
      document.addEventListener("pointerup", this.onUp, true);
      document.addEventListener("pointercancel", this.onUp, true);
    }

    sliderBoxes() {
      return Object.values(this.boxes).map((id) => document.getElementById(id)).filter((el) => el);
    }

    /* The page's values with the dragged slider at the pointer (null if it is not one of
     * this page's sliders). */
    valuesAt(ev) {
      const g = this.drag, values = this.values();
      const v = g.valueAt(ev.clientX);
      const key = Object.keys(this.boxes).find((k) => {
        const box = document.getElementById(this.boxes[k]);
        return box && box.contains(g.slider);
      });
      if (!key) { return null; }
      if (key === "label") { values.label = v; } else if (g.index !== null) { values[key][g.index] = v; }
      return values;
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
      if (cube) { swapCube(this.root, this.manifest, data, cube, z, values.label); }
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

    commit() { /* the explorer's server hears of the point through its sliders */ }

    /* One drawn point: the graph run, the canvases, the marker. */
    async step(values, marker) {
      {
        const started = performance.now();
        const out = await this.infer(values.z, values.label);
        const inferred = performance.now();
        this.draw(values, out, marker);
        // The last runs' phases (ms), for benchmarks/browser_drag.py.
        this.timings = (this.timings || []).slice(-99);
        this.timings.push({source: values.source || "start", observed: this.observedAt,
                           start: started, infer: inferred - started,
                           draw: performance.now() - inferred});
        const layers = this.manifest.layers;  // the numbers copied only when read (tests)
        this.last = {z: values.z.slice(), label: values.label, ms: performance.now() - started,
                     get image() { return Array.from(out.image.data); },
                     get probs() { return Array.from(out.probs.data); },
                     get acts() {
                       return Object.fromEntries(layers.map((l) =>
                         [l.name, Array.from(out["act_" + l.name].data)]));
                     }};
        this.runs += 1;
      }
    }

    async infer(z, label, masks = null) {
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

    draw(values, out, marker = true) {
      drawImage(document.getElementById(this.root + "-live-image"), out.image.data);
      drawProbs(document.getElementById(this.root + "-live-probs"), out.probs.data);
      this.manifest.layers.forEach((layer, k) => {
        const canvas = document.getElementById(this.root + "-live-act-" + k);
        if (canvas) { drawHeatmap(canvas, meanMap(out["act_" + layer.name].data, layer.shape)); }
      });
      const probs = out.probs.data;
      let digit = 0;
      for (let i = 1; i < probs.length; i++) { if (probs[i] > probs[digit]) { digit = i; } }
      const readout = document.getElementById(this.root + "-readout");
      if (readout) {
        const coords = values.z.map((v) => (v >= 0 ? "+" : "") + v.toFixed(2)).join(", ");
        readout.textContent = "z = (" + coords + ") → digit " + digit +
          " (p = " + probs[digit].toFixed(2) + ")";
      }
      if (marker) { this.moveMarker(values.z, values.label); }
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
        const gd = document.querySelector("#" + this.root + "-map .js-plotly-plot");
        if (gd && gd._fullLayout && z.length === 2) {
          hideOnce(gd, () => window.Plotly.relayout(gd, {shapes: []}));
          placeRing(gd, "map", "xaxis", "yaxis", z[0], z[1]);
        }
        const proj = document.querySelector("#" + this.root + "-projections .js-plotly-plot");
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
      const proj = document.querySelector("#" + this.root + "-projections .js-plotly-plot");
      if (proj && proj._fullLayout && proj.data && proj.data.length === 6) {
        const key = cube.index + ":" + sliceIndices(data, z).join(",");
        if (proj.__liveSlices !== key || !proj.querySelector("canvas.live-slice[style*='block']")) {
          placeSlices(proj, data, slicesThrough(data, cube, z));
          proj.__liveSlices = key;
        }
      }
      if (z.length === 4) {
        // A cube swap redraws 4,096 WebGL points (~80 ms here): while w is dragged it waits
        // until the pointer rests, so every step's image still comes in its frame.
        clearTimeout(this.swapLater);
        this.swapLater = null;
        const swap = () => { this.swapLater = null; swapCube(this.root, this.manifest, data, cube, z, label); };
        if (this.drag) { this.swapLater = setTimeout(swap, SWAP_REST_MS); } else { swap(); }
      }
    }
  }

  /* The morph: dragging A or B (or changing the label, the frames, the interpolation or
   * the waypoints) recomputes every frame of the path in the page and draws the strip, the
   * crossed areas and, on a 2D map, A's marker and the path; the server follows on release
   * (the animation, the downloads, a 3D cube's path). */
  const settingsFor = {};  // root -> {via, frames, mode}, from the page's controls

  class MorphLive extends Live {
    constructor(root, manifest) {
      super(root, manifest);
      this.boxes = {a: root + "-a-sliders", b: root + "-b-sliders", label: root + "-label"};
    }

    values() {
      return {...super.values(), ...(settingsFor[this.root] || {})};
    }

    valid(values) {
      const d = this.manifest.latent_dim;
      return [values.a, values.b].every((p) => p.length === d && p.every((v) => isFinite(v)));
    }

    buildCanvases() { /* the strip's canvas is in the page's layout */ }

    statusText() {
      return "Frames drawn in the page as you drag (ONNX Runtime Web, " + this.last.ms.toFixed(0) +
        " ms for " + this.last.frames + "); the server follows when you let go.";
    }

    async step(values, marker) {
      const started = performance.now();
      const via = (values.via || []).filter((p) => p && p.length === values.a.length).slice(0, 8);
      const frames = Math.max(8, Math.min(64, Math.round(values.frames) || 24));
      const latents = interpolatePath([values.a, ...via, values.b], frames,
                                      values.mode === "slerp" ? "slerp" : "linear");
      const images = [], probs = [];
      for (const z of latents) {
        const out = await this.infer(z, values.label);
        images.push(out.image.data.slice());
        probs.push(out.probs.data.slice());
      }
      const classes = probs.map(argmax);
      const inferred = performance.now();
      drawStrip(document.getElementById(this.root + "-live-strip"), images, classes);
      const seq = document.getElementById(this.root + "-live-sequence");
      if (seq) { seq.textContent = "Crossed areas: " + crossedAreas(classes).join(" → "); }
      if (marker) { this.movePath(values.a, latents, classes, values.label); }
      this.timings = (this.timings || []).slice(-99);
      this.timings.push({source: values.source || "start", observed: this.observedAt,
                         start: started, infer: inferred - started,
                         draw: performance.now() - inferred, frames});
      this.last = {a: values.a.slice(), b: values.b.slice(), label: values.label, frames,
                   ms: performance.now() - started, latents, classes, probs, via,
                   mode: values.mode === "slerp" ? "slerp" : "linear", only: !!values.only,
                   source: values.source,
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
      const images = this._images.map((im) => Array.from({length: 28}, (_, r) =>
        Array.from(im.subarray(r * 28, r * 28 + 28), (v) => round(v, 3))));
      const set = window.dash_clientside.set_props;
      set("morph-result", {data: {
        images, classes: last.classes, model: this.manifest.model,
        label: this.manifest.conditional ? last.label : null, mode: last.mode,
        points: [last.a, ...last.via, last.b], latents,
        probabilities: last.probs.map((p) => Array.from(p, (v) => round(v, 4))),
        sequence: seq, crossings}});
      set("morph-scrub", {max: n - 1});
      set(viewId(this.root, "path"), {data: {latents, classes: last.classes}});
      const mask = last.only ? [...new Set(seq)].sort((x, y) => x - y) : null;
      if (JSON.stringify(mask) !== JSON.stringify(this.mask === undefined ? null : this.mask)) {
        this.mask = mask;
        set(viewId(this.root, "mask"), {data: mask});
      }
    }

    /* The slices through point ``name`` ("a" or "b") cut from its cube, drawn into the
     * server's figure of them (a Dash prop, so nothing is lost when Dash redraws it); false
     * when the page cannot (no figure to redraw yet, the cube not here). */
    drawSlices(name, p, label) {
      const id = this.root + "-proj-" + name;
      const gd = document.querySelector("#" + id + " .js-plotly-plot");
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
          if (cube) { swapCube(this.root, this.manifest, data, cube, a, label, {latents, classes}); }
        }
        const gd = document.querySelector("#" + this.root + "-map .js-plotly-plot");
        if (!gd || !gd._fullLayout || a.length !== 2 || !gd.data) { return; }
        const n = gd.data.length;
        hideOnce(gd, () => {
          window.Plotly.relayout(gd, {shapes: []});
          if (n >= 3) { window.Plotly.restyle(gd, {x: [[], []], y: [[], []]}, [n - 2, n - 1]); }
        });
        placeRing(gd, "map", "xaxis", "yaxis", a[0], a[1]);
        placePath(gd, latents, classes);
      });
    }
  }

  /* /activations: the original and the edited image (and their difference) for the point
   * and the page's edits, drawn in the page as a slider is dragged or an edit is made; the
   * layer's heatmap (where edits are clicked) follows from the server. */
  class EditLive extends Live {
    buildCanvases() { /* the three canvases are in the page's layout */ }

    values() {
      return {...super.values(), edits: (settingsFor[this.root] || {}).edits || []};
    }

    statusText() {
      return "Images drawn in the page (ONNX Runtime Web, " + this.last.ms.toFixed(0) +
        " ms for the original and the edited image); the layer follows from the server.";
    }

    async step(values) {
      const started = performance.now();
      const edits = values.edits || [];
      const original = await this.infer(values.z, values.label);
      const originalImage = original.image.data.slice();
      let editedImage = originalImage, applied = 0;
      if (edits.length) {
        const masks = editMasks(this.ort, edits, this.manifest.layers);
        applied = masks.applied;
        const edited = await this.infer(values.z, values.label, masks);
        editedImage = edited.image.data.slice();
      }
      const inferred = performance.now();
      drawImage(document.getElementById(this.root + "-live-original"), originalImage);
      drawImage(document.getElementById(this.root + "-live-edited"), editedImage);
      const diff = editedImage.map((v, i) => v - originalImage[i]);
      drawDiverging(document.getElementById(this.root + "-live-diff"), diff, 2);
      const title = document.getElementById(this.root + "-live-diff-title");
      if (title) {
        const largest = diff.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        title.textContent = "Difference (edited − original)" +
          (edits.length ? ": largest change " + formatG3(largest) : "");
      }
      const note = document.getElementById(this.root + "-live-diff-note");
      if (note) { note.textContent = edits.length ? "" : "No edits yet: click the layer above."; }
      this.timings = (this.timings || []).slice(-99);
      this.timings.push({source: values.source || "start", observed: this.observedAt,
                         start: started, infer: inferred - started,
                         draw: performance.now() - inferred});
      this.last = {z: values.z.slice(), label: values.label, edits: edits.length, applied,
                   ms: performance.now() - started,
                   get original() { return Array.from(originalImage); },
                   get edited() { return Array.from(editedImage); }};
      this.runs += 1;
    }
  }

  /* The page's edits as the graph's keep/set inputs: an edited cell is kept at 0 and set to
   * the edit's value, the last edit of a cell winning (gan_core.activations.apply_edits).
   * An edit the layer cannot take is left out here; the server says why. */
  function editMasks(ort, edits, layers) {
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
      const [h, w, c] = layer.shape.length === 3 ? layer.shape : [1, 1, layer.shape[0]];
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
        if (!(0 <= r0 && r0 < r1 && r1 <= h && 0 <= c0 && c0 < c1 && c1 <= w) || !inRange(chans, c)) { continue; }
        for (let r = r0; r < r1; r++) { for (let x = c0; x < c1; x++) { for (const k of chans) { cells.push([r, x, k]); } } }
      } else if (e.kind === "units") {
        const units = (Array.isArray(e.indices) ? e.indices : []).map((u) =>
          (Array.isArray(u) ? u.map(Number) : [0, 0, Number(u)]));
        if (!units.every(([r, x, k]) => inRange([r], h) && inRange([x], w) && inRange([k], c))) { continue; }
        cells.push(...units);
      } else {
        continue;
      }
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

  /* Python's "{:.3g}". */
  function formatG3(x) {
    if (x === 0) { return "0"; }
    const exp = Math.floor(Math.log10(Math.abs(x)));
    if (exp < -4 || exp >= 3) {
      const [m, e] = x.toExponential(2).split("e");
      const mant = m.replace(/\.?0+$/, "");
      const n = parseInt(e, 10);
      return mant + "e" + (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(2, "0");
    }
    return String(Number(x.toPrecision(3)));
  }

  /* Plotly's RdBu, as the server's difference figure draws it (zmin -span, zmax span). */
  const RDBU = [[0, [5, 10, 172]], [0.35, [106, 137, 247]], [0.5, [190, 190, 190]],
                [0.6, [220, 170, 132]], [0.7, [230, 145, 90]], [1, [178, 10, 28]]];

  function drawDiverging(canvas, data, span) {
    if (!canvas) { return; }
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const t = Math.max(0, Math.min(1, (data[i] + span) / (2 * span)));
      let k = 0;
      while (k < RDBU.length - 2 && t > RDBU[k + 1][0]) { k += 1; }
      const [t0, c0] = RDBU[k], [t1, c1] = RDBU[k + 1];
      const f = (t - t0) / (t1 - t0);
      for (let ch = 0; ch < 3; ch++) { img.data[4 * i + ch] = Math.round(c0[ch] + (c1[ch] - c0[ch]) * f); }
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  /* A store of a latent-view component (dashboard/components/latent_view.py). */
  function viewId(aio, sub) {
    return {component: "latent-view", subcomponent: sub, aio_id: aio};
  }

  /* The class cubes of a 3D/4D model for a label, from the server's cache
   * (GET /class-cubes, dashboard/live.py): {n, axes, w, cubes: {index: Uint8Array}} or
   * null until fetched. Cubes still being computed are asked for again a little later. */
  const CUBES_URL = "/class-cubes";
  const cubeStore = new Map();  // "model|label" -> {data, at, busy}
  function cubesFor(model, label) {
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

  function decodeCubes(body) {
    const cubes = {};
    for (const [index, digits] of Object.entries(body.cubes)) {
      const classes = new Uint8Array(digits.length);
      for (let i = 0; i < digits.length; i++) { classes[i] = digits.charCodeAt(i) - 48; }
      cubes[index] = classes;
    }
    return {...body, cubes};
  }

  function nearest(values, v) {
    let k = 0;
    for (let i = 1; i < values.length; i++) {
      if (Math.abs(values[i] - v) < Math.abs(values[k] - v)) { k = i; }
    }
    return k;
  }

  /* The cube a point is in: 3D the one cube, 4D the one nearest its w (snap_fourth). */
  function cubeAt(data, p) {
    const index = data.w ? nearest(data.w, p[3]) : 0;
    const classes = data.cubes[String(index)];
    return classes ? {index, classes, w: data.w ? data.w[index] : null} : null;
  }

  /* The (xy, xz, yz) faces: [the axis held at the point, the column axis, the row axis]. */
  const FACES = [[2, 0, 1], [1, 0, 2], [0, 1, 2]];

  function sliceIndices(data, p) {
    return [0, 1, 2].map((k) => nearest(data.axes[k], p[k]));
  }

  /* The cube's slices through the grid value nearest the point, [row][col] as
   * dashboard.figures.projection_slices gives them. */
  function slicesThrough(data, cube, p) {
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

  /* The projections' slices painted over their three faces (canvases laid over the
   * heatmaps: a Plotly redraw of them costs ~40 ms a step here), hidden again when the
   * server's figure comes (see hideOnce). ``slices``: [row][col] per face. */
  function placeSlices(gd, data, slices) {
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
          ctx.fillStyle = DIGIT_COLORS[z[r][c]];
          ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
        }
      }
      canvas.slices = z;
    });
  }

  /* One trace per digit of a cube's points, the slice and the classes of ``meta`` only
   * (dashboard.figures.cube_figure draws them the same way). */
  function cubeTraces(data, cube, meta) {
    const n = data.n, [xs, ys, zs] = data.axes;
    const sliced = meta.slice_axis === null || meta.slice_axis === undefined ? null : meta.slice_axis;
    const only = Array.isArray(meta.only) ? meta.only : null;
    const per = Array.from({length: 10}, () => ({x: [], y: [], z: []}));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < n; k++) {
          if (sliced !== null && [i, j, k][sliced] !== meta.slice_index) { continue; }
          const d = cube.classes[(i * n + j) * n + k];
          if (only && !only.includes(d)) { continue; }
          per[d].x.push(xs[i]);
          per[d].y.push(ys[j]);
          per[d].z.push(zs[k]);
        }
      }
    }
    const traces = [];
    per.forEach((p, d) => {
      if (!p.x.length) { return; }
      traces.push({type: "scatter3d", ...p, mode: "markers", name: String(d),
                   marker: {size: sliced !== null ? 6 : 4, color: DIGIT_COLORS[d],
                            opacity: sliced !== null ? 0.9 : 0.45},
                   hovertemplate: "digit " + d + "<br>(%{x:.2f}, %{y:.2f}, %{z:.2f})<extra></extra>"});
    });
    return traces;
  }

  /* Swap a 4D view's cube for the one nearest the point's w, in the page: the view's
   * figure (a Dash prop) is redrawn from the server's as it would draw it (its layout.meta
   * says which cube, slice and classes), and its ``shown`` store tells the server it need
   * not redraw it when the point is let go. A morph's path moves with it. */
  function swapCube(root, manifest, data, cube, z, label, path = null) {
    const gd = document.querySelector("#" + root + "-map .js-plotly-plot");
    const meta = gd && gd.layout && gd.layout.meta;
    if (!meta || typeof meta.w_index !== "number" || meta.w_index === cube.index || !gd.data) { return; }
    if (gd.__liveSwap && gd.__liveSwap.index === cube.index && gd.__liveSwap.layout === gd.layout) {
      return;  // on its way to Plotly
    }
    const marker = {...gd.data[0], x: [z[0]], y: [z[1]], z: [z[2]]};
    let lines = meta.path ? gd.data.slice(1, 3) : [];
    if (meta.path && path && lines.length === 2) {
      const axis = (k) => path.latents.map((p) => p[k]);
      const at = {x: axis(0), y: axis(1), z: axis(2)};
      lines = [{...lines[0], ...at},
               {...lines[1], ...at, marker: {...lines[1].marker,
                                             color: path.classes.map((c) => DIGIT_COLORS[c])}}];
    }
    const title = meta.title.replace("{w}", signed(cube.w));
    const layout = {...gd.layout, meta: {...meta, w_index: cube.index},
                    title: {...(gd.layout.title || {}), text: title}};
    gd.__liveSwap = {index: cube.index, layout: gd.layout};
    const set = window.dash_clientside.set_props;
    set(viewId(root, "figure"), {figure: {data: [marker, ...lines, ...cubeTraces(data, cube, meta)], layout}});
    set(viewId(root, "shown"), {data: {model: manifest.model, w_index: cube.index,
                                       label: manifest.conditional ? label : null}});
  }

  /* Python's "{:+.2f}". */
  function signed(v) {
    return (v >= 0 ? "+" : "") + v.toFixed(2);
  }

  function argmax(p) {
    let k = 0;
    for (let i = 1; i < p.length; i++) { if (p[i] > p[k]) { k = i; } }
    return k;
  }

  /* The class areas a path crosses, in order (gan_core.interpolation.crossed_areas). */
  function crossedAreas(classes) {
    return classes.filter((c, i) => i === 0 || c !== classes[i - 1]);
  }

  /* ``frames`` points along the path through ``points``, frames spread over the segments
   * in proportion to their length (gan_core.interpolation.interpolate_path). */
  function interpolatePath(points, frames, mode) {
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

  function slerp(a, b, t) {
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

  /* The frames side by side, each frame's digit above it in its colour (as the server's
   * strip figure shows them). */
  function drawStrip(canvas, images, classes) {
    if (!canvas) { return; }
    const S = 3, top = 12 * S, step = 30 * S;
    canvas.width = images.length * step - 2 * S;
    canvas.height = top + 28 * S;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const tile = document.createElement("canvas");
    tile.width = tile.height = 28;
    ctx.imageSmoothingEnabled = false;
    ctx.font = "bold " + 10 * S + "px sans-serif";
    ctx.textAlign = "center";
    images.forEach((im, i) => {
      drawImage(tile, im);
      ctx.drawImage(tile, i * step, top, 28 * S, 28 * S);
      ctx.fillStyle = DIGIT_COLORS[classes[i]];
      ctx.fillText(String(classes[i]), i * step + 14 * S, top - 4);
    });
  }

  /* A path as a line with one dot per frame (coloured by its digit), over a 2D map. */
  function placePath(gd, latents, classes) {
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
      ctx.fillStyle = DIGIT_COLORS[classes[i]];
      ctx.fill();
      ctx.strokeStyle = "#222";
      ctx.lineWidth = 1;
      ctx.stroke();
    });
    canvas.style.display = "block";
  }

  /* A latent point from the thumbs of a box of sliders (pattern ids: {"index": i, ...}),
   * as the slider shows it now; a CGAN label from a digit slider. */
  function readPoint(id) {
    const z = [];
    const box = document.getElementById(id);
    if (box) {
      box.querySelectorAll("[role=slider]").forEach((thumb) => {
        const owner = thumb.closest("[id^='{']");
        let index = z.length;
        try { index = JSON.parse(owner.id).index; } catch (e) { /* keep the order */ }
        z[index] = parseFloat(thumb.getAttribute("aria-valuenow"));
      });
    }
    return z;
  }

  function readLabel(id) {
    const lab = document.querySelector("#" + id + " [role=slider]");
    return lab ? parseInt(lab.getAttribute("aria-valuenow"), 10) || 0 : 0;
  }

  /* Where a pointer at clientX puts a slider's value, as the slider computes it (its
   * root's box spans min..max; the value snaps to the step of its number box), and which
   * coordinate it holds (the pattern id's index; null for a label slider). Measured once
   * per press. */
  function sliderGeometry(slider) {
    const thumb = slider.querySelector("[role=slider]");
    const container = slider.closest(".dash-slider-container") || slider;
    const input = container.querySelector("input[type=number]");
    const min = parseFloat(thumb.getAttribute("aria-valuemin"));
    const max = parseFloat(thumb.getAttribute("aria-valuemax"));
    const step = parseFloat(input && input.step) || 1;
    const decimals = (String(step).split(".")[1] || "").length;
    const rect = slider.getBoundingClientRect();
    let index = null;
    try { index = JSON.parse(container.id).index; } catch (e) { /* the label slider */ }
    if (typeof index !== "number") { index = null; }
    return {
      index,
      slider,
      valueAt(x) {
        const raw = min + ((x - rect.left) / rect.width) * (max - min);
        const snapped = Math.round((raw - min) / step) * step + min;
        return Math.min(max, Math.max(min, Number(snapped.toFixed(decimals))));
      },
    };
  }

  /* Hide a figure's own marker once while the page moves its ring; a redraw by the server
   * (the committed point) shows it again and takes the rings away. */
  function hideOnce(gd, hide) {
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

  function placeRing(gd, key, xName, yName, x, y) {
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

  function drawImage(canvas, data) {
    if (!canvas) { return; }
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = Math.max(0, Math.min(255, Math.round((data[i] + 1) * 127.5)));
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function drawProbs(canvas, probs) {
    if (!canvas) { return; }
    const ctx = canvas.getContext("2d");
    const pad = 26, w = canvas.width - pad, h = canvas.height, base = h - 18, bw = w / 10;
    const top = 6, span = base - top;
    ctx.clearRect(0, 0, canvas.width, h);
    ctx.font = "12px sans-serif";
    ctx.strokeStyle = "#e5e5e5";
    ctx.fillStyle = "#666";
    ctx.textAlign = "right";
    for (const p of [0, 0.5, 1]) {  // the probability axis, as on the server's chart
      const y = base - p * span;
      ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(canvas.width, y); ctx.stroke();
      ctx.fillText(String(p), pad - 4, y + 4);
    }
    ctx.textAlign = "center";
    for (let d = 0; d < 10; d++) {
      const bh = Math.max(0, Math.min(1, probs[d])) * span;
      ctx.fillStyle = DIGIT_COLORS[d];
      ctx.fillRect(pad + d * bw + bw * 0.15, base - bh, bw * 0.7, bh);
      ctx.fillStyle = "#333";
      ctx.fillText(String(d), pad + d * bw + bw / 2, h - 4);
    }
  }

  /* A layer's output as a 2D map: the mean over channels of (H, W, C); a vector as a row. */
  function meanMap(data, shape) {
    if (shape.length === 3) {
      const [H, W, C] = shape, out = new Float32Array(H * W);
      for (let p = 0; p < H * W; p++) {
        let s = 0;
        for (let c = 0; c < C; c++) { s += data[p * C + c]; }
        out[p] = s / C;
      }
      return {values: out, rows: H, cols: W};
    }
    return {values: Float32Array.from(data), rows: 1, cols: data.length};
  }

  function drawHeatmap(canvas, map) {
    canvas.width = map.cols;
    canvas.height = map.rows;
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(map.cols, map.rows);
    let lo = Infinity, hi = -Infinity;
    for (const v of map.values) { if (v < lo) { lo = v; } if (v > hi) { hi = v; } }
    const span = hi > lo ? hi - lo : 1;
    map.values.forEach((v, i) => {
      const t = ((v - lo) / span) * (VIRIDIS.length - 1);
      const k = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - k;
      for (let ch = 0; ch < 3; ch++) {
        img.data[4 * i + ch] = Math.round(VIRIDIS[k][ch] * (1 - f) + VIRIDIS[k + 1][ch] * f);
      }
      img.data[4 * i + 3] = 255;
    });
    ctx.putImageData(img, 0, 0);
  }

  const pages = {};

  /* Called by a page's clientside callback with the model's graph manifest (or the reason
   * it has none). Returns the status line; the server path stays until the page draws. */
  function attach(root, manifest, sliderType) {
    if (pages[root]) { pages[root].stop(); delete pages[root]; }
    const serverPath = (why) => {
      fallBack(root, sliderType);
      return why;
    };
    if (!manifest || manifest.off) {
      return serverPath("Drawn by the server (the in-page generator is switched off).");
    }
    if (manifest.error) { return serverPath(manifest.error); }
    if (typeof WebAssembly !== "object") {
      return serverPath("This browser has no WebAssembly: the server draws every step.");
    }
    stopFallBack(root);
    const live = new ({morph: MorphLive, act: EditLive}[root] || Live)(root, manifest);
    pages[root] = live;
    const status = (text) => window.dash_clientside.set_props(root + "-live-status", {children: text});
    live.start().then(
      () => status(live.statusText()),
      (err) => {
        live.stop();
        delete pages[root];
        status(serverPath("Drawn by the server: " + (err && err.message ? err.message : err)));
      });
    return "Loading the generator into the page…";
  }

  /* The server path: every drag step of a latent slider reports to Dash again (also for
   * sliders the page builds later, e.g. for another model). */
  const fallbacks = {};
  function fallBack(root, sliderType) {
    const apply = () => document.querySelectorAll("[id^='{']").forEach((el) => {
      try {
        const id = JSON.parse(el.id);
        if ([].concat(sliderType).includes(id.type) && el.dataset.updatemode !== "drag") {
          el.dataset.updatemode = "drag";
          window.dash_clientside.set_props(id, {updatemode: "drag"});
        }
      } catch (e) { /* not a pattern id */ }
    });
    apply();
    const boxes = [root + "-sliders", root + "-a-sliders", root + "-b-sliders"]
      .map((id) => document.getElementById(id)).filter((el) => el);
    if (boxes.length && !fallbacks[root]) {
      fallbacks[root] = new MutationObserver(apply);
      boxes.forEach((box) => fallbacks[root].observe(box, {childList: true, subtree: true}));
    }
  }

  function stopFallBack(root) {
    if (fallbacks[root]) { fallbacks[root].disconnect(); delete fallbacks[root]; }
  }

  /* What the server should draw for a page's point: nothing (no_update) while this page
   * draws the same model itself, else the point record ({values, label}). */
  function serverPoint(root, model, values, label) {
    const live = pages[root];
    if (live && live.on && live.manifest.model === model) {
      return window.dash_clientside.no_update;
    }
    return {values: values || [], label: label === undefined ? null : label};
  }

  /* A page's path settings (the morph's waypoints, frames and interpolation): the page
   * redraws with them at once. */
  function settings(root, values) {
    settingsFor[root] = values;
    const live = pages[root];
    if (live && live.on) { live.source = "settings"; live.schedule(live.values()); }
    return window.dash_clientside.no_update;
  }

  /* What the server should morph: nothing while this page computes the model's frames
   * itself, else the controls' record. */
  function serverMorph(root, model, record) {
    const live = pages[root];
    if (live && live.on && live.manifest.model === model) {
      return window.dash_clientside.no_update;
    }
    return record;
  }

  /* What the server should cut the slices through A and B for: nothing when this page
   * drew them from the model's cubes itself, else the record. */
  function serverSlices(root, model, record) {
    const live = pages[root];
    if (live && live.on && live.manifest.model === model && record && record.a) {
      const moved = Array.isArray(record.moved) ? record.moved : ["a", "b"];
      if (moved.every((name) => live.drawSlices(name, record[name], record.label))) {
        return window.dash_clientside.no_update;
      }
    }
    return record;
  }

  window.ganLive = {attach, pages, loadOrt, serverPoint, serverMorph, serverSlices, settings,
                    interpolatePath, cubesFor};
})();
