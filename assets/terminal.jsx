// The Exec tab's terminal: xterm.js on a WebSocket to `/ws/exec/{ns}/{pod}?container=` (console/streams/exec.py).
// Keystrokes go out as binary frames; `{"type":"resize"}` follows every fit (a ResizeObserver on the box);
// `{"type":"ping"}` every 25 s keeps an idle shell open. Binary frames in are the shell's output; JSON text frames
// in are `open`, `exit` (shown as "Process exited with code N") and `error`. A new `src` starts a new session.
import React, { useEffect, useRef } from "react";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import env from "$/env.json";

const KEEPALIVE_MS = 25000;
const DIM = "\x1b[2m";
const RED = "\x1b[31m";
const RESET = "\x1b[0m";

function socketUrl(src) {
  // prod serves everything on one port: the page's own origin; dev runs the backend on its own port
  const url = new URL(src, window.location.href);
  if (import.meta.env.DEV) url.port = new URL(env.EVENT).port;
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export function ExecTerminal({ src = "", height = "60vh", onExit, onState }) {
  const boxRef = useRef(null);
  const callbacks = useRef({ onExit, onState });
  callbacks.current = { onExit, onState };

  useEffect(() => {
    const box = boxRef.current;
    if (!box || !src) return undefined;
    const term = new Terminal({
      cursorBlink: true,
      convertEol: false,
      scrollback: 5000,
      fontFamily: '"JetBrains Mono", ui-monospace, SFMono-Regular, Menlo, monospace',
      fontSize: 13,
      theme: { background: "#0c0d10", foreground: "#d4d4d4" },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box);
    const encoder = new TextEncoder();
    const report = (state, detail) => callbacks.current.onState && callbacks.current.onState(state, detail || "");
    let ended = false;
    let keepalive = 0;

    const socket = new WebSocket(socketUrl(src));
    socket.binaryType = "arraybuffer";
    const sendResize = () => {
      if (socket.readyState === WebSocket.OPEN && term.cols > 0 && term.rows > 0) {
        socket.send(JSON.stringify({ type: "resize", cols: term.cols, rows: term.rows }));
      }
    };
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // the box is hidden (no size yet)
      }
      sendResize();
    };
    term.writeln(`${DIM}Connecting…${RESET}`);
    report("connecting");

    socket.onopen = () => {
      refit();
      keepalive = window.setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
      }, KEEPALIVE_MS);
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") {
        term.write(new Uint8Array(event.data));
        return;
      }
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === "open") {
        report("open", frame.protocol);
        sendResize();
        term.focus();
      } else if (frame.type === "exit") {
        ended = true;
        const code = frame.code === null || frame.code === undefined ? "unknown" : frame.code;
        term.write(`\r\n${DIM}Process exited with code ${code}${RESET}\r\n`);
        if (frame.code === null && frame.message) term.write(`${RED}${frame.message}${RESET}\r\n`);
        report("exited", String(code));
        if (callbacks.current.onExit) callbacks.current.onExit(frame.code === null ? -1 : frame.code);
      } else if (frame.type === "error") {
        ended = true;
        term.write(`\r\n${RED}${frame.message}${RESET}\r\n`);
        report("error", frame.message);
      }
    };
    socket.onerror = () => {
      if (!ended) term.write(`\r\n${RED}Connection error.${RESET}\r\n`);
    };
    socket.onclose = (event) => {
      window.clearInterval(keepalive);
      if (!ended) {
        ended = true;
        const reason = event.reason ? `: ${event.reason}` : "";
        term.write(`\r\n${RED}Connection closed (${event.code})${reason}${RESET}\r\n`);
        report("closed", event.reason || String(event.code));
      }
    };

    const typing = term.onData((data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
    });
    const binary = term.onBinary((data) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      const bytes = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
      socket.send(bytes);
    });
    const observer = new ResizeObserver(() => refit());
    observer.observe(box);
    refit();

    return () => {
      observer.disconnect();
      window.clearInterval(keepalive);
      typing.dispose();
      binary.dispose();
      socket.onclose = null;
      socket.close(1000);
      term.dispose();
    };
  }, [src]);

  return (
    <div
      data-testid="exec-terminal"
      style={{ height, width: "100%", background: "#0c0d10", borderRadius: 6, padding: 6, boxSizing: "border-box" }}
    >
      <div ref={boxRef} style={{ height: "100%", width: "100%", overflow: "hidden" }} />
    </div>
  );
}

export default ExecTerminal;
