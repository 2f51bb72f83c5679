/* The image helper: a generator's outputs painted on canvases, as the server's figures
 * show them (a missing canvas is skipped). ``look`` (colours.js lookOf) says the image's
 * height, width and channels (1: grey, 3: colour, RGB from the channels), the class
 * names and their colours; left out, a 28x28 grey digit. */
import {DIGITS, RDBU, VIRIDIS} from "./colours.js";

/* A canvas of ``w`` x ``h`` pixels; a page canvas that is not square any more keeps the
 * image's shape (its CSS gives it a width, the height follows). */
function fitCanvas(canvas, w, h) {
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    if (canvas.style) { canvas.style.height = w === h ? "" : "auto"; }
  }
}

function level(v) {
  return Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
}

/* An image in [-1, 1] (H*W*C values, channels last): grey, or RGB from 3 channels. */
export function drawImage(canvas, data, look = DIGITS) {
  if (!canvas) { return; }
  const {height: H, width: W, channels: C} = look;
  fitCanvas(canvas, W, H);
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(W, H);
  for (let i = 0; i < H * W; i++) {
    if (C === 3) {
      for (let ch = 0; ch < 3; ch++) { img.data[4 * i + ch] = level(data[3 * i + ch]); }
    } else {
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = level(data[i * C]);
    }
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/* ``text`` cut with an ellipsis to at most ``room`` pixels in the context's font. */
function fitText(ctx, text, room) {
  if (ctx.measureText(text).width <= room) { return text; }
  let n = text.length;
  while (n > 1 && ctx.measureText(text.slice(0, n - 1) + "…").width > room) { n -= 1; }
  return text.slice(0, n - 1) + "…";
}

/* The classes' probabilities as bars in their colours, named below (names too wide for
 * their bar are slanted). */
export function drawProbs(canvas, probs, look = DIGITS) {
  if (!canvas) { return; }
  const ctx = canvas.getContext("2d");
  const names = look.names, k = names.length;
  const pad = 26, w = canvas.width - pad, h = canvas.height, bw = w / k;
  ctx.clearRect(0, 0, canvas.width, h);
  ctx.font = "12px sans-serif";
  const widest = Math.max(...names.map((n) => ctx.measureText(n).width));
  const slanted = widest > bw - 4;
  const room = slanted ? Math.min(h / 3, widest * Math.SQRT1_2 + 10) : 18;
  const base = h - room, top = 6, span = base - top;
  ctx.strokeStyle = "#e5e5e5";
  ctx.fillStyle = "#666";
  ctx.textAlign = "right";
  for (const p of [0, 0.5, 1]) {  // the probability axis, as on the server's chart
    const y = base - p * span;
    ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(canvas.width, y); ctx.stroke();
    ctx.fillText(String(p), pad - 4, y + 4);
  }
  ctx.textAlign = "center";
  for (let d = 0; d < k; d++) {
    const bh = Math.max(0, Math.min(1, probs[d])) * span;
    const x = pad + d * bw + bw / 2;
    ctx.fillStyle = look.palette[d];
    ctx.fillRect(pad + d * bw + bw * 0.15, base - bh, bw * 0.7, bh);
    ctx.fillStyle = "#333";
    if (!slanted) {
      ctx.fillText(names[d], x, h - 4);
    } else {
      ctx.save();
      ctx.translate(x + 3, base + 8);
      ctx.rotate(-Math.PI / 4);
      ctx.textAlign = "right";
      ctx.fillText(fitText(ctx, names[d], (room - 10) / Math.SQRT1_2), 0, 0);
      ctx.restore();
    }
  }
}

/* A layer's map (geometry.meanMap) in viridis, from its lowest to its highest value;
 * cells with no value (NaN) are left blank. */
export function drawHeatmap(canvas, map) {
  canvas.width = map.cols;
  canvas.height = map.rows;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(map.cols, map.rows);
  let lo = Infinity, hi = -Infinity;
  for (const v of map.values) { if (v < lo) { lo = v; } if (v > hi) { hi = v; } }
  const span = hi > lo ? hi - lo : 1;
  map.values.forEach((v, i) => {
    if (Number.isNaN(v)) { return; }
    const t = ((v - lo) / span) * (VIRIDIS.length - 1);
    const k = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - k;
    for (let ch = 0; ch < 3; ch++) {
      img.data[4 * i + ch] = Math.round(VIRIDIS[k][ch] * (1 - f) + VIRIDIS[k + 1][ch] * f);
    }
    img.data[4 * i + 3] = 255;
  });
  ctx.putImageData(img, 0, 0);
}

/* A difference of two images in RdBu, -span blue to span red; of a colour image, the
 * mean over its channels. */
export function drawDiverging(canvas, data, span, look = DIGITS) {
  if (!canvas) { return; }
  const {height: H, width: W, channels: C} = look;
  fitCanvas(canvas, W, H);
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(W, H);
  for (let i = 0; i < H * W; i++) {
    let v = 0;
    for (let ch = 0; ch < C; ch++) { v += data[i * C + ch]; }
    const t = Math.max(0, Math.min(1, (v / C + span) / (2 * span)));
    let k = 0;
    while (k < RDBU.length - 2 && t > RDBU[k + 1][0]) { k += 1; }
    const [t0, c0] = RDBU[k], [t1, c1] = RDBU[k + 1];
    const f = (t - t0) / (t1 - t0);
    for (let ch = 0; ch < 3; ch++) { img.data[4 * i + ch] = Math.round(c0[ch] + (c1[ch] - c0[ch]) * f); }
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/* The frames side by side, each frame's class above it in its colour (as the server's
 * strip figure shows them): a frame about 84 pixels wide (a digit 3x). */
export function drawStrip(canvas, images, classes, look = DIGITS) {
  if (!canvas) { return; }
  const {height: H, width: W} = look;
  const S = Math.max(1, Math.round(84 / Math.max(H, W)));  // pixels per image pixel
  const u = Math.max(1, Math.round((S * Math.max(H, W)) / 28));  // a digit's 3: gaps, names
  const top = 12 * u, step = W * S + 2 * u;
  canvas.width = images.length * step - 2 * u;
  canvas.height = top + H * S;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const tile = document.createElement("canvas");
  tile.width = W;
  tile.height = H;
  ctx.imageSmoothingEnabled = false;
  ctx.textAlign = "center";
  const font = (px) => "bold " + px + "px sans-serif";
  ctx.font = font(10 * u);
  const widest = Math.max(...classes.map((c) => ctx.measureText(look.names[c]).width));
  if (widest > step - 4) { ctx.font = font(Math.max(8, Math.floor((10 * u * (step - 4)) / widest))); }
  images.forEach((im, i) => {
    drawImage(tile, im, look);
    ctx.drawImage(tile, i * step, top, W * S, H * S);
    ctx.fillStyle = look.palette[classes[i]];
    ctx.fillText(fitText(ctx, look.names[classes[i]], step - 2), i * step + (W * S) / 2, top - 4);
  });
}
