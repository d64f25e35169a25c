"""Identity domain core: claims, sessions, safe redirects. No Reflex imports."""
