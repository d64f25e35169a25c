"""POSIX-ish shell syntax: words with quoting, `;` `&&` `||` `|` lists and redirections; expansion at run time."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Command", "Pipeline", "ShellSyntaxError", "Word", "expand", "is_assignment", "parse"]

_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*|[?$#0-9])(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*|[?$#0-9]))")
_OPERATORS = ("&&", "||", ">>", "2>&1", ">&2", "1>&2", "2>>", "2>", "1>", ";", "|", "&", ">", "<", "\n")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


class ShellSyntaxError(Exception):
    """A line the shell cannot parse (unterminated quote, dangling operator)."""


@dataclass(frozen=True, slots=True)
class Word:
    parts: tuple[tuple[str, bool], ...]  # (text, expands): single-quoted text does not expand

    @property
    def raw(self) -> str:
        return "".join(text for text, _ in self.parts)


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    redirects: list[tuple[str, Word | None]] = field(default_factory=list)  # (operator, target)


@dataclass
class Pipeline:
    connector: str  # how it follows the previous one: ";", "&&" or "||"
    commands: list[Command] = field(default_factory=list)


def _tokens(line: str) -> list[Word | str]:
    tokens: list[Word | str] = []
    parts: list[tuple[str, bool]] = []
    current = ""
    index = 0

    def flush() -> None:
        nonlocal current, parts
        if current:
            parts.append((current, True))
        if parts:
            tokens.append(Word(tuple(parts)))
        current, parts = "", []

    while index < len(line):
        char = line[index]
        if char == "#" and not current and not parts:
            break
        if char in " \t":
            flush()
            index += 1
            continue
        operator = next((op for op in _OPERATORS if line.startswith(op, index)), None)
        if operator and (operator[0] not in "12" or (not current and not parts)):
            flush()
            tokens.append(operator)
            index += len(operator)
            continue
        if char == "'":
            end = line.find("'", index + 1)
            if end < 0:
                raise ShellSyntaxError("Unterminated quoted string")
            if current:
                parts.append((current, True))
                current = ""
            parts.append((line[index + 1 : end], False))
            index = end + 1
            continue
        if char == '"':
            index += 1
            quoted = ""
            while index < len(line) and line[index] != '"':
                if line[index] == "\\" and index + 1 < len(line) and line[index + 1] in '"\\$`':
                    quoted += "\\$" if line[index + 1] == "$" else line[index + 1]
                    index += 2
                    continue
                quoted += line[index]
                index += 1
            if index >= len(line):
                raise ShellSyntaxError("Unterminated quoted string")
            if current:
                parts.append((current, True))
                current = ""
            parts.append((quoted, True))
            index += 1
            continue
        if char == "\\" and index + 1 < len(line):
            current += "\\$" if line[index + 1] == "$" else line[index + 1]
            index += 2
            continue
        current += char
        index += 1
    flush()
    return tokens


def parse(line: str) -> list[Pipeline]:
    """The pipelines of one command line, in order.

    Raises:
        ShellSyntaxError: for unterminated quotes and operators with nothing before or after them.
    """
    pipelines: list[Pipeline] = []
    pipeline = Pipeline(";")
    command = Command()
    tokens = _tokens(line)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if isinstance(token, Word):
            command.words.append(token)
        elif token in (">", ">>", "<", "2>", "2>>", "1>"):
            target = tokens[index] if index < len(tokens) else None
            if not isinstance(target, Word):
                raise ShellSyntaxError("redirection unexpected")
            command.redirects.append((">" if token == "1>" else token, target))
            index += 1
        elif token in ("2>&1", ">&2", "1>&2"):
            command.redirects.append(("2>&1" if token == "2>&1" else ">&2", None))
        elif token == "|":
            if not command.words:
                raise ShellSyntaxError('"|" unexpected')
            pipeline.commands.append(command)
            command = Command()
        else:  # ; && || & newline
            if command.words or command.redirects:
                pipeline.commands.append(command)
            elif token in ("&&", "||") or pipeline.commands:
                raise ShellSyntaxError(f'"{token}" unexpected')
            if pipeline.commands:
                pipelines.append(pipeline)
            pipeline, command = Pipeline(token if token in ("&&", "||") else ";"), Command()
    if command.words or command.redirects:
        pipeline.commands.append(command)
    elif pipeline.connector in ("&&", "||") or pipeline.commands:
        raise ShellSyntaxError("end of file unexpected")
    if pipeline.commands:
        pipelines.append(pipeline)
    return pipelines


def expand(word: Word, lookup: Callable[[str], str | None]) -> str:
    """The word with `$VAR`, `${VAR}`, `${VAR:-default}`, `$?`, `$$`, `$0` substituted (not in single quotes)."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        value = lookup(name)
        if not value and match.group(2) is not None:
            return match.group(2)
        return value or ""

    pieces = []
    for text, expands in word.parts:
        if expands and "$" in text:
            escaped = text.split("\\$")
            text = "$".join(_VARIABLE.sub(substitute, piece) for piece in escaped)
        elif expands:
            text = text.replace("\\$", "$")
        pieces.append(text)
    return "".join(pieces)


def is_assignment(text: str) -> bool:
    return bool(_ASSIGNMENT.match(text))
