/* /activations: the original and the edited image (and their difference) for the point
 * and the page's edits, drawn in the page as a slider is dragged or an edit is made; the
 * layer's heatmap (where edits are clicked) follows from the server. */
import {drawDiverging, drawImage} from "./drawing.js";
import {byId} from "./sliders.js";
import {formatG3} from "./format.js";
import {Live} from "./point.js";
import {settingsFor} from "./store.js";

export class EditLive extends Live {
  buildCanvases() { /* the three canvases are in the page's layout */ }

  lift(values) {  // the edits join the sliders' point
    return {...super.lift(values), edits: (settingsFor[this.root] || {}).edits || []};
  }

  statusText() {  // (no run yet while a plane's sliders are still coming)
    const ms = this.last ? ", " + this.last.ms.toFixed(0) + " ms for the original and the edited image" : "";
    return "Images drawn in the page (ONNX Runtime Web" + ms +
      "); the layer follows from the server.";
  }

  async step(values) {
    const started = performance.now();
    const edits = values.edits || [];
    const original = await this.infer(values.z, values.label);
    const originalImage = original.image.data.slice();
    let editedImage = originalImage, applied = 0;
    if (edits.length) {
      const masks = this.model.masks(edits);
      applied = masks.applied;
      const edited = await this.infer(values.z, values.label, masks);
      editedImage = edited.image.data.slice();
    }
    const inferred = performance.now();
    drawImage(byId(this.ids.original), originalImage, this.look);
    drawImage(byId(this.ids.edited), editedImage, this.look);
    const diff = editedImage.map((v, i) => v - originalImage[i]);
    drawDiverging(byId(this.ids.diff), diff, 2, this.look);  // colour: the channels' mean
    const title = byId(this.ids.diff_title);
    if (title) {
      const largest = diff.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      title.textContent = "Difference (edited − original)" +
        (edits.length ? ": largest change " + formatG3(largest) : "");
    }
    const note = byId(this.ids.diff_note);
    if (note) { note.textContent = edits.length ? "" : "No edits yet: click the layer above."; }
    this.timed(values, started, inferred);
    this.last = {z: values.z.slice(), t: values.t, label: values.label, edits: edits.length, applied,
                 ms: performance.now() - started,
                 get original() { return Array.from(originalImage); },
                 get edited() { return Array.from(editedImage); }};
    this.runs += 1;
  }
}
