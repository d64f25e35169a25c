"""Pages, listed explicitly and added to the app in one loop (console/console.py)."""
