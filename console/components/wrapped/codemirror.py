"""`YamlEditor`: CodeMirror 6 (`@uiw/react-codemirror`) with the YAML language, from `assets/yaml_editor.jsx`.

The YAML extension object has to be made in JavaScript, so a small local JSX module renders
`<CodeMirror extensions={[yaml()]} …/>` with basicSetup (line numbers, folding, search). The packages are
bundled from the npm registry at exact versions; nothing loads from a CDN.
"""

from __future__ import annotations

import reflex as rx

_SOURCE = rx.asset("yaml_editor.jsx")

# Exact versions (checked with `npm view <pkg> version`); the last four are @uiw/react-codemirror's peers.
CODEMIRROR_PACKAGES = [
    "@uiw/react-codemirror@4.25.12",
    "@codemirror/lang-yaml@6.1.3",
    "@codemirror/state@6.7.6",
    "@codemirror/view@6.43.15",
    "@codemirror/theme-one-dark@6.1.3",
    "codemirror@6.0.2",
]


def _text(text: rx.Var[str]) -> tuple[rx.Var[str]]:
    return (text,)


class YamlEditor(rx.NoSSRComponent):
    """A YAML code editor; reports its text through `on_change` after a pause in typing (≥ 500 ms) or on blur."""

    library = _SOURCE.importable_path
    lib_dependencies: list[str] = CODEMIRROR_PACKAGES
    tag = "YamlEditor"

    value: rx.Var[str]  # the text to show; a new value (or revision) replaces what is in the editor
    revision: rx.Var[int]  # bump to reset the editor to `value` even when the text is the same
    editable: rx.Var[bool]  # False: read-only (still selectable, searchable, foldable)
    height: rx.Var[str]  # a CSS length
    theme: rx.Var[str]  # "light" | "dark"
    debounce_ms: rx.Var[int]  # the pause before `on_change` (at least 500)

    on_change: rx.EventHandler[_text]


def yaml_editor(**props) -> rx.Component:
    """The editor, light or dark with the console's colour mode unless `theme` is given."""
    props.setdefault("theme", rx.color_mode_cond("light", "dark"))
    props.setdefault("height", "24rem")
    return YamlEditor.create(**props)
