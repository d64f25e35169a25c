// k9s-style keys for the console (`console/components/wrapped/keyboard.py`). One document keydown listener:
// keys typed into inputs, editors and terminals are left alone (except Esc); list keys move a row cursor kept
// in the DOM (`aria-selected` on `[data-testid=resource-row]`), detail keys click the page's own tab links and
// buttons, so navigation stays client-side. Anything that needs the server goes through `onCommand(command)`:
// "help" (toggle the key map) and "kind:<id>" (switch kind).
import React, { useCallback, useEffect, useRef, useState } from "react";

const ROW = '[data-testid="resource-row"]';
const STYLE = `
${ROW}[aria-selected="true"]{outline:2px solid var(--accent-9);outline-offset:-2px}
${ROW}[aria-selected="true"]>td{background:var(--accent-a3)}
.kb-switcher{position:fixed;top:64px;left:50%;transform:translateX(-50%);z-index:60;display:flex;flex-direction:column;gap:4px;
  padding:8px 10px;border-radius:8px;background:var(--color-panel-solid,#fff);box-shadow:0 8px 24px #0004;border:1px solid var(--gray-a6);min-width:320px}
.kb-switcher label{display:flex;align-items:center;gap:6px;font:600 14px ui-monospace,SFMono-Regular,Menlo,monospace}
.kb-switcher input{flex:1;font:14px ui-monospace,SFMono-Regular,Menlo,monospace;padding:4px 6px;border:1px solid var(--gray-a7);
  border-radius:4px;background:transparent;color:inherit;outline:none}
.kb-switcher small{color:var(--gray-11);font-size:12px}
.kb-message{position:fixed;bottom:16px;left:50%;transform:translateX(-50%);z-index:60;padding:6px 12px;border-radius:6px;
  background:var(--gray-12);color:var(--gray-1);font-size:13px}
`;

