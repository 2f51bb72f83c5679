"""The study's activation-function comparison, from this project's own checkpoints and metrics.

The study trained the 3D generator with ReLU, LeakyReLU, PReLU and ELU hidden activations
and compared their strong-classifier errors (higher is better). Here each variant is a
checkpoint (``gan-3d`` is the LeakyReLU one, ``gan-3d-relu`` etc. the others) and its row
comes from ``metrics.json`` written by ``gan-explorer evaluate``. A comparison is only fair
when every variant had the same budget, so the budgets are checked and any difference is
reported next to the table instead of being hidden.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from gan_core.recipe import Recipe, RecipeError

ACTIVATIONS = ("relu", "leaky_relu", "prelu", "elu")
BUDGET_KEYS = ("epochs", "batch_size", "learning_rate", "mixed_precision", "seed", "recipe")


def budget_of(row: dict[str, Any]) -> dict[str, Any]:
    """What a variant was trained with; ``epochs`` is the epoch its metrics were measured at."""
    metrics = row.get("metrics") or {}
    budget = dict(row.get("budget") or {})
    budget["epochs"] = metrics.get("epochs_trained", row.get("epochs"))
    recipe = budget.get("recipe")
    if isinstance(recipe, dict) and recipe:  # options added later: the value it trained with
        try:
            budget["recipe"] = Recipe.from_json(recipe).to_json()
        except (RecipeError, TypeError):
            pass  # compared as recorded
    return {k: budget.get(k) for k in BUDGET_KEYS}


def _canonical(budget: dict[str, Any]) -> str:
    """A budget as a comparable string: recipes compare by their options, in any order,
    and a missing recipe is the plain loop, as ``{}`` is."""
    if "recipe" in budget:
        budget = {**budget, "recipe": budget["recipe"] or None}
    return json.dumps(budget, sort_keys=True, default=str)


def _describe_budget(budget: dict[str, Any]) -> str:
    parts = [
        f"{budget['epochs']} epochs",
        f"batch {budget['batch_size']}",
        f"lr {budget['learning_rate']}",
    ]
    parts += [str(budget["mixed_precision"]), f"seed {budget['seed']}"]
    parts.append("the training recipe" if budget.get("recipe") else "the plain loop")
    return ", ".join(parts)


def _recipe_difference(recipes: dict[str, dict[str, Any] | None]) -> str:
    """How the variants' recipes differ, in words: which model ran the plain loop, or which
    options differ and their values."""
    if not all(recipes.values()):  # {} or None: the study's plain loop
        return "recipe differs: " + ", ".join(
            f"{m} {'training recipe' if r else 'plain loop'}" for m, r in recipes.items()
        )
    options = sorted({k for r in recipes.values() for k in r})
    differing = [k for k in options if len({repr(r.get(k)) for r in recipes.values()}) > 1]
    return "; ".join(
        f"recipe {k} differs: " + ", ".join(f"{m} {r.get(k)}" for m, r in recipes.items())
        for k in differing
    )


def activation_comparison(rows: list[dict[str, Any]], latent_dim: int = 3) -> dict[str, Any]:
    """The activation table from ``describe_checkpoints``-style rows.

    Candidates are the unconditional, evaluated models with ``latent_dim`` whose id is
    ``gan-{latent_dim}d`` or ``gan-{latent_dim}d-<activation>``; uploaded or unusable models
    never take part. Returns ``{"rows": [...], "same_budget": bool, "budget": str, "issues":
    [...], "missing": [...]}`` with rows ordered best first (highest strong-classifier error);
    the best row has ``best=True`` when at least two variants were measured.
    """
    base = f"gan-{latent_dim}d"
    candidates: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        model_id = row.get("id")
        if not isinstance(model_id, str) or "error" in row:
            continue
        if model_id != base and not model_id.startswith(base + "-"):
            continue
        if row.get("conditional") or row.get("latent_dim") != latent_dim:
            continue
        activation = row.get("activation")
        metrics = row.get("metrics") or {}
        if activation not in ACTIVATIONS or metrics.get("strong_classifier_error_percent") is None:
            continue
        candidates.setdefault(activation, []).append(row)

    # One model per activation: the one whose budget matches the most common budget; ties
    # prefer the shorter id (gan-3d over a copy of it).
    all_budgets = Counter(_canonical(budget_of(r)) for rs in candidates.values() for r in rs)
    chosen = []
    for activation in ACTIVATIONS:
        options = candidates.get(activation, [])
        if options:
            chosen.append(
                min(options, key=lambda r: (-all_budgets[_canonical(budget_of(r))], len(r["id"])))
            )

    table = []
    for row in chosen:
        m = row["metrics"]
        table.append(
            {
                "activation": row["activation"],
                "model": row["id"],
                "epochs": budget_of(row)["epochs"],
                "strong_classifier_error_percent": m.get("strong_classifier_error_percent"),
                "strong_classifier_heldout_images": m.get("strong_classifier_heldout_images"),
                "strong_classifier_error_by_seed_percent": m.get(
                    "strong_classifier_error_by_seed_percent"
                ),
                "classifier_fid": m.get("classifier_fid"),
                "classes_present": m.get("classes_present"),
                "min_class_share_percent": m.get("min_class_share_percent"),
                "best": False,
            }
        )
    table.sort(key=lambda r: (-r["strong_classifier_error_percent"], r["classifier_fid"] or 0.0))
    if len(table) >= 2:
        table[0]["best"] = True

    budgets = {r["id"]: budget_of(r) for r in chosen}
    issues = []
    for key in BUDGET_KEYS:
        values = {model: b[key] for model, b in budgets.items()}
        if len({_canonical({key: v}) for v in values.values()}) <= 1:
            continue
        if key == "recipe":
            issues.append(_recipe_difference(values))
        else:
            issues.append(f"{key} differs: " + ", ".join(f"{m} {v}" for m, v in values.items()))
    first = next(iter(budgets.values()), None)
    return {
        "rows": table,
        "same_budget": not issues,
        "budget": _describe_budget(first) if first and not issues else "",
        "issues": issues,
        "missing": [a for a in ACTIVATIONS if a not in candidates],
    }
