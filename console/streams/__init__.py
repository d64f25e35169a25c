"""WebSocket streams the console serves beside Reflex's own socket (live pod logs). No Reflex imports."""

from console.streams.logs import log_routes

__all__ = ["log_routes"]