// Typing here is text, not a command; only Esc is ours (and never inside a terminal, whose programs use it).
function typingTarget(target) {
  if (!(target instanceof Element)) return null;
  if (target.closest(".xterm, [data-terminal]")) return "terminal";
  if (target.closest(".cm-editor")) return "editor";
  if (target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']")) return "input";
  return null;
}

function openDialog() {
  return document.querySelector(
    '[role="dialog"][data-state="open"], [role="alertdialog"][data-state="open"], [role="menu"][data-state="open"]',
  );
}

function rows() {
  return Array.from(document.querySelectorAll(ROW));
}

// Set React-managed input's value so its own onChange fires (the filter is debounced into Reflex state).
function setInputValue(input, value) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  setter.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

const DETAIL_TABS = { l: ["logs"], s: ["exec", "shell"], e: ["yaml"], d: ["overview"] };
const TAB_NAMES = { l: "Logs", s: "Shell", e: "YAML", d: "Overview" };

export function KeyboardShortcuts({ mode = "list", aliases = {}, onCommand }) {
  const [switcher, setSwitcher] = useState(false);
  const [typed, setTyped] = useState("");
  const [message, setMessage] = useState("");
  const cursor = useRef(""); // data-key of the row under the cursor
  const messageTimer = useRef(null);
  const command = useRef(onCommand);
  command.current = onCommand;

  const say = useCallback((text) => {
    setMessage(text);
    clearTimeout(messageTimer.current);
    messageTimer.current = setTimeout(() => setMessage(""), 4000);
  }, []);

  const mark = useCallback(() => {
    for (const row of rows()) {
      const selected = cursor.current !== "" && row.getAttribute("data-key") === cursor.current;
      if ((row.getAttribute("aria-selected") === "true") !== selected) {
        if (selected) row.setAttribute("aria-selected", "true");
        else row.removeAttribute("aria-selected");
      }
    }
  }, []);

  const move = useCallback(
    (step) => {
      const all = rows();
      if (all.length === 0) return;
      const at = all.findIndex((row) => row.getAttribute("data-key") === cursor.current);
      const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.max(0, Math.min(all.length - 1, at + step));
      cursor.current = all[next].getAttribute("data-key") || "";
      mark();
      all[next].scrollIntoView({ block: "nearest" });
    },
    [mark],
  );

  // Live rows re-render under the cursor: keep the mark on the row with the same key.
  useEffect(() => {
    if (mode !== "list") return undefined;
    let frame = 0;
    const observer = new MutationObserver(() => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        mark();
      });
    });
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [mode, mark]);

  useEffect(() => {
    const onKey = (event) => {
      if (event.defaultPrevented || event.isComposing || event.altKey || event.metaKey) return;
      const key = event.key;
      const typing = typingTarget(event.target);
      if (key === "Escape") {
        if (typing === "terminal" || openDialog()) return; // the terminal's program, or the dialog, takes it
        if (typing === "input" && event.target.id === "list-filter" && event.target.value !== "") {
          setInputValue(event.target, "");
          event.preventDefault();
          return;
        }
        if (typing) {
          event.target.blur();
          return;
        }
        if (mode === "list") {
          const filter = document.getElementById("list-filter");
          if (filter && filter.value !== "") {
            setInputValue(filter, "");
            event.preventDefault();
          } else if (cursor.current) {
            cursor.current = "";
            mark();
          }
        } else {
          const back = document.querySelector('[data-testid="detail-kind-link"], [data-testid="back-to-list"]');
          if (back) {
            event.preventDefault();
            back.click();
          }
        }
        return;
      }
      if (typing === "input" && key === "Enter" && event.target.id === "list-filter") {
        event.target.blur(); // k9s: Enter keeps the filter and hands the keys back to the table
        return;
      }
      if (typing) return;
      if (event.ctrlKey) {
        if (mode === "detail" && (key === "d" || key === "D")) {
          event.preventDefault(); // the browser's "bookmark this page"
          const remove = document.querySelector('[data-testid="action-delete"]');
          if (remove && !remove.disabled) remove.click();
          else say("Delete is not available to you here.");
        }
        return;
      }
      if (key === "?") {
        event.preventDefault();
        command.current && command.current("help");
        return;
      }
      if (openDialog()) return; // keys belong to the open dialog
      if (key === ":") {
        event.preventDefault();
        setTyped("");
        setSwitcher(true);
        return;
      }
      if (mode === "list") {
        if (key === "/") {
          const filter = document.getElementById("list-filter");
          if (filter) {
            event.preventDefault();
            filter.focus();
            filter.select();
          }
        } else if (key === "j" || key === "ArrowDown") {
          event.preventDefault();
          move(1);
        } else if (key === "k" || key === "ArrowUp") {
          event.preventDefault();
          move(-1);
        } else if (key === "Enter" && cursor.current) {
          const row = rows().find((r) => r.getAttribute("data-key") === cursor.current);
          const link = row && row.querySelector('[data-testid="row-link"]');
          if (link) {
            event.preventDefault();
            link.click();
          } else if (row) {
            say("This kind has no detail page.");
          }
        }
        return;
      }
      const tabs = DETAIL_TABS[key];
      if (tabs) {
        const link = tabs.map((id) => document.querySelector(`[data-testid="detail-tab-${id}"]`)).find(Boolean);
        if (link) {
          event.preventDefault();
          link.click();
        } else {
          say(`No ${TAB_NAMES[key]} tab for this kind.`);
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [mode, move, mark, say]);

  useEffect(() => () => clearTimeout(messageTimer.current), []);

  const submit = (event) => {
    event.preventDefault();
    const wanted = typed.trim().replace(/^:/, "").toLowerCase();
    if (!wanted) {
      setSwitcher(false);
      return;
    }
    const kindId = aliases[wanted];
    if (!kindId) {
      say(`Unknown kind “${wanted}”. Try pods, po, deploy, svc, no, ns…`);
      return;
    }
    setSwitcher(false);
    setMessage("");
    cursor.current = "";
    command.current && command.current(`kind:${kindId}`);
  };

  return (
    <>
      <style>{STYLE}</style>
      {switcher && (
        <form className="kb-switcher" onSubmit={submit} data-testid="kind-switcher">
          <label>
            :
            <input
              autoFocus
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Escape") {
                  event.preventDefault();
                  event.stopPropagation();
                  setSwitcher(false);
                }
              }}
              onBlur={() => setSwitcher(false)}
              placeholder="kind: pods, po, deploy, svc, no…"
              aria-label="Switch kind"
              data-testid="kind-switcher-input"
              spellCheck={false}
              autoComplete="off"
            />
          </label>
          <small>Enter to switch · Esc to close</small>
        </form>
      )}
      {message && (
        <div className="kb-message" role="status" data-testid="keyboard-message">
          {message}
        </div>
      )}
    </>
  );
}
