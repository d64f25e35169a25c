"""The exec session's terminal: stdin buffering, tty line editing (echo, backspace, Ctrl-C/D) and output."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["Interrupted", "Terminal"]

Writer = Callable[[bytes], Awaitable[None]]


class Interrupted(Exception):
    """Ctrl-C at a tty: the line being edited or the running command is abandoned."""


class Terminal:
    """Input from the client's stdin channel and output to its stdout/stderr channels.

    With a tty, the terminal does what the kernel's line discipline would: echo, erase, ^C, ^D, and `\\n`
    becomes `\\r\\n` on output; stderr goes to stdout. Without one, input is read line by line as sent.
    """

    def __init__(self, *, tty: bool, stdin: bool, stdout: Writer | None, stderr: Writer | None):
        self.tty = tty
        self.width, self.height = 80, 24
        self._stdout = stdout
        self._stderr = stdout if tty else stderr
        self._buffer = ""
        self._eof = not stdin
        self._arrived = asyncio.Event()
        self._interrupt = asyncio.Event()
        self._editing = False

    async def feed(self, data: bytes) -> None:
        text = data.decode(errors="replace")
        if self.tty and not self._editing and "\x03" in text:
            self._interrupt.set()
            text = text.replace("\x03", "")
            await self.out("^C")
        self._buffer += text
        self._arrived.set()

    def close_stdin(self) -> None:
        self._eof = True
        self._arrived.set()

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height

    async def out(self, text: str) -> None:
        await self._write(self._stdout, text)

    async def err(self, text: str) -> None:
        await self._write(self._stderr, text)

    async def _write(self, writer: Writer | None, text: str) -> None:
        if writer is None or not text:
            return
        if self.tty:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        await writer(text.encode())

    def clear_interrupt(self) -> None:
        self._interrupt.clear()

    async def sleep(self, seconds: float) -> None:
        """Sleep, cut short by Ctrl-C.

        Raises:
            Interrupted: when ^C arrives first.
        """
        try:
            await asyncio.wait_for(self._interrupt.wait(), seconds)
        except TimeoutError:
            return
        self._interrupt.clear()
        raise Interrupted

    async def _next(self) -> str | None:
        while not self._buffer:
            if self._eof:
                return None
            self._arrived.clear()
            await self._arrived.wait()
        char, self._buffer = self._buffer[0], self._buffer[1:]
        return char

    async def read_chunk(self) -> str | None:
        """Whatever input has arrived (waiting for some); None at end of input."""
        first = await self._next()
        if first is None:
            return None
        chunk, self._buffer = first + self._buffer, ""
        return chunk

    async def read_all(self) -> str:
        """Everything until end of input (non-tty `cat`)."""
        chunks = []
        while (char := await self._next()) is not None:
            chunks.append(char)
        return "".join(chunks)

    async def readline(self, prompt: str = "") -> str | None:
        """One line without its newline; None at end of input (EOF, or ^D on an empty tty line).

        Raises:
            Interrupted: ^C while editing at a tty.
        """
        if not self.tty:
            line = ""
            while (char := await self._next()) is not None:
                if char == "\n":
                    return line.removesuffix("\r")
                line += char
            return line or None
        await self.out(prompt)
        self._editing = True
        try:
            return await self._edit()
        finally:
            self._editing = False

    async def _edit(self) -> str | None:
        line = ""
        while True:
            char = await self._next()
            if char is None:
                return line or None
            if char in "\r\n":
                await self.out("\n")
                return line
            if char in "\x7f\x08":
                if line:
                    line = line[:-1]
                    await self.out("\b \b")
            elif char == "\x03":
                await self.out("^C\n")
                raise Interrupted
            elif char == "\x04":
                if not line:
                    await self.out("exit\n")
                    return None
            elif char == "\x15":
                await self.out("\b \b" * len(line))
                line = ""
            elif char == "\x1b":
                await self._skip_escape()
            elif char >= " " or char == "\t":
                line += char
                await self.out(char)

    async def _skip_escape(self) -> None:
        """Arrow keys and other CSI/SS3 sequences: no history or cursor movement, so they are dropped."""
        char = await self._next()
        if char not in ("[", "O"):
            return
        while (char := await self._next()) is not None and not (char.isalpha() or char == "~"):
            pass
