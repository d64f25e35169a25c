"""Generated container log streams: a deterministic event per index, rendered in the image's log style.

A stream never exists as a whole: event `i` of an instance is a pure function of (seed, instance, i), and its
time is `started + i*step + jitter`, so any window (tail, since) is computed directly and history stays bounded.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from sovereign_sandbox.node.containers import Instance, LogStyle

__all__ = ["LogStream", "RETAINED_EVENTS", "rfc3339_nano"]

# How many events the "kubelet" keeps per instance (the rotated log file), newest last.
RETAINED_EVENTS = 4000
_MASK = (1 << 64) - 1
_PATHS = (
    "/api/v1/orders",
    "/api/v1/orders/{n}",
    "/api/v1/accounts/{n}",
    "/healthz",
    "/",
    "/static/app.{n}.js",
    "/api/v1/invoices?page={n}",
    "/login",
    "/metrics",
    "/wp-admin/admin-ajax.php",
)
_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    "kube-probe/1.37",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    "curl/8.14.1",
)
_CLASSES = (
    "com.openova.billing.InvoiceService",
    "com.openova.billing.PaymentClient",
    "org.hibernate.SQL",
    "org.keycloak.events",
    "io.quarkus.http.access",
)
_MESSAGES = {
    "INFO": (
        "processed {n} messages from queue invoices",
        "request completed status=200 duration={ms}ms",
        "cache refreshed entries={n}",
        "scheduled job settle-invoices finished in {ms}ms",
        "connection pool stats active={d} idle={d} waiting=0",
    ),
    "DEBUG": ("polling for work", "token cache hit ratio=0.9{d}", "GET /internal/config 200 {ms}ms"),
    "WARN": (
        "slow query took {ms}ms",
        "retrying request to payments-gateway (attempt {d}/5)",
        "certificate for payments-gateway expires in {d} days",
    ),
    "ERROR": ("failed to process message {n}: upstream returned 503", "timeout talking to ledger after 5000ms"),
}
_CONTROLLER = (
    "Reconciling",
    "Reconciled successfully",
    "Starting workers",
    "Updated status",
    "Lease renewed",
    "Observed a panic in reconciler",
    "Watch channel closed, restarting watch",
)
_BANNERS: dict[str, tuple[str, ...]] = {
    "access": (
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
        "nginx/1.29.0 started",
        "start worker processes",
    ),
    "java": (
        "Starting application using Java 21.0.7 with PID 1",
        "Tomcat initialized with port 8080 (http)",
        "HikariPool-1 - Start completed.",
        "Started Application in 6.412 seconds (process running for 7.1)",
    ),
    "python": (
        "Starting worker pid=1",
        "Connected to postgresql://billing-db:5432/billing",
        "Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
    ),
    "node": ("server listening on 0.0.0.0:3000", "connected to redis at redis:6379"),
    "postgres": (
        "starting PostgreSQL 17.5 on x86_64-pc-linux-gnu",
        'listening on IPv4 address "0.0.0.0", port 5432',
        "database system is ready to accept connections",
    ),
    "nats": (
        "Starting nats-server",
        "Version:  2.11.6",
        "Listening for client connections on 0.0.0.0:4222",
        "Server is ready",
    ),
    "job": ("Running wp-cron for https://acme.example",),
}
_CRASHES: dict[str, tuple[str, ...]] = {
    "java": (
        "Application run failed",
        "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'dataSource'",
        "Caused by: java.net.ConnectException: Connection refused",
        "\tat java.base/sun.nio.ch.Net.connect0(Native Method)",
    ),
    "python": (
        "worker crashed",
        "Traceback (most recent call last):",
        '  File "/app/worker.py", line 42, in <module>',
        "    main()",
        '  File "/app/worker.py", line 31, in main',
        "    conn = psycopg.connect(DSN)",
        "psycopg.OperationalError: connection failed: connection refused",
    ),
    "postgres": ('could not open file "global/pg_filenode.map": Permission denied',),
    "access": (
        'host not found in upstream "billing-api:8080" in /etc/nginx/conf.d/default.conf:12',
        'nginx: [emerg] host not found in upstream "billing-api:8080" in /etc/nginx/conf.d/default.conf:12',
    ),
}
_GENERIC_CRASH = (
    "fatal: failed to load configuration: open /config/app.yaml: no such file or directory",
    "exit status 1",
)
_COLOURS = {"INFO": "\x1b[32m", "DEBUG": "\x1b[36m", "WARN": "\x1b[33m", "ERROR": "\x1b[31m"}


def _unit(seed: int, index: int) -> float:
    """A uniform float in [0, 1) from (seed, index): splitmix64 in pure integer arithmetic."""
    value = (seed + (index + 1) * 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return (value ^ (value >> 31)) / 2**64


def rfc3339_nano(seconds: float) -> str:
    """Go's RFC3339Nano (trailing zeros of the fraction trimmed), as `--timestamps` prints."""
    whole = math.floor(seconds)
    nanos = f"{int((seconds - whole) * 1e9):09d}".rstrip("0")
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + (f".{nanos}" if nanos else "") + "Z"


