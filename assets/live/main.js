/* The page's generator, as ES modules (loaded by assets/live.js): puts their entry points
 * on window.ganLive, where the pages' clientside callbacks and the tests find them.
 *
 *   runtime.js  the model helper: ONNX Runtime Web, a graph's session, its inputs
 *   drawing.js  the image helper: outputs painted on canvases
 *   point.js    a page that draws a point (the explorer), with step() joining the two;
 *               morph.js and edit.js: the morph and the activations pages
 *   pages.js    the pages' wiring (attach, the server path); plot.js the figures' overlays;
 *   geometry.js, colours.js, format.js, cubes.js, sliders.js, store.js: the rest */
import {attach, serverMorph, serverPoint, serverSlices, settings, viewPoint} from "./pages.js";
import {interpolatePath} from "./geometry.js";
import {cubesFor} from "./cubes.js";
import {loadOrt} from "./runtime.js";
import {pages, settingsFor} from "./store.js";

export const api = {attach, pages, loadOrt, serverPoint, serverMorph, serverSlices, settings,
                    interpolatePath, cubesFor, viewPoint};

export function install(target) {
  Object.assign(settingsFor, target.early || {}, settingsFor);
  return Object.assign(target, api);
}
