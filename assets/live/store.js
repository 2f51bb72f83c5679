/* The state the page's modules share: the pages drawing now, and their settings. */

export const pages = {};  // page name -> its Live (point.js), while the page draws

export const settingsFor = {};  // page name -> {via, frames, mode} or {edits}, from its controls
