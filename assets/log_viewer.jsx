// The Logs tab's viewer: reads `/ws/logs/{ns}/{name}` itself (lines never pass through Reflex state), keeps a
// bounded buffer in a chunked DOM list it appends to once per animation frame, renders ANSI colours, searches with
// highlight and next/previous, downloads, and reconnects with backoff resuming after the last line it holds.
import React, { useCallback, useEffect, useRef, useState } from "react";
import env from "$/env.json";

const MAX_LINES = 10000; // bounded buffer; older lines are dropped with a visible marker
const CHUNK_LINES = 200; // lines per DOM chunk; off-screen chunks skip layout and paint (content-visibility)
const LINE_HEIGHT_PX = 18;
const BACKOFF_MS = [1000, 2000, 4000, 8000]; // then 8 s between every further attempt
const NO_RECONNECT = (code) => code === 1000 || (code >= 4000 && code < 5000);

const ANSI_COLOURS = [
  "#1e1e1e", "#f14c4c", "#23d18b", "#e5c07b", "#3b8eea", "#d670d6", "#29b8db", "#d4d4d4",
  "#666666", "#ff6b6b", "#5af78e", "#f4f99d", "#57c7ff", "#ff6ac1", "#9aedfe", "#ffffff",
];
const POD_COLOURS = ["#57c7ff", "#5af78e", "#f4f99d", "#ff6ac1", "#9aedfe", "#e5c07b", "#d670d6", "#ff9e64"];
const ESCAPE = /\x1b\[([0-9;]*)([A-Za-z])/g;

const STYLE = `
.lv-root{display:flex;flex-direction:column;gap:6px;width:100%}
.lv-bar{display:flex;align-items:center;gap:6px;flex-wrap:wrap;font-size:13px}
.lv-badge{padding:1px 8px;border-radius:9999px;font-size:12px;font-weight:500;border:1px solid currentColor}
.lv-badge[data-state=streaming]{color:var(--green-11)}.lv-badge[data-state=connecting]{color:var(--blue-11)}
.lv-badge[data-state=reconnecting]{color:var(--amber-11)}.lv-badge[data-state=closed]{color:var(--gray-11)}
.lv-badge[data-state=error]{color:var(--red-11)}
.lv-bar input{font:inherit;padding:2px 6px;border:1px solid #8b8d9866;border-radius:4px;background:transparent;color:inherit;width:200px}
.lv-bar button{font:inherit;padding:2px 8px;border:1px solid #8b8d9866;border-radius:4px;background:transparent;color:inherit;cursor:pointer}
.lv-bar button:disabled{opacity:.5;cursor:default}
.lv-message{color:var(--gray-11);font-size:12px}.lv-message[data-state=error],.lv-message[data-state=reconnecting]{color:var(--red-11)}
.lv-dim{color:var(--gray-11);font-size:12px}
.lv-screen{background:#0c0d10;color:#d4d4d4;font:12px/${LINE_HEIGHT_PX}px "JetBrains Mono",ui-monospace,SFMono-Regular,Menlo,monospace;height:480px;overflow:auto;border-radius:6px;padding:6px 8px}
.lv-chunk{content-visibility:auto;contain-intrinsic-size:auto ${CHUNK_LINES * LINE_HEIGHT_PX}px}
.lv-line{white-space:pre;min-height:${LINE_HEIGHT_PX}px}
.lv-wrap .lv-line{white-space:pre-wrap;overflow-wrap:anywhere}
.lv-ts,.lv-prefix{margin-right:8px;user-select:text}
.lv-ts{color:#8b8d98;display:none}.lv-show-ts .lv-ts{display:inline}
.lv-dropped{color:#d29922;font-style:italic;border-bottom:1px dashed #d2992266;margin-bottom:4px}
.lv-screen mark{background:#e5c07b;color:#0c0d10;border-radius:2px}
.lv-screen mark.lv-current{background:#ff9e64;outline:1px solid #fff}
`;

function hash(text) {
  let value = 0;
  for (let i = 0; i < text.length; i++) value = (value * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(value);
}

function colour256(n) {
  if (n < 16) return ANSI_COLOURS[n];
  if (n < 232) {
    const steps = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return `rgb(${steps[Math.floor(i / 36)]},${steps[Math.floor(i / 6) % 6]},${steps[i % 6]})`;
  }
  const grey = 8 + (n - 232) * 10;
  return `rgb(${grey},${grey},${grey})`;
}

// SGR codes → the style that follows them.
function applySgr(style, params) {
  const codes = params === "" ? [0] : params.split(";").map((p) => Number(p) || 0);
  const next = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (code === 0) Object.keys(next).forEach((key) => delete next[key]);
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 22) { delete next.bold; delete next.dim; }
    else if (code === 23) delete next.italic;
    else if (code === 24) delete next.underline;
    else if (code >= 30 && code <= 37) next.fg = ANSI_COLOURS[code - 30];
    else if (code >= 90 && code <= 97) next.fg = ANSI_COLOURS[code - 90 + 8];
    else if (code >= 40 && code <= 47) next.bg = ANSI_COLOURS[code - 40];
    else if (code >= 100 && code <= 107) next.bg = ANSI_COLOURS[code - 100 + 8];
    else if (code === 39) delete next.fg;
    else if (code === 49) delete next.bg;
    else if ((code === 38 || code === 48) && codes[i + 1] === 5) {
      next[code === 38 ? "fg" : "bg"] = colour256(codes[i + 2] || 0);
      i += 2;
    } else if ((code === 38 || code === 48) && codes[i + 1] === 2) {
      next[code === 38 ? "fg" : "bg"] = `rgb(${codes[i + 2] || 0},${codes[i + 3] || 0},${codes[i + 4] || 0})`;
      i += 4;
    }
  }
  return next;
}

