// The architecture graph's controls around the canvas (`graph_view.jsx`): the top bar (status, search,
// Re-layout, Legend, Fullscreen), the type chips, the notice and error lines, and a node's hover card.
import React, { forwardRef, memo } from "react";
import { FAMILY, FILL, STATUS_WORDS, ShapeSvg } from "./graph_parts.jsx";

function statusLabel(status) {
  if (status.state === "reconnecting" && status.attempt) return `reconnecting (#${status.attempt})`;
  return status.state;
}

export const TopBar = memo(
  forwardRef(function TopBar(
    { status, nodeCount, query, setQuery, matchInfo, stepMatch, relayout, legend, toggleLegend, fullscreen, toggleFullscreen },
    searchRef,
  ) {
    return (
      <div className="gv-bar">
        <span className="gv-badge" data-testid="graph-status" data-state={status.state} role="status">
          {statusLabel(status)}
        </span>
        <span className="gv-dim" data-testid="graph-count">
          {nodeCount.toLocaleString()} nodes
        </span>
        <input
          ref={searchRef}
          type="search"
          data-testid="graph-search"
          placeholder="Find a node (/)"
          aria-label="Find a node by name or namespace"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              stepMatch(event.shiftKey ? -1 : 1);
            } else if (event.key === "Escape") {
              event.preventDefault();
              event.stopPropagation();
              setQuery("");
            }
          }}
        />
        <span className="gv-dim" data-testid="graph-search-count">
          {query.trim() ? `${matchInfo.index >= 0 ? matchInfo.index + 1 : 0}/${matchInfo.total}` : ""}
        </span>
        <span style={{ flex: 1 }} />
        <button type="button" data-testid="graph-relayout" onClick={relayout} disabled={!nodeCount}>
          Re-layout
        </button>
        <button type="button" data-testid="graph-legend-toggle" aria-pressed={legend} onClick={toggleLegend}>
          Legend
        </button>
        <button type="button" data-testid="graph-fullscreen" aria-pressed={fullscreen} onClick={toggleFullscreen}>
          {fullscreen ? "Exit fullscreen" : "Fullscreen"}
        </button>
      </div>
    );
  }),
);

// One chip per node type with its count; a type the lens hides is disabled and says so.
export const TypeChips = memo(function TypeChips({ chips, lens, onToggle }) {
  return (
    <div className="gv-chips" role="group" aria-label="Node types">
      {chips.map((chip) => {
        const shown = chip.shown && !chip.hiddenByLens;
        return (
          <button
            key={chip.type}
            type="button"
            className="gv-chip"
            data-testid="graph-type-chip"
            data-type={chip.type}
            data-shown={shown ? "true" : "false"}
            data-count={String(chip.count)}
            aria-pressed={shown}
            aria-disabled={chip.hiddenByLens ? "true" : undefined}
            title={chip.hiddenByLens ? `hidden by the ${lens} lens` : `${chip.shown ? "Hide" : "Show"} ${chip.title}`}
            onClick={() => onToggle(chip)}
          >
            <ShapeSvg
              shape={chip.shape}
              fill="var(--gv-muted-fill)"
              border={FAMILY[chip.family] || FAMILY.core}
              size={14}
              strokeWidth={6}
            />
            {chip.title} <b>{chip.count.toLocaleString()}</b>
          </button>
        );
      })}
    </div>
  );
});

// The server's notice, an error frame's message, and why the stream is not live (with a way to sign in again).
export function Messages({ notice, problem, status }) {
  const signIn = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
  return (
    <>
      {notice ? (
        <div className="gv-message" data-testid="graph-notice">
          {notice}
        </div>
      ) : null}
      {problem ? (
        <div className="gv-message" data-tone="error" data-testid="graph-error">
          {problem}
        </div>
      ) : null}
      {status.message && status.state !== "live" ? (
        <div
          className="gv-message"
          data-tone={status.state === "error" ? "error" : undefined}
          data-testid="graph-status-message"
        >
          {status.message}
          {status.final === "signed-out" ? (
            <>
              {" "}
              <a href={signIn} data-testid="graph-sign-in">
                Sign in again
              </a>
            </>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

// A node's name, kind, namespace and status in words, with what can be done with it.
export function HoverCard({ node, at, onOpen, onFocus, onClose, onEnter, onLeave }) {
  return (
    <div
      className="gv-card"
      data-testid="graph-hover-card"
      data-node-id={node.id}
      style={{ left: Math.max(4, at.x - 120), top: at.y }}
      onMouseEnter={onEnter}
      onMouseLeave={onLeave}
    >
      <h4>{node.name}</h4>
      <div className="gv-dim">
        {node.title}
        {node.namespace ? ` · ${node.namespace}` : ""}
      </div>
      <div data-testid="graph-card-status">
        <span className="gv-status-dot" style={{ background: FILL[node.status] || FILL.unknown }} />
        {STATUS_WORDS[node.status] || node.status}
        {node.statusText ? `: ${node.statusText}` : ""}
      </div>
      {node.summary ? <div data-testid="graph-card-summary">{node.summary}</div> : null}
      <div className="gv-card-actions">
        {node.collapsed ? (
          <button type="button" data-testid="graph-card-expand" onClick={() => onOpen(node.id)}>
            Expand
          </button>
        ) : node.href ? (
          <button type="button" data-testid="graph-card-open" onClick={() => onOpen(node.id)}>
            Open
          </button>
        ) : null}
        <button
          type="button"
          data-testid="graph-card-focus"
          title="Show its neighbourhood (f)"
          onClick={() => onFocus(node.id, "both")}
        >
          Focus
        </button>
        <button
          type="button"
          data-testid="graph-card-breaks"
          title="What breaks if this breaks? (w)"
          onClick={() => onFocus(node.id, "dependents")}
        >
          What breaks?
        </button>
        <button type="button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
    </div>
  );
}
