"""`/settings`: who is signed in, the theme, and how this console is configured (read-only)."""