// A line's text split into runs of one style each; escape sequences removed.
export function ansiRuns(text) {
  if (text.indexOf("\x1b") < 0) return [{ text, style: null }];
  const runs = [];
  let style = {};
  let last = 0;
  ESCAPE.lastIndex = 0;
  let match;
  while ((match = ESCAPE.exec(text)) !== null) {
    if (match.index > last) runs.push({ text: text.slice(last, match.index), style });
    if (match[2] === "m") style = applySgr(style, match[1]);
    last = ESCAPE.lastIndex;
  }
  if (last < text.length) runs.push({ text: text.slice(last), style });
  return runs.map((run) => ({ text: run.text.replace(/\x1b/g, ""), style: run.style }));
}

function styleElement(element, style) {
  if (!style) return;
  if (style.fg) element.style.color = style.fg;
  if (style.bg) element.style.backgroundColor = style.bg;
  if (style.bold) element.style.fontWeight = "bold";
  if (style.dim) element.style.opacity = "0.7";
  if (style.italic) element.style.fontStyle = "italic";
  if (style.underline) element.style.textDecoration = "underline";
}

// Where `needle` (lower case) occurs in `haystack`: [start, end) pairs.
function findAll(haystack, needle) {
  const found = [];
  if (!needle) return found;
  const lower = haystack.toLowerCase();
  let at = lower.indexOf(needle);
  while (at >= 0) {
    found.push([at, at + needle.length]);
    at = lower.indexOf(needle, at + needle.length);
  }
  return found;
}

// Fill a line's message element from its runs, wrapping matches in <mark data-testid="log-match">.
function renderMessage(target, runs, ranges) {
  target.textContent = "";
  let offset = 0;
  let r = 0;
  for (const run of runs) {
    const end = offset + run.text.length;
    let span = target;
    if (run.style && Object.keys(run.style).length) {
      span = document.createElement("span");
      styleElement(span, run.style);
      target.appendChild(span);
    }
    let at = offset;
    while (at < end) {
      while (r < ranges.length && ranges[r][1] <= at) r++;
      const range = ranges[r];
      if (!range || range[0] >= end) {
        span.appendChild(document.createTextNode(run.text.slice(at - offset)));
        break;
      }
      if (range[0] > at) {
        span.appendChild(document.createTextNode(run.text.slice(at - offset, range[0] - offset)));
        at = range[0];
      }
      const stop = Math.min(range[1], end);
      const mark = document.createElement("mark");
      mark.setAttribute("data-testid", "log-match");
      mark.textContent = run.text.slice(at - offset, stop - offset);
      span.appendChild(mark);
      at = stop;
    }
    offset = end;
  }
}

