"""The exported front end serves any origin, and `console demo` rebuilds it only when a source changed."""

from __future__ import annotations

import os
from pathlib import Path

from console.frontend import build_is_current, build_problem, origin_relative

# What `reflex export` writes (minified): the backend's address at build time, in template literals.
EXPORTED_ENV = (
    "var e={PING:`http://localhost:8000/ping`,EVENT:`ws://localhost:8000/_event`,"
    "UPLOAD:`http://localhost:8000/_upload`,TRANSPORT:`websocket`,TEST_MODE:!1};export{e as t};"
)


def test_every_backend_address_becomes_the_pages_own_origin():
    rewritten = origin_relative(EXPORTED_ENV)
    assert "localhost:8000" not in rewritten
    assert 'PING:(window.location.origin+"/ping")' in rewritten
    assert 'EVENT:(window.location.origin.replace(/^http/,"ws")+"/_event")' in rewritten
    assert rewritten.endswith("TRANSPORT:`websocket`,TEST_MODE:!1};export{e as t};")


def test_addresses_in_any_quotes_and_https_are_rewritten():
    rewritten = origin_relative("a=\"https://console.example:8443/ping\";b='wss://console.example/_event'")
    assert rewritten == (
        'a=(window.location.origin+"/ping");b=(window.location.origin.replace(/^http/,"ws")+"/_event")'
    )


def _exported(app_dir: Path) -> Path:
    client = app_dir / ".web" / "build" / "client"
    client.mkdir(parents=True)
    (client / "index.html").write_text("<!doctype html>")
    return client


def test_a_missing_build_is_a_problem_and_not_current(tmp_path: Path):
    assert "front end is not built" in build_problem(tmp_path)
    assert not build_is_current(tmp_path)


def test_the_build_is_current_until_a_source_changes(tmp_path: Path):
    (tmp_path / "console").mkdir()
    page = tmp_path / "console" / "page.py"
    page.write_text("x = 1\n")
    (tmp_path / "rxconfig.py").write_text("")
    _exported(tmp_path)
    marker = tmp_path / ".web" / ".built"
    assert not build_is_current(tmp_path), "never marked: never known to be current"
    marker.touch()
    os.utime(page, (marker.stat().st_mtime - 10, marker.stat().st_mtime - 10))
    os.utime(tmp_path / "rxconfig.py", (marker.stat().st_mtime - 10, marker.stat().st_mtime - 10))
    assert build_problem(tmp_path) == ""
    assert build_is_current(tmp_path)
    os.utime(page, (marker.stat().st_mtime + 5, marker.stat().st_mtime + 5))
    assert not build_is_current(tmp_path)
