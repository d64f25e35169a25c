"""`ExecTerminal`: the Exec tab's xterm.js terminal of `assets/terminal.jsx`.

The component opens the shell WebSocket (`console/streams/exec.py`) itself: keystrokes and output never pass
through Reflex state. A new `src` starts a new session; "" shows nothing.
"""

from __future__ import annotations

import reflex as rx

_SOURCE = rx.asset("terminal.jsx")

XTERM = "@xterm/xterm@5.5.0"
XTERM_FIT = "@xterm/addon-fit@0.10.0"


def _code(code: rx.Var[int]) -> tuple[rx.Var[int]]:
    return (code,)


def _state(state: rx.Var[str], detail: rx.Var[str]) -> tuple[rx.Var[str], rx.Var[str]]:
    return (state, detail)


class ExecTerminal(rx.NoSSRComponent):
    """xterm.js + the fit addon, on `/ws/exec/{namespace}/{pod}?container=…`."""

    library = _SOURCE.importable_path
    tag = "ExecTerminal"
    lib_dependencies: list[str] = [XTERM, XTERM_FIT]

    src: rx.Var[str]  # the socket path with its query; "" idles
    height: rx.Var[str]  # a CSS length
    on_exit: rx.EventHandler[_code]  # the shell ended (-1: no exit code)
    on_state: rx.EventHandler[_state]  # connecting|open|exited|error|closed


exec_terminal = ExecTerminal.create
