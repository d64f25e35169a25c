"""React components the console wraps (one module per component, each with its local JSX under `assets/`)."""

from console.components.wrapped.codemirror import YamlEditor, yaml_editor
from console.components.wrapped.keyboard import KeyboardShortcuts, keyboard
from console.components.wrapped.log_viewer import LogViewer, log_viewer

__all__ = ["KeyboardShortcuts", "LogViewer", "YamlEditor", "keyboard", "log_viewer", "yaml_editor"]
