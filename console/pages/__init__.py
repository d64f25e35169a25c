"""The console's pages, one folder per feature (page, states, components); `routes.py` lists them all."""
