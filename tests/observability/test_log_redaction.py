"""No session id or token reaches the console's logs, in either format, whoever logs it."""

from __future__ import annotations

import io
import json
import logging

import pytest

from console.observability.logs import configure_logging
from console.observability.redaction import REDACTED, redact

SESSION_ID = "b3ynQdZObOHWB1DFVwB5CJVv-S_XNSdwaFvIzdURHVM"
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6InNvdmVyZWlnbiJ9.eyJzdWIiOiI0NDIyM2RjNyIsImV4cCI6MTc2NDg1MDAwMH0.c2lnbmF0dXJl"
# What Reflex logs when an event fails: the event, with the socket's request headers.
REFLEX_EVENT = (
    "Error processing event queue entry for Event(name='state.set_allowed', router_data={'headers': "
    f"{{'host': '127.0.0.1:3000', 'cookie': 'theme=dark; console_session={SESSION_ID}', "
    f"'authorization': 'Bearer {JWT}', 'user-agent': 'Python/3.11'}}, 'token': 'tab'}})"
)


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_failed_event_with_its_headers_is_logged_without_the_cookie(log_format: str):
    stream = io.StringIO()
    configure_logging(log_format, stream=stream, audit_stream=io.StringIO())
    try:
        raise KeyError(f"No registered handler; refresh_token={JWT}")
    except KeyError:
        logging.getLogger("reflex_base.event.processor.event_processor").exception(REFLEX_EVENT)

    written = stream.getvalue()
    assert SESSION_ID not in written and JWT not in written and JWT[:40] not in written
    assert "Error processing event queue entry" in written and "'user-agent': 'Python/3.11'" in written
    assert "No registered handler" in written  # the traceback stays, only its token goes
    if log_format == "json":
        json.loads(written)


@pytest.mark.parametrize(
    "line, kept",
    [
        (f"GET /ws/graph Cookie: console_session={SESSION_ID}", "Cookie: "),
        (f'{{"cookie": "console_session={SESSION_ID}; theme=dark"}}', '"cookie": '),
        (f"Authorization: Bearer {JWT}", "Authorization: Bearer "),
        (f"token refresh answered {JWT}", "token refresh answered "),
        (f"url=/callback?x=1&console_session={SESSION_ID}&y=2", "&y=2"),
    ],
)
def test_credentials_are_replaced_wherever_they_stand(line: str, kept: str):
    redacted = redact(line)
    assert SESSION_ID not in redacted and JWT[:20] not in redacted
    assert REDACTED in redacted and kept in redacted


def test_lines_without_credentials_are_unchanged():
    line = "GET /cloud/resource/pods/default/web-0/logs 200 (12 ms) token-count=3 bearer of news"
    assert redact(line) == line
