/* The generator in the page: a latent slider's drag runs the model here and draws the
 * image, the probabilities, the activation heatmaps and the map marker, with no request
 * to the server per step (the sliders report to Dash only when released). The code is in
 * the ES modules of assets/live/ (main.js first; Dash does not load that folder itself,
 * see dashboard/app.py), imported from here; ONNX Runtime Web (assets/vendor/) is loaded
 * on first use. If it or the graph cannot be loaded, the page keeps the server path.
 *
 * Until the modules have run (they come after the pages' first callbacks may), this
 * window.ganLive answers for them: no page draws in the browser yet, so the server draws
 * every point; an attach waits for the modules. */
(function () {
  "use strict";
  if (window.ganLive) { return; }
  const early = {};  // page name -> settings given before the modules came
  const ganLive = window.ganLive = {
    pages: {},
    early,
    attach: (...args) => ready.then((live) => live.attach(...args)),
    settings(root, values) { early[root] = values; return window.dash_clientside.no_update; },
    serverPoint: (root, model, values, label) =>
      ({values: values || [], label: label === undefined ? null : label}),
    serverMorph: (root, model, record) => record,
    serverSlices: (root, model, record) => record,
  };
  const here = document.currentScript ? document.currentScript.src : location.href;
  const ready = import(new URL("live/main.js", here).href).then(
    (main) => main.install(ganLive),
    (err) => {
      ganLive.attach = () => "Drawn by the server: the page's script could not be loaded (" +
        (err && err.message ? err.message : err) + ").";
      return ganLive;
    });
  ganLive.ready = ready;
})();
