/* Numbers as the server writes them. */

/* Python's "{:+.2f}". */
export function signed(v) {
  return (v >= 0 ? "+" : "") + v.toFixed(2);
}

/* Python's "{:.3g}". */
export function formatG3(x) {
  if (x === 0) { return "0"; }
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 3) {
    const [m, e] = x.toExponential(2).split("e");
    const mant = m.replace(/\.?0+$/, "");
    const n = parseInt(e, 10);
    return mant + "e" + (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(2, "0");
  }
  return String(Number(x.toPrecision(3)));
}
