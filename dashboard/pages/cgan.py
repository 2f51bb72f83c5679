"""/cgan: the explorer for the conditional GAN (label controls shown)."""

from __future__ import annotations

import dash

from dashboard.pages.explore import explore_layout


def layout(**query):
    return explore_layout(conditional=True, query=query)


dash.register_page(
    __name__, path="/cgan", name="CGAN", title="CGAN · GAN latent space", order=3, layout=layout
)
