"""Pod logs as a person: one pod, all its containers or a workload's pods, resumed without loss after a drop.

Every request asks the API server for `timestamps=true` and splits the stamp off each line: a dropped stream
is reopened with `sinceTime` = the last delivered line's stamp, and the lines at that exact stamp that were
already delivered are skipped (the API server may round `sinceTime` down to the second, so earlier lines are
skipped too).
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from typing import Literal

from console.kube.api import JsonObject, KubeApi, KubeApiError

__all__ = [
    "WORKLOAD_KINDS",
    "LogError",
    "LogLine",
    "LogRequest",
    "LogStatus",
    "ResumePoint",
    "follow_logs",
]

# kind → the collection its objects live in; their pods are found with `spec.selector`
WORKLOAD_KINDS = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets"}
BACKOFF_SECONDS = (1, 2, 4, 8)  # then 8 s between every further attempt
IDLE_TIMEOUT_SECONDS = 300.0  # a followed stream silent this long is reopened (resuming, so nothing is lost)
_RETRYABLE = frozenset({0, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a reader left off: the stamp of the last line it holds."""

    time: str  # RFC 3339 stamp of that line, as the server sent it
    seen: int | None = None  # lines at exactly `time` the reader holds; None: every one of them


@dataclass(frozen=True, slots=True)
class LogRequest:
    """Which log to read and how (the Logs tab's options)."""

    namespace: str
    name: str  # the pod's, or the workload's name
    _: KW_ONLY
    kind: str = "Pod"  # Pod, or one of WORKLOAD_KINDS
    container: str = ""  # empty: the pod's only container (the API server refuses when it has several)
    all_containers: bool = False  # every container and init container, each line tagged with its container
    previous: bool = False  # the previous (terminated) instance of the container
    tail_lines: int | None = 100  # None: everything the node kept
    since_seconds: int | None = None
    timestamps: bool = False  # display only: stamps are always read, because resuming needs them
    follow: bool = False
    resume: ResumePoint | None = None  # a reader reconnecting: only what comes after this point


@dataclass(frozen=True, slots=True)
class LogLine:
    pod: str
    container: str  # empty when the request let the API server pick the pod's only container
    time: str  # the server's RFC 3339 stamp (empty if the line had none)
    text: str  # as written, ANSI colours kept


@dataclass(frozen=True, slots=True)
class LogStatus:
    """A change in one stream's health, for the status badge."""

    state: Literal["streaming", "reconnecting", "error"]
    attempt: int  # reconnect attempt (0 for the first connection)
    message: str = ""
    pod: str = ""
    container: str = ""


