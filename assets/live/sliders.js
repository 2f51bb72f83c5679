/* What the page's sliders show: a latent point, a CGAN label, and where a pointer puts a
 * dragged slider's value (read from the DOM; Dash hears of a drag only when let go). */

/* The element with id ``id`` (null for none, or no id). */
export function byId(id) {
  return id ? document.getElementById(id) : null;
}

/* A latent point from the thumbs of a box of sliders (pattern ids: {"index": i, ...}),
 * as the slider shows it now. */
export function readPoint(id) {
  const z = [];
  const box = byId(id);
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

/* The plane a box of sliders moves on (above 4-D; see dashboard/components
 * slice_sliders): {spec, origin, basis, range}, or null when the sliders hold z itself. */
export function readSlice(id) {
  const box = byId(id);
  const el = box ? box.querySelector("[data-slice]") : null;
  if (!el) { return null; }
  if (el.__slice === undefined) {
    try { el.__slice = JSON.parse(el.getAttribute("data-slice")); } catch (e) { el.__slice = null; }
  }
  return el.__slice;
}

/* z = origin + t @ basis: the latent point at slice coordinates t. */
export function onSlice(plane, t) {
  const z = plane.origin.slice();
  plane.basis.forEach((row, k) => {
    const tk = t[k];
    for (let i = 0; i < z.length; i += 1) { z[i] += tk * row[i]; }
  });
  return z;
}

/* The slice coordinates t of the plane's point nearest to z: (z - origin) @ basis^T. */
export function toSlice(plane, z) {
  return plane.basis.map((row) => row.reduce((s, u, i) => s + u * (z[i] - plane.origin[i]), 0));
}

/* A CGAN label from a digit slider (0 when there is none). */
export function readLabel(id) {
  const box = byId(id);
  const lab = box ? box.querySelector("[role=slider]") : null;
  return lab ? parseInt(lab.getAttribute("aria-valuenow"), 10) || 0 : 0;
}

/* Where a pointer at clientX puts a slider's value, as the slider computes it (its
 * root's box spans min..max; the value snaps to the step of its number box), and which
 * coordinate it holds (the pattern id's index; null for a label slider). Measured once
 * per press. */
export function sliderGeometry(slider) {
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
