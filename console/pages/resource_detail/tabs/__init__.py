"""The detail page's tab bodies, one module per tab (with the tab's own state beside it where it has one)."""