class LogError(Exception):
    """A log the API server will not give (the message is meant for people)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status  # the API server's HTTP status (0: no answer)


StatusCallback = Callable[[LogStatus], None]
Sleep = Callable[[float], Awaitable[None]]


async def follow_logs(
    api: KubeApi, request: LogRequest, on_status: StatusCallback | None = None, *, sleep: Sleep = asyncio.sleep
) -> AsyncIterator[LogLine]:
    """The lines a request selects, read as the person `api` acts for; followed until the container ends.

    Several streams (all containers, a workload's pods) are interleaved: by time when not following, as they
    arrive when following. A stream that fails while others go on is reported through `on_status`.

    Raises:
        LogError: the log cannot be read (refused, not found, waiting container, no previous instance …).
    """
    report = on_status or (lambda status: None)
    targets = await _targets(api, request)
    streams = [_ContainerStream(api, request, pod, container, report, sleep) for pod, container in targets]
    if len(streams) == 1:
        async for line in streams[0].lines():
            yield line
    elif request.follow:
        async for line in _arrival_order(streams, report):
            yield line
    else:
        for line in await _time_order(streams, report):
            yield line


def instant_of(stamp: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 stamp (`…T…[.fraction](Z|±hh:mm)`).

    Raises:
        ValueError: not such a stamp.
    """
    if not stamp or "T" not in stamp:
        raise ValueError(stamp)
    whole, dot, rest = stamp.partition(".")
    fraction, zone = "", ""
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        fraction, zone = rest[:digits], rest[digits:]
    else:
        whole, zone = stamp[:19], stamp[19:]
    moment = datetime.fromisoformat(whole + (zone or "Z").replace("Z", "+00:00", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000_000 + int((fraction + "000000000")[:9])


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _message(error: KubeApiError, what: str) -> str:
    if error.status == 403:
        return f"You may not read {what}"
    if error.status == 404:
        return f"Not Found: {error.message}" if error.message else "Not Found"
    return error.message or f"{error.status} {error.reason}".strip()


async def _targets(api: KubeApi, request: LogRequest) -> list[tuple[str, str]]:
    """(pod, container) of every stream the request reads."""
    if request.kind == "Pod":
        pods = [await _read_pod(api, request.namespace, request.name)]
    elif request.kind in WORKLOAD_KINDS:
        pods = await _workload_pods(api, request)
    else:
        raise LogError(f"{request.kind} has no logs; choose a Pod, Deployment, StatefulSet or DaemonSet", 400)
    targets: list[tuple[str, str]] = []
    for pod in pods:
        name = pod["metadata"]["name"]
        spec = pod.get("spec") or {}
        if request.all_containers:
            containers = [item["name"] for item in (spec.get("initContainers") or []) + (spec.get("containers") or [])]
            targets.extend((name, container) for container in containers)
        elif request.container:
            targets.append((name, request.container))
        else:
            only = spec.get("containers") or []
            targets.append((name, only[0]["name"] if len(only) == 1 else ""))  # several: the server says choose
    return targets


async def _read_pod(api: KubeApi, namespace: str, name: str) -> JsonObject:
    try:
        return await api.get(f"/api/v1/namespaces/{namespace}/pods/{name}")
    except KubeApiError as error:
        if error.status == 403:  # may read logs without reading the pod: let the log request decide
            return {"metadata": {"name": name}}
        raise LogError(_message(error, f"pod {name}"), error.status) from error


def label_selector(selector: JsonObject) -> str:
    """A `labelSelector` query value from a workload's `spec.selector`."""
    terms = [f"{key}={value}" for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator in ("In", "NotIn"):
            terms.append(f"{key} {operator.lower()} ({','.join(values)})")
        elif operator == "Exists":
            terms.append(key)
        elif operator == "DoesNotExist":
            terms.append(f"!{key}")
    return ",".join(terms)


async def _workload_pods(api: KubeApi, request: LogRequest) -> list[JsonObject]:
    what = f"{request.kind} {request.name}"
    path = f"/apis/apps/v1/namespaces/{request.namespace}/{WORKLOAD_KINDS[request.kind]}/{request.name}"
    try:
        workload = await api.get(path)
        selector = label_selector((workload.get("spec") or {}).get("selector") or {})
        if not selector:
            raise LogError(f"{what} selects no pods", 400)
        listed = await api.get(f"/api/v1/namespaces/{request.namespace}/pods", {"labelSelector": selector})
    except KubeApiError as error:
        raise LogError(_message(error, what), error.status) from error
    pods = sorted(listed.get("items") or [], key=lambda pod: pod["metadata"]["name"])
    if not pods:
        raise LogError(f"{what} has no pods", 404)
    return pods


@dataclass(slots=True)
class _Cursor:
    """The last delivered stamp and how many lines carried it; decides what a reopened stream repeats."""

    stamp: str = ""
    instant: int | None = None
    seen: int | None = 0  # lines delivered at `instant`; None: all lines there count as delivered
    read_here: int = 0  # lines at `instant` read on the current connection

    @classmethod
    def at(cls, resume: ResumePoint | None) -> _Cursor:
        if resume is None:
            return cls()
        return cls(resume.time, instant_of(resume.time), resume.seen)

    def reopened(self) -> None:
        self.read_here = 0

    def admits(self, instant: int) -> bool:
        """Whether a line with this stamp is new (and, if so, moves the cursor past it)."""
        if self.instant is None or instant > self.instant:
            self.instant, self.seen, self.read_here = instant, 1, 1
            return True
        if instant < self.instant:
            return False
        self.read_here += 1
        if self.seen is None or self.read_here <= self.seen:
            return False
        self.seen += 1
        return True


@dataclass(slots=True)
class _ContainerStream:
    """One container's log, reopened with backoff after a drop."""

    api: KubeApi
    request: LogRequest
    pod: str
    container: str
    report: StatusCallback
    sleep: Sleep
    cursor: _Cursor = field(init=False)
    since_time: str = field(init=False, default="")  # the request's window, fixed at the first connection

    def __post_init__(self) -> None:
        self.cursor = _Cursor.at(self.request.resume)

    @property
    def path(self) -> str:
        return f"/api/v1/namespaces/{self.request.namespace}/pods/{self.pod}/log"

    def query(self) -> dict[str, str]:
        query = {"timestamps": "true"}
        if self.container:
            query["container"] = self.container
        if self.request.previous:
            query["previous"] = "true"
        if self.request.follow:
            query["follow"] = "true"
        if self.cursor.instant is not None:
            query["sinceTime"] = self.cursor.stamp
            return query
        if self.since_time:
            query["sinceTime"] = self.since_time
        elif self.request.since_seconds is not None:
            query["sinceSeconds"] = str(self.request.since_seconds)
            self.since_time = _rfc3339(time.time() - self.request.since_seconds)
        if self.request.tail_lines is not None:
            query["tailLines"] = str(self.request.tail_lines)
        return query

    async def lines(self) -> AsyncIterator[LogLine]:
        attempt = 0
        delivered = False
        while True:
            try:
                query = self.query()
                async with self.api.stream_lines(self.path, query, idle_timeout=IDLE_TIMEOUT_SECONDS) as raw:
                    if attempt:
                        self.report(LogStatus("streaming", attempt, "", self.pod, self.container))
                        attempt = 0
                    self.cursor.reopened()
                    async for text in raw:
                        line = self._line(text)
                        if line is not None:
                            delivered = True
                            yield line
            except KubeApiError as error:
                if error.status == 404 and (delivered or attempt):
                    return  # the pod went away while we followed it
                if error.status not in _RETRYABLE:
                    raise LogError(_message(error, f"logs of pod {self.pod}"), error.status) from error
                problem = error.message
            else:
                if not self.request.follow or self.request.previous or not await self._still_running():
                    return
                problem = "the log stream ended while the container runs"
            attempt += 1
            self.report(LogStatus("reconnecting", attempt, problem, self.pod, self.container))
            await self.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1])

    def _line(self, raw: str) -> LogLine | None:
        stamp, _, text = raw.partition(" ")
        try:
            instant = instant_of(stamp)
        except ValueError:
            return LogLine(self.pod, self.container, "", raw)
        if not self.cursor.admits(instant):
            return None
        self.cursor.stamp = stamp
        return LogLine(self.pod, self.container, stamp, text)

    async def _still_running(self) -> bool:
        """After a clean end of a followed stream: reopen only while the container still runs."""
        try:
            pod = await self.api.get(f"/api/v1/namespaces/{self.request.namespace}/pods/{self.pod}")
        except KubeApiError as error:
            return error.status in _RETRYABLE
        status = pod.get("status") or {}
        statuses = (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or [])
        containers: list[JsonObject] = (pod.get("spec") or {}).get("containers") or []
        name = self.container or (containers[0].get("name") if containers else None)
        return any(item.get("name") == name and "running" in (item.get("state") or {}) for item in statuses)


def _failed(stream: _ContainerStream, error: LogError) -> LogStatus:
    return LogStatus("error", 0, error.message, stream.pod, stream.container)


def _order(line: LogLine) -> int:
    try:
        return instant_of(line.time)
    except ValueError:
        return 0


async def _time_order(streams: list[_ContainerStream], report: StatusCallback) -> list[LogLine]:
    """Read every stream to its end and merge them by stamp (each stream is in order already)."""

    async def read(stream: _ContainerStream) -> list[LogLine] | LogError:
        try:
            return [line async for line in stream.lines()]
        except LogError as error:
            return error

    results = await asyncio.gather(*(read(stream) for stream in streams))
    errors = [result for result in results if isinstance(result, LogError)]
    if len(errors) == len(results):
        raise errors[0]
    for stream, result in zip(streams, results, strict=True):
        if isinstance(result, LogError):
            report(_failed(stream, result))
    lists = [result for result in results if not isinstance(result, LogError)]
    return list(heapq.merge(*lists, key=_order))


async def _arrival_order(streams: list[_ContainerStream], report: StatusCallback) -> AsyncIterator[LogLine]:
    """Follow every stream at once; lines come out as they arrive."""
    queue: asyncio.Queue[LogLine | LogStatus | LogError | None] = asyncio.Queue(maxsize=10_000)

    async def pump(stream: _ContainerStream) -> None:
        try:
            async for line in stream.lines():
                await queue.put(line)
        except LogError as error:
            await queue.put(error)
            await queue.put(_failed(stream, error))
        await queue.put(None)

    tasks = [asyncio.create_task(pump(stream)) for stream in streams]
    open_streams, errors, delivered = len(streams), 0, False
    try:
        while open_streams:
            item = await queue.get()
            if item is None:
                open_streams -= 1
            elif isinstance(item, LogError):
                errors += 1
                if errors == len(streams) and not delivered:
                    raise item
            elif isinstance(item, LogStatus):
                report(item)
            else:
                delivered = True
                yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
