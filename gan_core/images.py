"""Image conventions shared by every view and export.

A model's images are (H, W, C) with C = 1 (grey) or 3 (colour), values in [-1, 1]. Views and
exports handle them *squeezed*: a grey image as (H, W), a colour one as (H, W, 3) (and
stacks as (N, H, W) or (N, H, W, 3)), so grey code paths stay 2-D arrays.

Classes are coloured by :func:`class_palette`: Plotly's D3 colours for up to 10 classes
(the digit colours, unchanged), the D3 "category20" pairs for 11 to 20.
"""

from __future__ import annotations

import numpy as np

MAX_PALETTE = 20

# Plotly's D3 qualitative palette (distinct and readable on white): classes 0..9.
D3 = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
# Their light partners (D3 category20's second colours): classes 10..19.
D3_LIGHT = (
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip


def class_palette(n: int) -> list[str]:
    """``n`` distinct hex colours (2 <= n <= 20) for classes 0..n-1; the first ten are
    always the D3 ones, so a 10-class map keeps its colours."""
    n = int(n)
    if not 1 <= n <= MAX_PALETTE:
        raise ValueError(f"a palette has 1..{MAX_PALETTE} colours, not {n}")
    return list((D3 + D3_LIGHT)[:n])


def squeeze(images: np.ndarray) -> np.ndarray:
    """(..., H, W, 1) -> (..., H, W); (..., H, W, 3) and (..., H, W) unchanged."""
    arr = np.asarray(images)
    if arr.ndim >= 3 and arr.shape[-1] == 1:
        return arr[..., 0]
    return arr


def is_colour(image: np.ndarray) -> bool:
    """Whether a squeezed image (H, W, 3) or stack (N, H, W, 3) is in colour."""
    arr = np.asarray(image)
    return arr.ndim >= 3 and arr.shape[-1] == 3


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> uint8 0..255 of the same (squeezed) shape."""
    arr = squeeze(np.asarray(images, np.float32))
    return np.clip((arr + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
