"""`SessionGate`: the full-page navigation to sign in when the server finds no live session
(`assets/session_gate.jsx`), without script text from the server (the CSP forbids eval)."""

from __future__ import annotations

import reflex as rx

_SOURCE = rx.asset("session_gate.jsx")


class SessionGate(rx.Component):
    """Renders nothing; navigates to `/login?next=<this page>` once `signed_out` turns true."""

    library = _SOURCE.importable_path
    tag = "SessionGate"

    signed_out: rx.Var[bool]

    on_framed: rx.EventHandler[rx.event.no_args_event_spec]


session_gate = SessionGate.create
