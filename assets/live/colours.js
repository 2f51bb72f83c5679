/* The colours the server's figures use, for what the page draws itself. */

/* One per digit, as gan_core.export.DIGIT_COLORS. */
export const DIGIT_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                             "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export function hexRgb(h) {
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
}

/* Viridis in ten stops (the activation heatmaps), as [r, g, b]. */
export const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e",
                        "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"].map(hexRgb);

/* Plotly's RdBu, as the server's difference figure draws it (zmin -span, zmax span). */
export const RDBU = [[0, [5, 10, 172]], [0.35, [106, 137, 247]], [0.5, [190, 190, 190]],
                     [0.6, [220, 170, 132]], [0.7, [230, 145, 90]], [1, [178, 10, 28]]];