@dataclass(frozen=True, slots=True)
class LogStream:
    """The log of one container instance."""

    seed: int
    instance: Instance
    style: LogStyle
    colour: bool = False

    @property
    def _key(self) -> int:
        return (self.seed ^ (self.instance.number * 0xD6E8FEB86659FD93)) & _MASK

    @property
    def step(self) -> float:
        """Seconds between events: steady per container (0.6–1.2 s), shorter for short-lived instances."""
        step = 0.6 + 0.6 * _unit(self.seed, -1)
        if self.instance.ended is not None:
            duration = max(self.instance.ended - self.instance.started, 0.5)
            step = duration / max(min(duration / step, RETAINED_EVENTS), 10)
        return step

    def time_of(self, index: int) -> float:
        return self.instance.started + (index + 0.8 * _unit(self._key, index)) * self.step

    def count(self, now: float) -> int:
        """How many events the instance has written by `now`."""
        if self.instance.ended is not None:
            return max(round((self.instance.ended - self.instance.started) / self.step), 10)
        candidate = max(int((now - self.instance.started) / self.step) + 1, 0)
        while candidate > 0 and self.time_of(candidate - 1) > now:
            candidate -= 1
        return candidate

    def first_retained(self, now: float) -> int:
        return max(0, self.count(now) - RETAINED_EVENTS)

    def first_since(self, since: float, now: float) -> int:
        """The first retained event at or after `since`."""
        index = max(self.first_retained(now), int((since - self.instance.started) / self.step) - 1)
        while self.time_of(index) < since and index < self.count(now):
            index += 1
        return index

    def events(self, start: int, stop: int) -> Iterator[tuple[float, list[str]]]:
        """(time, lines) of events `start` … `stop - 1`."""
        total = self.count(time.time()) if self.instance.ended is not None else None
        for index in range(start, stop):
            moment = self.time_of(index)
            yield moment, self._render(index, moment, total)

    def _render(self, index: int, moment: float, total: int | None) -> list[str]:
        rng = random.Random(self._key * 1_000_003 + index)
        if total is not None and self.instance.exit_code and index >= total - 1:
            first, *rest = _CRASHES.get(self.style, _GENERIC_CRASH)
            return [self._line("ERROR", first, moment, rng), *rest]
        if total is not None and index >= total - 1:
            return [self._line("INFO", "Success: finished, exiting", moment, rng)]
        banner = _BANNERS.get(self.style, ("starting", "configuration loaded", "ready"))
        if index < len(banner):
            return [self._line("INFO", banner[index], moment, rng)]
        return self._event(rng, moment)

    def _event(self, rng: random.Random, moment: float) -> list[str]:
        if self.style == "access":
            return [self._access(rng, moment)]
        if self.style in ("klog", "json") and rng.random() < 0.9:
            return [self._line("INFO", rng.choice(_CONTROLLER), moment, rng)]
        level = rng.choices(("INFO", "DEBUG", "WARN", "ERROR"), (70, 12, 12, 6))[0]
        message = rng.choice(_MESSAGES[level]).format(
            n=rng.randint(1000, 99999), ms=rng.randint(2, 900), d=rng.randint(1, 9)
        )
        lines = [self._line(level, message, moment, rng)]
        if level == "ERROR" and self.style == "java" and rng.random() < 0.5:
            lines += [
                "java.net.SocketTimeoutException: Read timed out",
                "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)",
                "\tat com.openova.billing.PaymentClient.charge(PaymentClient.java:88)",
                "\tat com.openova.billing.InvoiceService.settle(InvoiceService.java:142)",
                f"\t... {rng.randint(12, 40)} more",
            ]
        if level == "ERROR" and self.style == "python" and rng.random() < 0.5:
            lines += [
                "Traceback (most recent call last):",
                '  File "/app/billing/worker.py", line 88, in handle',
                "    response = client.post(url, json=payload, timeout=5)",
                "httpx.ReadTimeout: timed out",
            ]
        return lines

    def _access(self, rng: random.Random, moment: float) -> str:
        method = rng.choices(("GET", "POST", "PUT", "DELETE"), (80, 12, 5, 3))[0]
        path = rng.choice(_PATHS).format(n=rng.randint(1, 9999))
        status = rng.choices((200, 201, 204, 301, 304, 404, 500, 502), (70, 6, 4, 2, 8, 6, 2, 2))[0]
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(moment))
        client = f"10.42.{rng.randint(0, 8)}.{rng.randint(2, 250)}"
        return (
            f'{client} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {rng.randint(0, 48000)} "-" '
            f'"{rng.choice(_AGENTS)}" {rng.randint(1, 900) / 1000:.3f}'
        )

    def _line(self, level: str, message: str, moment: float, rng: random.Random) -> str:
        clock = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment))
        millis = int((moment % 1) * 1000)
        shown = f"{_COLOURS[level]}{level}\x1b[0m" if self.colour else level
        if self.style == "klog":
            micros = int((moment % 1) * 1e6)
            stamp = time.strftime("%m%d %H:%M:%S", time.gmtime(moment))
            return f'{level[0]}{stamp}.{micros:06d}       1 controller.go:{rng.randint(80, 400)}] "{message}"'
        if self.style == "json":
            return (
                '{"level":"' + level.lower() + '","ts":"' + rfc3339_nano(moment) + '","logger":"controller",'
                '"msg":"' + message.replace('"', "'") + '"}'
            )
        if self.style == "logfmt":
            return f'time="{rfc3339_nano(moment)}" level={shown.lower()} msg="{message}"'
        if self.style == "postgres":
            tag = {"INFO": "LOG", "DEBUG": "LOG", "WARN": "WARNING", "ERROR": "ERROR"}[level]
            return f"{clock}.{millis:03d} UTC [{rng.randint(30, 4000)}] {tag}:  {message}"
        if self.style == "nats":
            tag = {"INFO": "INF", "DEBUG": "DBG", "WARN": "WRN", "ERROR": "ERR"}[level]
            return f"[1] {time.strftime('%Y/%m/%d %H:%M:%S', time.gmtime(moment))}.{millis:03d}000 [{tag}] {message}"
        if self.style == "access":
            tag = {"INFO": "notice", "DEBUG": "debug", "WARN": "warn", "ERROR": "emerg"}[level]
            return f"{time.strftime('%Y/%m/%d %H:%M:%S', time.gmtime(moment))} [{tag}] 1#1: {message}"
        if self.style == "node":
            return f"{shown.lower()}: {message}"
        if self.style == "java":
            thread = f"executor-thread-{rng.randint(1, 8)}"
            return f"{clock},{millis:03d} {shown:<5} [{rng.choice(_CLASSES)}] ({thread}) {message}"
        return f"{clock},{millis:03d} {shown} [{self.style}] {message}"
