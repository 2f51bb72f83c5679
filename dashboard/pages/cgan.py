"""/cgan: the explorer for the conditional GAN (label controls shown)."""

from __future__ import annotations

import dash

from dashboard.pages.explore import explore_layout


def layout(**_query):
    return explore_layout(conditional=True)


dash.register_page(
    __name__, path="/cgan", name="CGAN", title="CGAN · GAN latent space", layout=layout
)
