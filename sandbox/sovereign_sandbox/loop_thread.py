"""A server that runs its own asyncio loop in a background thread (the sandbox cluster, the IdP).

The world these servers hold is single-threaded: everything touching it runs on that loop, and other
threads (tests, the CLI) reach it through `call()`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from collections.abc import Callable
from typing import Any, Self, TypeVar

_Result = TypeVar("_Result")


def listen(host: str, port: int) -> socket.socket:
    """A bound, listening socket (port 0: a free one), so URLs are known before the server starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio turns Nagle off only on sockets that say so, and without it
    # every small answer waited ~40 ms for the client's delayed acknowledgement.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


class LoopThread:
    """Subclasses implement `_serve()` (set `self._ready` once accepting) and `_shutdown()` (on the loop)."""

    thread_name = "sandbox"

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    async def _serve(self) -> None:
        raise NotImplementedError

    def _shutdown(self) -> None:
        """Ask the servers to exit; runs on the loop."""
        raise NotImplementedError

    def _close(self) -> None:
        """Release sockets and files once the loop has stopped."""

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._serve()

    def start(self) -> Self:
        """Serve in a background thread with its own event loop; returns once the listeners accept."""
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name=self.thread_name, daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError(f"the {self.thread_name} did not start within 30 s")
        return self

    def call(self, function: Callable[..., _Result], *args: Any) -> _Result:
        """Run `function(*args)` on the server's loop and return its result (or raise its error)."""
        if self._loop is None:
            return function(*args)
        future: concurrent.futures.Future[_Result] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed back to the calling thread
                future.set_exception(error)

        self._loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._shutdown)
            self._thread.join(10)
        self._loop = None
        self._close()

    def run_forever(self) -> None:
        """Serve until interrupted (Ctrl+C); the loop runs in a worker thread so the main one gets the signal."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
