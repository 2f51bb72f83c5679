"""The short texts the pages show: readouts, metrics, fidelity and convergence lines, and
how a model's classes are named (MNIST's "digit 3", Fashion-MNIST's "Sandal")."""

from __future__ import annotations

import html

from gan_core.labelling import DIGITS, class_name, class_names_or_default
from gan_core.latent import ClassMap, label_fidelity


def is_digits(class_names=None) -> bool:
    """Whether the classes are MNIST's digits (spoken of as "digit 3")."""
    return tuple(class_names_or_default(class_names)) == DIGITS


def class_noun(class_names=None) -> str:
    """What one class is called: "digit" for the digits, else "class"."""
    return "digit" if is_digits(class_names) else "class"


def class_text(k, class_names=None) -> str:
    """Class ``k`` in a sentence: "digit 3" for the digits, else its name ("Sandal")."""
    name = class_name(k, class_names)
    return f"digit {name}" if is_digits(class_names) else name


def sequence_text(sequence, class_names=None) -> str:
    """The class areas a path crosses, by name: "7 → 1 → 8", "T-shirt → Dress → Coat"."""
    return " → ".join(class_name(c, class_names) for c in sequence)


def escaped(text: str) -> str:
    """A class name as Plotly's labels show it (its pseudo-HTML escaped)."""
    return html.escape(str(text), quote=False)


def labelling_text(note: str, class_names) -> str:
    """Who colours the maps, under the map: "Class areas coloured by the bundled
    Fashion-MNIST classifier (10 classes)."."""
    return f"Class areas coloured by {note} ({len(list(class_names))} classes)."


def fidelity_text(cube: ClassMap) -> str:
    if cube.label is None:
        return ""
    return f"Label fidelity of cube {cube.label}: {label_fidelity(cube):.1f}% of its points are a {cube.label}"


def readout_text(point, probe, name: str = "z", class_names=None) -> str:
    """E.g. "z = (+0.10, -0.50) → digit 3 (p = 0.97)", or with a model's class names
    "→ Sandal (p = 0.97)"; ``name`` "t" for slice coordinates."""
    coords = ", ".join(f"{v:+.2f}" for v in point)
    what = class_text(probe.digit, class_names)
    return f"{name} = ({coords}) → {what} (p = {float(probe.probs.max()):.2f})"


_METRIC_DIGITS = {"classifier_fid": 1}


def metric_text(metrics: dict | None, key: str) -> str:
    """One metric for a table cell: '–' when missing; the strong-classifier error with the
    range of the classifiers it is the mean of, or how many held-out images one rests on;
    classifier-FID to one decimal, shares in percent to two decimals."""
    m = metrics or {}
    v = m.get(key)
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return "–"
    if key == "strong_classifier_error_percent":
        held_out = m.get("strong_classifier_heldout_images")
        text = f"{v:g}%"
        by_seed = m.get("strong_classifier_error_by_seed_percent")
        if (
            isinstance(by_seed, list)
            and len(by_seed) > 1
            and all(isinstance(e, (int, float)) and not isinstance(e, bool) for e in by_seed)
        ):
            return text + f" (mean of {len(by_seed)}: {min(by_seed):g}–{max(by_seed):g}%)"
        if isinstance(held_out, int) and held_out > 0:
            text += f" ({round(v * held_out / 100):,} of {held_out:,})"
        return text
    if key.endswith("_percent"):
        return f"{round(v, 2):g}%"
    if key in _METRIC_DIGITS:
        return f"{v:.{_METRIC_DIGITS[key]}f}"
    return f"{v:g}"


def convergence_text(map_change, metrics: dict | None, dataset: str = "MNIST") -> str:
    """The two signs of an unfinished generator: how much of the class map changed in the
    last epoch (``map_change``: the replay's per-epoch shares) and the faint-pixel haze
    (beside the real images' of ``dataset``)."""
    parts = []
    changes = [float(c) for c in (map_change if map_change is not None else []) if c == c]
    if changes:
        parts.append(f"class map changed {100 * changes[-1]:.1f}% in the last epoch")
    m = metrics or {}
    faint, real = m.get("faint_pixel_percent"), m.get("real_faint_pixel_percent")
    if isinstance(faint, (int, float)) and isinstance(real, (int, float)):
        parts.append(
            f"faint pixels (grey 1-10 of 255) {round(faint, 2):g}% of pixels, "
            f"real {dataset} {round(real, 2):g}%"
        )
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def epochs_text(epochs, metrics: dict | None) -> str:
    """Epochs trained, and the epoch the metrics were measured at when that is older."""
    measured = (metrics or {}).get("epochs_trained")
    if isinstance(measured, int) and isinstance(epochs, int) and measured != epochs:
        return f"{epochs} (metrics from epoch {measured})"
    return str(epochs)
