/* The state the page's modules share: the pages drawing now, and their settings. */

export const pages = {};  // page name -> its Live (point.js), while the page draws

// When a key last moved one of a drawing page's latent sliders (performance.now()): the
// page drew that step itself, so the latent view hears of it only when the keys rest.
export const keys = {at: -Infinity};

export const settingsFor = {};  // page name -> {via, frames, mode} or {edits}, from its controls