// Orders RFC 3339 stamps (fractions of any length, Z zone as the API server writes them).
function stampKey(stamp) {
  const [whole, rest = ""] = stamp.split(".");
  const digits = rest.replace(/[^0-9].*$/, "");
  return whole.slice(0, 19) + (digits + "000000000").slice(0, 9);
}

function socketUrl(src, resume) {
  // prod serves everything on one port: the page's own origin; dev runs the backend on its own port
  const url = new URL(src, window.location.href);
  if (import.meta.env.DEV) url.port = new URL(env.EVENT).port;
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (resume) {
    url.searchParams.set("sinceTime", resume.time);
    url.searchParams.set("seen", String(resume.seen));
  }
  return url.toString();
}

export function LogViewer({
  src,
  timestamps = false,
  wrap = false,
  showPod = false,
  showContainer = false,
  follow = true,
  downloadName = "logs.txt",
  height = "480px",
}) {
  const screenRef = useRef(null);
  const bodyRef = useRef(null);
  const store = useRef(null);
  if (store.current === null) {
    store.current = { entries: [], pending: [], frame: 0, dropped: 0, matches: 0, needle: "", current: -1 };
  }
  const [status, setStatus] = useState({ state: "connecting", attempt: 0, message: "" });
  const [count, setCount] = useState(0);
  const [dropped, setDropped] = useState(0);
  const [query, setQuery] = useState("");
  const [matchInfo, setMatchInfo] = useState({ total: 0, current: -1 });
  const followRef = useRef(follow);
  followRef.current = follow;
  const prefixRef = useRef({ showPod, showContainer });
  prefixRef.current = { showPod, showContainer };

  const buildLine = useCallback((entry) => {
    const line = document.createElement("div");
    line.className = "lv-line";
    line.setAttribute("data-testid", "log-line");
    line.setAttribute("data-pod", entry.pod);
    if (entry.container) line.setAttribute("data-container", entry.container);
    if (entry.time) {
      const ts = document.createElement("span");
      ts.className = "lv-ts";
      ts.textContent = entry.time;
      line.appendChild(ts);
    }
    const { showPod: pod, showContainer: container } = prefixRef.current;
    const label = [pod ? entry.pod : "", container ? entry.container : ""].filter(Boolean).join("/");
    if (label) {
      const prefix = document.createElement("span");
      prefix.className = "lv-prefix";
      prefix.setAttribute("data-testid", "log-prefix");
      prefix.style.color = POD_COLOURS[hash(pod ? entry.pod : entry.container) % POD_COLOURS.length];
      prefix.textContent = `[${label}]`;
      line.appendChild(prefix);
    }
    const message = document.createElement("span");
    message.className = "lv-msg";
    line.appendChild(message);
    entry.el = line;
    entry.msg = message;
    return line;
  }, []);

  const highlight = useCallback((entry, needle) => {
    const ranges = findAll(entry.plain, needle);
    if (ranges.length || entry.hits) renderMessage(entry.msg, entry.runs, ranges);
    entry.hits = ranges.length;
    return ranges.length;
  }, []);

  const publishMatches = useCallback(() => {
    const s = store.current;
    setMatchInfo({ total: s.matches, current: s.current });
  }, []);

  // Append what arrived since the last frame; drop the oldest lines beyond the bound.
  const flush = useCallback(() => {
    const s = store.current;
    s.frame = 0;
    const body = bodyRef.current;
    const screen = screenRef.current;
    if (!body || !s.pending.length) return;
    let incoming = s.pending;
    s.pending = [];
    if (incoming.length > MAX_LINES) {
      s.dropped += incoming.length - MAX_LINES;
      incoming = incoming.slice(incoming.length - MAX_LINES);
    }
    const atBottom = screen.scrollTop + screen.clientHeight >= screen.scrollHeight - 2 * LINE_HEIGHT_PX;
    const overflow = s.entries.length + incoming.length - MAX_LINES;
    if (overflow > 0) {
      const gone = s.entries.splice(0, overflow);
      for (const entry of gone) {
        const chunk = entry.el.parentNode;
        entry.el.remove();
        if (chunk && !chunk.firstChild) chunk.remove();
        s.matches -= entry.hits || 0;
      }
      s.dropped += overflow;
      s.current = -1;
    }
    let chunk = body.lastElementChild;
    for (const entry of incoming) {
      if (!chunk || chunk.childElementCount >= CHUNK_LINES) {
        chunk = document.createElement("div");
        chunk.className = "lv-chunk";
        body.appendChild(chunk);
      }
      const line = buildLine(entry);
      const ranges = s.needle ? findAll(entry.plain, s.needle) : [];
      entry.hits = ranges.length;
      s.matches += ranges.length;
      if (ranges.length || entry.runs.length > 1 || entry.runs[0].style) renderMessage(entry.msg, entry.runs, ranges);
      else entry.msg.textContent = entry.plain;
      chunk.appendChild(line);
      s.entries.push(entry);
    }
    if (followRef.current && atBottom) screen.scrollTop = screen.scrollHeight;
    setCount(s.entries.length);
    setDropped(s.dropped);
    if (s.needle) publishMatches();
  }, [buildLine, highlight, publishMatches]);

  const receive = useCallback(
    (items) => {
      const s = store.current;
      for (const item of items) {
        const text = item.text ?? "";
        const runs = ansiRuns(text);
        const plain = runs.length === 1 ? runs[0].text : runs.map((run) => run.text).join("");
        s.pending.push({ pod: item.pod || "", container: item.container || "", time: item.time || "", runs, plain });
        if (item.time) {
          const key = stampKey(item.time);
          if (!s.resume || key > s.resume.key) s.resume = { time: item.time, key, seen: 1 };
          else if (key === s.resume.key) s.resume.seen += 1;
        }
      }
      if (s.pending.length > MAX_LINES * 2) s.pending.splice(0, s.pending.length - MAX_LINES); // hidden tab: no frames
      if (!s.frame) s.frame = requestAnimationFrame(flush);
    },
    [flush],
  );

  // One socket per `src`; reconnects resume after the last line held.
  useEffect(() => {
    const s = store.current;
    if (s.frame) cancelAnimationFrame(s.frame);
    Object.assign(s, { entries: [], pending: [], frame: 0, dropped: 0, matches: 0, current: -1, resume: null });
    if (bodyRef.current) bodyRef.current.textContent = "";
    setCount(0);
    setDropped(0);
    publishMatches();
    if (!src) return undefined;
    let socket = null;
    let timer = 0;
    let disposed = false;
    let attempt = 0;

    const connect = () => {
      setStatus({ state: attempt ? "reconnecting" : "connecting", attempt, message: "" });
      const resume = s.resume ? { time: s.resume.time, seen: s.resume.seen } : null;
      socket = new WebSocket(socketUrl(src, resume));
      socket.onmessage = (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return;
        }
        if (frame.type === "line") receive([frame]);
        else if (frame.type === "lines") receive(frame.lines || []);
        else if (frame.type === "status") {
          if (frame.state === "streaming" && !frame.pod) attempt = 0;
          const where = frame.pod ? `${frame.pod}${frame.container ? "/" + frame.container : ""}: ` : "";
          if (frame.pod && frame.state === "error") {
            // one of several streams failed; the others go on
            setStatus((old) => ({ ...old, message: where + (frame.message || "") }));
          } else {
            setStatus({ state: frame.state, attempt: frame.attempt || 0, message: frame.message ? where + frame.message : "" });
          }
        }
      };
      socket.onclose = (event) => {
        if (disposed) return;
        if (event.code === 1000) {
          setStatus((old) => ({ state: "closed", attempt: 0, message: old.state === "closed" ? old.message : "" }));
          return;
        }
        if (NO_RECONNECT(event.code)) {
          setStatus({ state: "error", attempt: 0, message: event.reason || `closed (${event.code})` });
          return;
        }
        attempt += 1;
        setStatus({ state: "reconnecting", attempt, message: event.reason || "" });
        timer = setTimeout(connect, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length) - 1]);
      };
    };
    connect();
    return () => {
      disposed = true;
      clearTimeout(timer);
      if (socket) {
        socket.onmessage = null;
        socket.close(1000);
      }
    };
  }, [src, receive, publishMatches]);

  // Prefix toggles change what each line shows: rebuild the DOM from the buffer.
  useEffect(() => {
    const s = store.current;
    const body = bodyRef.current;
    if (!body || !s.entries.length) return;
    s.pending = s.entries.concat(s.pending);
    s.entries = [];
    s.matches = 0;
    body.textContent = "";
    flush();
  }, [showPod, showContainer, flush]);

  // Search: re-highlight the lines whose matches change.
  useEffect(() => {
    const s = store.current;
    const timer = setTimeout(() => {
      const needle = query.toLowerCase();
      s.needle = needle;
      s.matches = 0;
      s.current = -1;
      for (const entry of s.entries) s.matches += highlight(entry, needle);
      publishMatches();
    }, 120);
    return () => clearTimeout(timer);
  }, [query, highlight, publishMatches]);

  const step = useCallback(
    (by) => {
      const s = store.current;
      const body = bodyRef.current;
      if (!body) return;
      const marks = body.querySelectorAll('mark[data-testid="log-match"]');
      if (!marks.length) return;
      const old = body.querySelector("mark.lv-current");
      if (old) old.classList.remove("lv-current");
      let index = old ? Array.prototype.indexOf.call(marks, old) : -1;
      index = index < 0 ? (by > 0 ? 0 : marks.length - 1) : (index + by + marks.length) % marks.length;
      marks[index].classList.add("lv-current");
      marks[index].scrollIntoView({ block: "center" });
      s.current = index;
      s.matches = marks.length;
      publishMatches();
    },
    [publishMatches],
  );

  const download = useCallback(() => {
    const s = store.current;
    const { showPod: pod, showContainer: container } = prefixRef.current;
    const text = s.entries
      .map((entry) => {
        const label = [pod ? entry.pod : "", container ? entry.container : ""].filter(Boolean).join("/");
        return [timestamps ? entry.time : "", label ? `[${label}]` : "", entry.plain].filter(Boolean).join(" ");
      })
      .join("\n");
    const url = URL.createObjectURL(new Blob([text + "\n"], { type: "text/plain" }));
    const anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = downloadName;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }, [downloadName, timestamps]);

  const label = status.state === "reconnecting" ? `reconnecting (#${status.attempt})` : status.state;
  const screenClass = ["lv-screen", wrap ? "lv-wrap" : "", timestamps ? "lv-show-ts" : ""].filter(Boolean).join(" ");
  return (
    <div className="lv-root" data-testid="log-viewer">
      <style>{STYLE}</style>
      <div className="lv-bar">
        <span className="lv-badge" data-testid="log-status" data-state={status.state}>
          {label}
        </span>
        <span className="lv-dim" data-testid="log-count">
          {count.toLocaleString()} lines
        </span>
        <span style={{ flex: 1 }} />
        <input
          type="search"
          data-testid="log-search"
          placeholder="Find in logs"
          aria-label="Find in logs"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              step(event.shiftKey ? -1 : 1);
            } else if (event.key === "Escape") setQuery("");
          }}
        />
        <span className="lv-dim" data-testid="log-search-count">
          {query ? `${matchInfo.current >= 0 ? matchInfo.current + 1 : 0}/${matchInfo.total}` : ""}
        </span>
        <button type="button" data-testid="log-search-prev" disabled={!matchInfo.total} onClick={() => step(-1)}>
          Prev
        </button>
        <button type="button" data-testid="log-search-next" disabled={!matchInfo.total} onClick={() => step(1)}>
          Next
        </button>
        <button type="button" data-testid="log-download" disabled={!count} onClick={download}>
          Download
        </button>
      </div>
      {status.message ? (
        <div className="lv-message" data-testid="log-message" data-state={status.state}>
          {status.message}
        </div>
      ) : null}
      <div
        ref={screenRef}
        className={screenClass}
        style={{ height }}
        tabIndex={0}
        onKeyDown={(event) => {
          if ((event.ctrlKey || event.metaKey) && event.key === "f") {
            event.preventDefault();
            event.currentTarget.parentNode.querySelector('[data-testid="log-search"]').focus();
          }
        }}
      >
        {dropped ? (
          <div className="lv-dropped" data-testid="log-dropped">
            {dropped.toLocaleString()} older lines dropped (the viewer keeps the newest {MAX_LINES.toLocaleString()})
          </div>
        ) : null}
        <div ref={bodyRef} />
      </div>
    </div>
  );
}

export default LogViewer;
