"""The exported front end: built once (`reflex export`), served by the backend on whatever origin it runs.

`reflex export` writes the backend's address into one small chunk, `assets/reflex-env-<hash>.js`, as
`http://localhost:<port at build time>`. The image is built once and must serve every replica, port and
public URL (behind an Ingress, on a port-forward, in a test on a free port), so that chunk is served rewritten:
every address in it becomes the page's own origin (`ws(s)://` for the event socket). Nothing else in the
build names the backend.

Nothing here imports Reflex: the `console` command uses it to tell whether the build is there and current.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

BUILD_MARKER = ".built"  # touched after each export (the Makefile's target and `console demo` write it)
CLIENT_DIR = Path("build") / "client"
SOURCES = ("console", "assets", "rxconfig.py")

_ADDRESS = re.compile(r"""([`"'])(https?|wss?)://[^/`"'\s]+(/[^`"'\s]*)?\1""")
_BUILD_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def origin_relative(source: str) -> str:
    """The env chunk with each absolute backend address replaced by an expression on `window.location`."""

    def replace(match: re.Match[str]) -> str:
        scheme, path = match.group(2), match.group(3) or ""
        origin = 'window.location.origin.replace(/^http/,"ws")' if scheme.startswith("ws") else "window.location.origin"
        return f"({origin}+{path!r})".replace("'", '"')

    return _ADDRESS.sub(replace, source)


@functools.lru_cache(maxsize=4)
def _rewritten(path: Path) -> str:
    return origin_relative(path.read_text(encoding="utf-8"))


def frontend_routes(web_dir: Path) -> list[Route]:
    """The env chunk, rewritten; every other file of the build is Reflex's static mount's."""
    assets = (web_dir / CLIENT_DIR / "assets").resolve()

    async def env_chunk(request: Request) -> Response:
        build = request.path_params["build"]
        path = assets / f"reflex-env-{build}.js"
        if not _BUILD_ID.fullmatch(build) or not path.is_file():
            return PlainTextResponse("Not Found", status_code=404)
        return Response(
            _rewritten(path),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    return [Route("/assets/reflex-env-{build}.js", env_chunk, methods=["GET", "HEAD"])]


def _newest_source(app_dir: Path, sources: Iterable[str]) -> float:
    newest = 0.0
    for name in sources:
        root = app_dir / name
        paths = [root] if root.is_file() else root.rglob("*")
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    return newest


def build_problem(app_dir: Path) -> str:
    """Why the exported front end cannot be served as it is ("" when it can)."""
    if not (app_dir / ".web" / CLIENT_DIR / "index.html").is_file():
        return f"the front end is not built in {app_dir / '.web'}: run `reflex export --frontend-only --no-zip` there"
    return ""


def build_is_current(app_dir: Path) -> bool:
    """Whether the build is there and no source changed since it was made (what `make` checks, in Python)."""
    marker = app_dir / ".web" / BUILD_MARKER
    if build_problem(app_dir) or not marker.is_file():
        return False
    return marker.stat().st_mtime >= _newest_source(app_dir, SOURCES)
