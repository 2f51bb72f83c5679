/* The colours the server's figures use, for what the page draws itself. */

/* One per digit, as gan_core.export.DIGIT_COLORS. */
export const DIGIT_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                             "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/* Their light partners, classes 10..19 (gan_core.images.D3_LIGHT). */
const LIGHT_COLORS = ["#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
                      "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"];

/* ``n`` class colours, as gan_core.images.class_palette (the digit colours first). */
export function classPalette(n) {
  return DIGIT_COLORS.concat(LIGHT_COLORS).slice(0, Math.max(1, Math.min(20, n)));
}

/* How a model's outputs are shown, from the page's manifest (dashboard/live.py
 * model_look): the image's height, width and channels (1 grey, 3 colour), the class names,
 * their colours and what one class is called. A manifest without them is an MNIST one. */
export function lookOf(manifest) {
  const m = manifest || {};
  const shape = Array.isArray(m.image_shape) && m.image_shape.length === 3
    ? m.image_shape.map(Number) : [28, 28, 1];
  const names = Array.isArray(m.class_names) && m.class_names.length
    ? m.class_names.map(String) : DIGIT_COLORS.map((_, d) => String(d));
  const palette = Array.isArray(m.palette) && m.palette.length >= names.length
    ? m.palette : classPalette(names.length);
  return {height: shape[0], width: shape[1], channels: shape[2], names, palette,
          noun: m.noun || "digit"};
}

/* Class ``k`` in a sentence, as dashboard.texts.class_text: "digit 3" for the digits,
 * else its name ("Sandal"). */
export function classText(look, k) {
  const name = look.names[k] === undefined ? String(k) : look.names[k];
  return look.noun === "digit" ? "digit " + name : name;
}

/* A class name as Plotly's labels show it (dashboard.texts.escaped). */
export function escaped(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/* The default look: 28x28 grey digits. */
export const DIGITS = lookOf(null);

export function hexRgb(h) {
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
}

/* Viridis in ten stops (the activation heatmaps), as [r, g, b]. */
export const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e",
                        "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"].map(hexRgb);

/* Plotly's RdBu, as the server's difference figure draws it (zmin -span, zmax span). */
export const RDBU = [[0, [5, 10, 172]], [0.35, [106, 137, 247]], [0.5, [190, 190, 190]],
                     [0.6, [220, 170, 132]], [0.7, [230, 145, 90]], [1, [178, 10, 28]]];
