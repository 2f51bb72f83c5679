/* The image helper: a generator's outputs painted on canvases, as the server's figures
 * show them (a missing canvas is skipped). */
import {DIGIT_COLORS, RDBU, VIRIDIS} from "./colours.js";

/* A 28x28 image in [-1, 1], grey. */
export function drawImage(canvas, data) {
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

/* The ten digits' probabilities as bars in their colours. */
export function drawProbs(canvas, probs) {
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

/* A layer's map (geometry.meanMap) in viridis, from its lowest to its highest value. */
export function drawHeatmap(canvas, map) {
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

/* A 28x28 difference in RdBu, -span blue to span red. */
export function drawDiverging(canvas, data, span) {
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

/* The frames side by side, each frame's digit above it in its colour (as the server's
 * strip figure shows them). */
export function drawStrip(canvas, images, classes) {
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
