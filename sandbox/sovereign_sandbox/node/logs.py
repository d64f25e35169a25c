"""The `pods/log` subresource: a window of a container's generated log, optionally followed as time passes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.responses import Response, StreamingResponse

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.responses import RequestContext
from sovereign_sandbox.node.containers import ContainerRef, find_container, parse_time, pod_resource
from sovereign_sandbox.node.log_lines import LogStream, rfc3339_nano

__all__ = ["LogOptions", "follow_events", "serve_log", "stream_for"]

_MEDIA_TYPE = "text/plain"


@dataclass(frozen=True, slots=True)
class LogOptions:
    """The query of a log request (`PodLogOptions`)."""

    container: str = ""
    follow: bool = False
    previous: bool = False
    timestamps: bool = False
    tail_lines: int | None = None
    since: float | None = None  # epoch seconds, from sinceSeconds or sinceTime
    limit_bytes: int | None = None


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def _number(query, name: str, minimum: int) -> int | None:
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{text}"') from None
    if value < minimum:
        bound = "greater than 0" if minimum == 1 else f"greater than or equal to {minimum}"
        raise errors.bad_request(f'PodLogOptions "" is invalid: {name}: Invalid value: {value}: must be {bound}')
    return value


def parse_options(query) -> LogOptions:
    """`LogOptions` from a request's query.

    Raises:
        ApiError: 400 for malformed or contradictory parameters.
    """
    since_seconds = _number(query, "sinceSeconds", 1)
    since_time = query.get("sinceTime")
    if since_seconds is not None and since_time:
        raise errors.bad_request(
            'PodLogOptions "" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified'
        )
    since = time.time() - since_seconds if since_seconds is not None else None
    if since_time:
        try:
            since = parse_time(since_time)
        except ValueError:
            raise errors.bad_request(f'invalid value for sinceTime: "{since_time}"') from None
    return LogOptions(
        container=query.get("container", ""),
        follow=_flag(query.get("follow")),
        previous=_flag(query.get("previous")),
        timestamps=_flag(query.get("timestamps")),
        tail_lines=_number(query, "tailLines", 0),
        since=since,
        limit_bytes=_number(query, "limitBytes", 1),
    )


def stream_for(container: ContainerRef, previous: bool) -> LogStream:
    """The log of the instance a request reads (the current one, or the one before it).

    Raises:
        ApiError: 400 when that instance does not exist (waiting container, no previous run).
    """
    instance = container.previous() if previous else container.current()
    return LogStream(container.seed, instance, container.traits.log_style, container.traits.colour)


def _text(events, timestamps: bool) -> list[str]:
    lines: list[str] = []
    for moment, texts in events:
        prefix = rfc3339_nano(moment) + " " if timestamps else ""
        lines.extend(f"{prefix}{text}\n" for text in texts)
    return lines


def initial_lines(stream: LogStream, options: LogOptions, now: float) -> tuple[list[str], int]:
    """The lines already written that the request selects, and the index of the next event."""
    stop = stream.count(now)
    start = stream.first_retained(now) if options.since is None else stream.first_since(options.since, now)
    if options.tail_lines is None:
        return _text(stream.events(start, stop), options.timestamps), stop
    lines: list[str] = []
    cursor = stop
    while cursor > start and len(lines) < options.tail_lines:
        chunk_start = max(start, cursor - max(options.tail_lines, 16))
        lines = _text(stream.events(chunk_start, cursor), options.timestamps) + lines
        cursor = chunk_start
    return (lines[len(lines) - options.tail_lines :] if options.tail_lines else []), stop


async def follow_events(stream: LogStream, next_index: int) -> AsyncIterator[tuple[float, list[str]]]:
    """Events from `next_index` on, each as its time comes."""
    while True:
        await asyncio.sleep(max(0.0, stream.time_of(next_index) - time.time()))
        yield next(stream.events(next_index, next_index + 1))
        next_index += 1


async def follow_lines(
    context: RequestContext, stream: LogStream, next_index: int, timestamps: bool
) -> AsyncIterator[str]:
    """New lines as their time comes, until the pod is deleted (or replaced by one of the same name)."""
    pods, store = pod_resource(context.cluster), context.cluster.store
    uid = store.get(pods, context.namespace, context.name)["metadata"].get("uid")
    async for event in follow_events(stream, next_index):
        if not store.exists(pods, context.namespace, context.name):
            return
        if store.get(pods, context.namespace, context.name)["metadata"].get("uid") != uid:
            return
        for line in _text([event], timestamps):
            yield line


async def _limited(lines: AsyncIterator[str], limit: int | None) -> AsyncIterator[bytes]:
    remaining = limit
    async for line in lines:
        data = line.encode()
        if remaining is not None:
            data = data[:remaining]
            remaining -= len(data)
        if data:
            yield data
        if remaining == 0:
            return


async def serve_log(context: RequestContext) -> Response:
    """GET …/pods/{name}/log."""
    options = parse_options(context.query)
    container = find_container(context.cluster, context.namespace or "", context.name, options.container)
    if not (container.pod.get("spec") or {}).get("nodeName"):
        return Response(b"", media_type=_MEDIA_TYPE)  # not scheduled: the apiserver has no kubelet to ask
    stream = stream_for(container, options.previous)
    now = time.time()
    lines, next_index = initial_lines(stream, options, now)
    if not options.follow or stream.instance.ended is not None:
        body = "".join(lines).encode()
        return Response(body[: options.limit_bytes] if options.limit_bytes else body, media_type=_MEDIA_TYPE)

    async def everything() -> AsyncIterator[str]:
        for line in lines:
            yield line
        async for line in follow_lines(context, stream, next_index, options.timestamps):
            yield line

    return StreamingResponse(_limited(everything(), options.limit_bytes), media_type=_MEDIA_TYPE)
