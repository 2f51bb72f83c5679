"""The `gan-explorer` command line: it imports both the library (gan_core) and the dashboard,
so neither has to know the other."""
