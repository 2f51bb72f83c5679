"""/ : what each view shows, and each model's quality metrics."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import registry

VIEWS = (
    ("/explore", "Explore", "Drag a point through the latent space of the 2D, 3D or 4D GAN: the generated "
     "digit, its place on the map of class areas (or inside the class cube, with three projections), the "
     "classifier's probabilities and every layer's average activations follow while you drag."),
    ("/morph", "Morph A→B", "Pick points A and B (and waypoints), animate the morph along the path and see "
     "which class areas it crosses, e.g. 7 → 1 → 8."),
    ("/cgan", "CGAN", "The conditional GAN: Change Number feeds a label to the generator, Change 3D map "
     "shows the cube of any label, with its label fidelity."),
    ("/activations", "Activations", "Every generator layer as heatmaps; zero rows, columns, channels, regions "
     "or single units and see the image the rest of the network makes from that."),
)  # fmt: skip


def _metric(m: dict, key: str, suffix: str = "") -> str:
    v = m.get(key)
    return "–" if v is None else f"{v}{suffix}"


def models_table() -> html.Table:
    head = html.Tr([html.Th(h) for h in ("model", "latent", "conditional", "epochs", "strong-classifier error",
                                           "classifier-FID", "digits present", "label fidelity")])  # fmt: skip
    rows = []
    for row in registry.describe():
        if row["id"] == "classifier":
            continue
        if "error" in row:
            rows.append(html.Tr([html.Td(row["id"]), html.Td(f"unusable: {row['error']}", colSpan=7,
                                                             className="error")]))  # fmt: skip
            continue
        m = row.get("metrics") or {}
        rows.append(html.Tr([
            html.Td(row["id"]), html.Td(row["latent_dim"]), html.Td("yes" if row["conditional"] else "no"),
            html.Td(row["epochs"]), html.Td(_metric(m, "strong_classifier_error_percent", "%")),
            html.Td(_metric(m, "classifier_fid")), html.Td(_metric(m, "classes_present")),
            html.Td(_metric(m, "label_fidelity_percent", "%")),
        ]))  # fmt: skip
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table")


def layout(**_query):
    return html.Div(
        [
            html.H2("Look inside small GANs trained on MNIST"),
            html.P(
                "Each generator turns a point of a 2-, 3- or 4-dimensional latent space into a digit. "
                "A separate digit classifier colours every point by the digit generated there: the map "
                "of class areas.",
                className="lead",
            ),  # fmt: skip
            html.Div(
                [
                    html.Div(
                        [dcc.Link(html.H3(title), href=href), html.P(text)],
                        className="card view-card",
                    )
                    for href, title, text in VIEWS
                ],
                className="view-grid",
            ),  # fmt: skip
            html.H3("Models"),
            models_table(),
            html.P(
                "Strong-classifier error: held-out error of a CNN trained to tell real from generated "
                "digits (higher is better, 50% is perfect). Classifier-FID: Fréchet distance on the digit "
                "classifier's features (lower is better; not Inception FID).",
                className="note",
            ),  # fmt: skip
        ]
    )


dash.register_page(
    __name__, path="/", name="Home", title="GAN latent-space explorer", layout=layout
)
