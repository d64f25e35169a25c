"""Every event handler a person triggers is timed in `console_event_handler_seconds`; follow loops are not."""

from __future__ import annotations

from prometheus_client import generate_latest

import console.pages.routes  # noqa: F401 - every page's states, declared as the app declares them
from console.observability.counters import REGISTRY, timed_handler


def _exposition() -> str:
    return generate_latest(REGISTRY).decode()


def test_the_handlers_of_every_page_are_timed_and_background_loops_are_not():
    text = _exposition()
    for handler in (
        "CloudListState.open_list",
        "AuditState.open_audit",
        "SessionState.check",
        "GrantState.choose_tier",
    ):
        assert f'console_event_handler_seconds_count{{handler="{handler}"}}' in text, handler
    assert 'handler="CloudListState.follow"' not in text  # runs as long as the tab: not a latency


async def test_a_timed_coroutine_and_generator_are_observed_once_per_call():
    class Probe:
        async def load(self) -> int:
            return 1

        async def stream(self):
            yield 1
            yield 2

    load, stream = timed_handler(Probe.load), timed_handler(Probe.stream)
    assert await load(Probe()) == 1
    assert [update async for update in stream(Probe())] == [1, 2]
    prefix = "test_a_timed_coroutine_and_generator_are_observed_once_per_call.<locals>.Probe"
    text = _exposition()
    assert f'console_event_handler_seconds_count{{handler="{prefix}.load"}} 1.0' in text
    assert f'console_event_handler_seconds_count{{handler="{prefix}.stream"}} 1.0' in text
