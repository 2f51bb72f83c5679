"""The home page's tables: every model's metrics, and the activation-function comparison."""

from __future__ import annotations

from dash import dcc, html

from dashboard import registry
from dashboard.texts import epochs_text, metric_text
from gan_core.comparison import activation_comparison

ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "prelu": "PReLU", "elu": "ELU"}


def _metric(m: dict, key: str) -> str:
    return metric_text(m, key)


def _latent_text(row: dict) -> str:
    """The latent dimension, with the prior when it is not the study's box."""
    prior = row.get("prior") or "uniform[-1,1]"
    return str(row["latent_dim"]) + ("" if prior == "uniform[-1,1]" else f" ({prior})")


def models_table(described: list[dict] | None = None) -> html.Table:
    """One row per model: its dataset (or own classifier), latent space, training and
    metrics (gan_core.checkpoints.describe_checkpoints rows)."""
    head = html.Tr([html.Th(h) for h in ("model", "dataset", "latent", "conditional", "activation", "epochs",
                                           "strong-classifier error",
                                           "classifier-FID", "digits present", "label fidelity",
                                           "faint pixels (real 0.75%)", "map change, last epoch")])  # fmt: skip
    rows = []
    for row in registry.describe() if described is None else described:
        if row["id"] == "classifier" or row.get("kind"):  # the classifiers: not generators
            continue
        if "error" in row:
            rows.append(html.Tr([html.Td(row["id"]), html.Td(f"unusable: {row['error']}", colSpan=11,
                                                             className="error")]))  # fmt: skip
            continue
        m = row.get("metrics") or {}
        rows.append(html.Tr([
            html.Td(row["id"]), html.Td(row.get("dataset") or "–"), html.Td(_latent_text(row)), html.Td("yes" if row["conditional"] else "no"),
            html.Td(ACTIVATION_NAMES.get(row.get("activation"), row.get("activation"))), html.Td(epochs_text(row["epochs"], row.get("metrics"))), html.Td(_metric(m, "strong_classifier_error_percent")),
            html.Td(_metric(m, "classifier_fid")), html.Td(_metric(m, "classes_present")),
            html.Td(_metric(m, "label_fidelity_percent")), html.Td(_metric(m, "faint_pixel_percent")),
            html.Td(_metric(m, "map_change_last_epoch_percent")),
        ]))  # fmt: skip
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table")


def activation_table(described: list[dict] | None = None) -> html.Div:
    """The study's activation-function comparison of the 3D GAN, measured on this project's models."""
    result = activation_comparison(registry.describe() if described is None else described)
    if not result["rows"]:
        return html.Div(
            html.P("No evaluated 3D GAN variants (train them with scripts/train_variants.sh).", className="note"),
            id="activation-table",
        )  # fmt: skip
    head = html.Tr([html.Th(h) for h in ("activation", "model", "epochs", "strong-classifier error",
                                           "classifier-FID", "digits present", "rarest digit", "")])  # fmt: skip
    body = [
        html.Tr(
            [
                html.Td(ACTIVATION_NAMES[r["activation"]] + (" (best)" if r["best"] else "")),
                html.Td(dcc.Link(r["model"], href=f"/explore?model={r['model']}")),
                html.Td(r["epochs"]), html.Td(_metric(r, "strong_classifier_error_percent")),
                html.Td(_metric(r, "classifier_fid")), html.Td(_metric(r, "classes_present")),
                html.Td(_metric(r, "min_class_share_percent")),
                html.Td(None if r["best"] else dcc.Link(
                    "compare with the best", href=f"/compare?left={result['rows'][0]['model']}&right={r['model']}")),
            ],
            className="best" if r["best"] else None,
        )
        for r in result["rows"]
    ]  # fmt: skip
    if result["same_budget"]:
        budget = html.P(f"Every variant had the same budget: {result['budget']}.", className="note")
    else:
        budget = html.P("Budgets differ, so this is not a fair comparison: " + "; ".join(result["issues"]),
                        className="error")  # fmt: skip
    missing = [ACTIVATION_NAMES[a] for a in result["missing"]]
    return html.Div(
        [
            html.Table([html.Thead(head), html.Tbody(body)], className="table"),
            budget,
            html.P(f"Not trained yet: {', '.join(missing)}.", className="note") if missing else None,
            html.P("Best: the highest strong-classifier error (ties go to the lower classifier-FID). "
                   "Hidden layers use the activation, the last layer is always tanh. The study found ReLU "
                   "best; this table is this project's own measurement.", className="note"),
        ],
        id="activation-table",
    )  # fmt: skip
