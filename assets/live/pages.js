/* The pages' wiring: what their clientside callbacks call (window.ganLive, see main.js).
 * A page that cannot draw in the page (switched off, no graph, no runtime) keeps the
 * server path: its latent sliders report every drag step to Dash again. */
import {EditLive} from "./edit.js";
import {MorphLive} from "./morph.js";
import {Live} from "./point.js";
import {byId} from "./sliders.js";
import {keys, pages, settingsFor} from "./store.js";

const KEY_STEP_MS = 150;  // a slider value this soon after a key on it is that key's step
const KEY_REST_MS = 400;  // the latent view hears of key steps once keys rest this long

const KINDS = {morph: MorphLive, act: EditLive};  // page name -> its drawing; else Live

/* Called by a page's clientside callback (dashboard/live.py register_page) with the
 * model's graph manifest (or the reason it has none) and, in ``manifest.ids``, the page's
 * element ids. Returns the status line; the server path stays until the page draws. */
export function attach(root, manifest, sliderType) {
  if (pages[root]) { pages[root].stop(); delete pages[root]; }
  const ids = (manifest && manifest.ids) || {};
  const serverPath = (why) => {
    fallBack(root, ids, sliderType);
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
  const live = new (KINDS[root] || Live)(root, manifest);
  pages[root] = live;
  const status = (text) => window.dash_clientside.set_props(ids.status, {children: text});
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
function fallBack(root, ids, sliderType) {
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
  const boxes = [ids.sliders, ids.a_sliders, ids.b_sliders].map(byId).filter((el) => el);
  if (boxes.length && !fallbacks[root]) {
    fallbacks[root] = new MutationObserver(apply);
    boxes.forEach((box) => fallbacks[root].observe(box, {childList: true, subtree: true}));
  }
}

function stopFallBack(root) {
  if (fallbacks[root]) { fallbacks[root].disconnect(); delete fallbacks[root]; }
}

/* The page draws ``model`` itself now. */
function drawing(root, model) {
  const live = pages[root];
  return live && live.on && live.manifest.model === model ? live : null;
}

/* What the server should draw for a page's point: nothing (no_update) while this page
 * draws the same model itself, else the point record ({values, label}). */
export function serverPoint(root, model, values, label) {
  if (drawing(root, model)) { return window.dash_clientside.no_update; }
  return {values: values || [], label: label === undefined ? null : label};
}

/* A latent view's copy of the page's point (LatentView.follow): at once, unless the value
 * is a key step on a slider of a page that draws it itself; then only once the keys rest,
 * as a drag is heard of only when let go (no request per key step). */
const waiting = {};
export function viewPoint(values) {
  const now = values === undefined ? null : values;
  const ctx = window.dash_clientside.callback_context;
  const out = ctx && ctx.outputs_list;
  const id = out && !Array.isArray(out) ? out.id : null;
  if (!id) { return now; }
  const key = JSON.stringify(id);
  clearTimeout(waiting[key]);
  delete waiting[key];
  if (performance.now() - keys.at > KEY_STEP_MS) { return now; }
  waiting[key] = setTimeout(() => {
    delete waiting[key];
    window.dash_clientside.set_props(id, {data: now});
  }, KEY_REST_MS);
  return window.dash_clientside.no_update;
}

/* A page's path settings (the morph's waypoints, frames and interpolation) or edits: the
 * page redraws with them at once. */
export function settings(root, values) {
  settingsFor[root] = values;
  const live = pages[root];
  if (live && live.on) { live.source = "settings"; live.schedule(live.values()); }
  return window.dash_clientside.no_update;
}

/* What the server should morph: nothing while this page computes the model's frames
 * itself, else the controls' record. */
export function serverMorph(root, model, record) {
  return drawing(root, model) ? window.dash_clientside.no_update : record;
}

/* What the server should cut the slices through A and B for: nothing when this page
 * drew them from the model's cubes itself, else the record. */
export function serverSlices(root, model, record) {
  const live = drawing(root, model);
  if (live && record && record.a) {
    const moved = Array.isArray(record.moved) ? record.moved : ["a", "b"];
    if (moved.every((name) => live.drawSlices(name, record[name], record.label))) {
      return window.dash_clientside.no_update;
    }
  }
  return record;
}
