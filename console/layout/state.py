"""What the frame (header, sidebar) shows about this Sovereign."""

from __future__ import annotations

import reflex as rx

from console.settings import get_settings


class SovereignState(rx.State):
    """Sovereign identity for the header; read from settings when the backend starts."""

    sovereign_name: str = get_settings().sovereign_name
    sovereign_fqdn: str = get_settings().sovereign_fqdn
