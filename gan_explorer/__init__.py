"""gan-explorer: the `gan-explorer` command line (gan_explorer.cli, which imports both the
library, gan_core, and the dashboard, so neither has to know the other) and
``explore(generator)`` to serve the dashboard on a generator from Python or Jupyter
(gan_explorer.notebook)."""

from gan_explorer.notebook import ExploreError, ExplorerHandle, explore

__all__ = ["ExploreError", "ExplorerHandle", "explore"]
