"""`LogViewer`: the pod log viewer of `assets/log_viewer.jsx`.

The component opens the log WebSocket (`console/streams/logs.py`) itself and keeps the lines in the browser:
they never pass through Reflex state. A new `src` starts a new stream; the other props only change how the
lines it holds are shown.
"""

from __future__ import annotations

import reflex as rx

_SOURCE = rx.asset("log_viewer.jsx")


class LogViewer(rx.NoSSRComponent):
    """A bounded, searchable, ANSI-coloured log list fed by `/ws/logs/{namespace}/{name}?…`."""

    library = _SOURCE.importable_path
    tag = "LogViewer"

    src: rx.Var[str]  # the socket path with its query (`/ws/logs/ns/name?kind=pod&tail=100&follow=1`); "" idles
    timestamps: rx.Var[bool]  # show each line's RFC 3339 stamp
    wrap: rx.Var[bool]  # wrap long lines instead of scrolling sideways
    show_pod: rx.Var[bool]  # prefix each line with its pod (a workload's logs)
    show_container: rx.Var[bool]  # prefix each line with its container (all containers)
    follow: rx.Var[bool]  # keep the newest line in view while it is
    download_name: rx.Var[str]  # file name the Download button saves
    height: rx.Var[str]  # of the line area, a CSS length


log_viewer = LogViewer.create
