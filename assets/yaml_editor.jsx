// The console's YAML editor: CodeMirror 6 with YAML highlighting, line numbers, folding and search.
// The text lives here while the person types; `onChange(text)` reports it after a 500 ms pause (and at once
// when the editor loses focus), never on every keystroke. A new `value` or `revision` replaces the text.
import React, { useEffect, useRef, useState } from "react";
import CodeMirror from "@uiw/react-codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { Prec } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

const EXTENSIONS = [
  yaml(),
  // Reachable and named for keyboard and screen-reader users, also when read-only (not contenteditable then).
  EditorView.contentAttributes.of({ "aria-label": "YAML", "aria-multiline": "true", tabindex: "0" }),
  // AA contrast: line numbers in the console's grey (the stock dark theme's read 4.1:1).
  EditorView.theme({ ".cm-gutterElement": { color: "var(--gray-11)" } }),
];
// The dark theme on a darker ground, under which its keys (#e06c75, 4.4:1 on #282c34) read 4.8:1; the active
// line is marked in the gutter only, so no token sits on a lighter band.
const DARK_EXTENSIONS = [
  ...EXTENSIONS,
  // Above the stock dark theme, which would otherwise win over these rules.
  Prec.highest(EditorView.theme(
    {
      "&": { backgroundColor: "#1b1e24" },
      ".cm-gutters": { backgroundColor: "#1b1e24" },
      ".cm-activeLine": { backgroundColor: "transparent" },
      ".cm-activeLineGutter": { backgroundColor: "#2c313a" },
    },
    { dark: true },
  )),
];

export function YamlEditor({
  value = "",
  revision = 0,
  editable = true,
  height = "24rem",
  theme = "light",
  debounceMs = 500,
  onChange,
  ...rest
}) {
  const [text, setText] = useState(value);
  const timer = useRef(null);
  const pending = useRef(null);
  const report = useRef(onChange);
  report.current = onChange;

  const flush = () => {
    if (timer.current) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    if (pending.current !== null) {
      const latest = pending.current;
      pending.current = null;
      if (report.current) report.current(latest);
    }
  };

  useEffect(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    pending.current = null;
    setText(value);
  }, [value, revision]);

  useEffect(() => () => flush(), []);

  const changed = (next) => {
    setText(next);
    pending.current = next;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(flush, Math.max(500, debounceMs));
  };

  return (
    <CodeMirror
      value={text}
      height={height}
      theme={theme === "dark" ? "dark" : "light"}
      editable={editable}
      readOnly={!editable}
      extensions={theme === "dark" ? DARK_EXTENSIONS : EXTENSIONS}
      basicSetup={{ lineNumbers: true, foldGutter: true, searchKeymap: true, highlightActiveLine: editable }}
      onChange={changed}
      onBlur={flush}
      data-editable={editable ? "true" : "false"}
      {...rest}
    />
  );
}
