"""Browser-side statements as an event, compiled into the page's bundle.

`rx.call_script` sends its text to be evaluated (`eval`), which the console's Content-Security-Policy
refuses; a function written into the bundle runs under it. Only for fixed statements known at build time.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec


def run_in_browser(statements: str) -> EventSpec:
    return rx.call_function(rx.Var(f"() => {{ {statements} }}"))
