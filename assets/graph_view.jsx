// The architecture graph (`console/components/wrapped/graph_view.py`): reads `/ws/graph` itself (the nodes never
// pass through Reflex state), draws them with React Flow, lays them out with ELK in web workers, and keeps every
// node where it is across live deltas, view changes and reconnects. The page only sets the view's small options
// (lens, types, grouping, focus) and hears back what the person chose (open, focus, type chips).
import React, { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ReactFlow, ReactFlowProvider, Background, Controls, MiniMap, useReactFlow, useStore } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { NODE_W, NODE_H, elkLayout, gridLayout, placeNear, repackGroups, warmUp } from "./graph_layout.js";
import {
  applyDelta,
  applySnapshot,
  bulk,
  drawnEdges,
  drawnNodes,
  enterContext,
  findMatches,
  missingPositions,
  nearestInDirection,
  nearestTo,
  neighboursOf,
  newStore,
  writeStored,
} from "./graph_model.js";
import { FAMILY, FILL, GroupNode, Legend, MarkerDefs, RelationEdge, ResourceNode } from "./graph_parts.jsx";
import { HoverCard, Messages, TopBar, TypeChips } from "./graph_chrome.jsx";
import { useGraphSocket } from "./graph_socket.js";
import { ANIMATE_MS, STYLE } from "./graph_style.js";

const VIEW_DEBOUNCE_MS = 100;
const GRID_AFTER_MS = 450; // ELK slower than this: paint a grid first, then move to ELK's result
const LOADING_RELAYOUT_MS = 400; // while the cluster's kinds load, lay out once their deltas pause this long
const FAR_ZOOM = 0.35; // below this zoom the labels are not drawn
const VISIBLE_ONLY_FROM = 600; // larger views draw only what is in the viewport (small ones draw all: smoother pans)
const NODE_TYPES = { resource: ResourceNode, gvgroup: GroupNode };
const EDGE_TYPES = { relation: RelationEdge };
const NODE_SELECTOR = '[data-testid="graph-node"]';

// Performance marks for benches (the first snapshot, the first paint); a browser without them loses nothing.
function mark(name) {
  try {
    performance.mark(name);
  } catch {
    // marks are a nicety
  }
}

// React Flow measures nodes in a ResizeObserver; when a relayout resizes them again in the same frame the
// browser reports "ResizeObserver loop completed with undelivered notifications" and delivers them next frame.
// Nothing is lost, so it must not reach Reflex's frontend-exception handler (window.onerror) as an error.
if (typeof window !== "undefined" && !window.__sovResizeObserverQuiet) {
  window.__sovResizeObserverQuiet = true;
  window.addEventListener(
    "error",
    (event) => {
      if (typeof event.message === "string" && event.message.startsWith("ResizeObserver loop")) {
        event.stopImmediatePropagation();
      }
    },
    true,
  );
}

function typingTarget(target) {
  return target instanceof Element && !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
}

function below(element, root) {
  const rect = element.getBoundingClientRect();
  const frame = root.getBoundingClientRect();
  return { x: rect.left - frame.left + rect.width / 2, y: rect.bottom - frame.top + 4 };
}

function GraphCanvas({
  lens = "all",
  types = null,
  group = "namespace",
  focus = "",
  hops = 2,
  direction = "both",
  theme = "light",
  height = "70vh",
  onOpen,
  onTypesChange,
  onFocus,
}) {
  const flow = useReactFlow();
  // Far out, labels are unreadable anyway: dropping them makes large views much cheaper to draw.
  const far = useStore((state) => state.transform[2] < FAR_ZOOM);
  const rootRef = useRef(null);
  const canvasRef = useRef(null);
  const searchRef = useRef(null);
  // Everything the socket sent, and where each node sits, live in a ref: React state holds only what is drawn.
  const store = useRef(null);
  if (store.current === null) store.current = newStore();
  const s = store.current;
  const neighbours = useMemo(() => neighboursOf(store.current), []);

  const [rfNodes, setRfNodes] = useState([]);
  const [rfEdges, setRfEdges] = useState([]);
  const [status, setStatus] = useState({ state: "loading", attempt: 0, message: "", final: "" });
  const [typeChips, setTypeChips] = useState([]);
  const [notice, setNotice] = useState("");
  const [problem, setProblem] = useState("");
  const [expanded, setExpanded] = useState(() => new Set());
  const [received, setReceived] = useState(false);
  const [nodeCount, setNodeCount] = useState(0);
  const [painted, setPainted] = useState(false);
  const [legend, setLegend] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [query, setQuery] = useState("");
  const [matchInfo, setMatchInfo] = useState({ total: 0, index: -1 });
  const [card, setCard] = useState(null); // {id, x, y, pinned}
  const [animating, setAnimating] = useState(false);
  const cardTimer = useRef(0);

  const typesKey = types == null ? "" : types.join(",");
  const expandedKey = [...expanded].sort().join(",");
  const viewRef = useRef(null);
  viewRef.current = {
    type: "view",
    lens,
    types: types == null ? null : [...types],
    group,
    expanded: [...expanded],
    focus: focus || "",
    hops: Number(hops) || 2,
    direction,
  };
  // Positions belong to a layout context: the grouping and the focus (a lens or the chips only hide nodes).
  const contextKey = `${group}|${focus || ""}|${focus ? `${hops}|${direction}` : ""}`;
  const callbacks = useRef({});
  callbacks.current = { onOpen, onTypesChange, onFocus };

  // ─── drawing ───

  const commit = useCallback(({ boxes = true, edges = false } = {}) => {
    const s = store.current;
    setRfNodes(drawnNodes(s, { boxes }));
    setNodeCount(s.nodes.size);
    if (edges) setRfEdges(drawnEdges(s));
  }, []);

  const saveSoon = useCallback(() => {
    const s = store.current;
    clearTimeout(s.timers.save);
    const { context, positions } = s;
    s.timers.save = setTimeout(() => writeStored(context, positions), 1000);
  }, []);

  const markPainted = useCallback(() => {
    const s = store.current;
    if (s.painted) return;
    s.painted = true;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        mark("sov-graph-painted");
        setPainted(true);
      }),
    );
  }, []);

  // For benches and tests: "running" while a layout works on this view, "idle" once its result is drawn.
  const setLayoutState = useCallback((state) => {
    if (rootRef.current) rootRef.current.setAttribute("data-layout", state);
  }, []);

  const fitSoon = useCallback(() => {
    store.current.fitPending = true;
  }, []);

  useEffect(() => {
    const s = store.current;
    if (!s.fitPending || !rfNodes.length) return;
    s.fitPending = false;
    requestAnimationFrame(() => flow.fitView({ padding: 0.08, maxZoom: 1.1, duration: 0 }));
  }, [rfNodes, flow]);

  // Nodes glide to their new places (CSS transitions on their transforms; edges fade out meanwhile).
  const animateTo = useCallback((apply, done = () => {}) => {
    const s = store.current;
    clearTimeout(s.timers.animation);
    setAnimating(true);
    requestAnimationFrame(() => {
      apply();
      s.timers.animation = setTimeout(() => {
        setAnimating(false);
        done();
      }, ANIMATE_MS + 50);
    });
  }, []);

  // ─── layout ───

  // The full layout (ELK per connected piece of each group, packed). A grid (or the old places) shows first
  // when ELK takes a while.
  const layout = useCallback(
    (reason) => {
      const s = store.current;
      const token = ++s.layoutToken;
      s.loadingAdds = false;
      clearTimeout(s.timers.loading);
      setLayoutState("running");
      const firstInContext = s.positions.size === 0;
      let interim = false;
      const timer = setTimeout(() => {
        if (token !== s.layoutToken) return;
        interim = true;
        const missing = missingPositions(s);
        if (firstInContext || missing.length > s.nodes.size / 2) {
          for (const [id, at] of gridLayout(s.nodes)) s.positions.set(id, at);
        } else if (missing.length) placeNear(missing, s.nodes, s.positions, neighbours);
        commit({ edges: true });
        if (firstInContext) fitSoon();
        markPainted();
      }, GRID_AFTER_MS);
      const started = performance.now();
      const idle = () => token === s.layoutToken && setLayoutState("idle");
      elkLayout(new Map(s.nodes), new Map(s.edges)).then(
        (placed) => {
          clearTimeout(timer);
          rootRef.current?.setAttribute("data-layout-ms", String(Math.round(performance.now() - started)));
          if (token !== s.layoutToken) return;
          const apply = () => {
            for (const [id, at] of placed) if (s.nodes.has(id)) s.positions.set(id, at);
            const missing = missingPositions(s); // arrived while ELK worked
            if (missing.length) placeNear(missing, s.nodes, s.positions, neighbours);
            commit({ edges: true });
            if (firstInContext || reason === "relayout" || !s.userMoved) fitSoon();
            markPainted();
            saveSoon();
          };
          if (interim || (!firstInContext && reason !== "snapshot-first")) animateTo(apply, idle);
          else {
            apply();
            idle();
          }
        },
        () => {
          clearTimeout(timer);
          idle();
        },
      );
    },
    [animateTo, commit, fitSoon, markPainted, neighbours, saveSoon, setLayoutState],
  );

  // ─── search ───

  const refreshMatches = useCallback(() => {
    const s = store.current;
    findMatches(s);
    setMatchInfo({ total: s.matches.length, index: s.matchIndex });
  }, []);

  const centreOn = useCallback(
    (id) => {
      const at = store.current.positions.get(id);
      if (at) flow.setCenter(at.x + NODE_W / 2, at.y + NODE_H / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 250 });
    },
    [flow],
  );

  useEffect(() => {
    const timer = setTimeout(() => {
      const s = store.current;
      s.needle = query.trim();
      refreshMatches();
      commit({ boxes: false });
      if (s.matches.length) centreOn(s.matches[s.matchIndex]);
    }, 120);
    return () => clearTimeout(timer);
  }, [query, commit, centreOn, refreshMatches]);

  const stepMatch = useCallback(
    (by) => {
      const s = store.current;
      if (!s.matches.length) return;
      s.matchIndex = (s.matchIndex + by + s.matches.length) % s.matches.length;
      setMatchInfo({ total: s.matches.length, index: s.matchIndex });
      commit({ boxes: false });
      centreOn(s.matches[s.matchIndex]);
    },
    [commit, centreOn],
  );

  // ─── frames ───

  const onSnapshot = useCallback(
    (frame) => {
      const s = store.current;
      if (!s.painted) mark("sov-graph-snapshot");
      applySnapshot(s, frame);
      enterContext(s, s.contextFor || s.context);
      setTypeChips(frame.types || []);
      setNotice(frame.notice || "");
      setProblem("");
      s.received = true;
      setReceived(true);
      if (s.needle) refreshMatches();
      const missing = missingPositions(s);
      const placedCount = s.nodes.size - missing.length;
      if (!s.nodes.size || (placedCount > 0 && !bulk(missing.length, s.nodes.size))) {
        s.layoutToken += 1; // a layout still running for an older view is moot
        setLayoutState("idle");
        if (missing.length) placeNear(missing, s.nodes, s.positions, neighbours);
        // Another lens or other types: the groups close ranks around what they hold now (members keep their
        // places relative to each other, so going back to the earlier view brings back the earlier picture).
        const packed = repackGroups(s.nodes, s.positions);
        const moves = [...packed].some(([id, at]) => {
          const old = s.positions.get(id);
          return !old || Math.abs(old.x - at.x) > 1 || Math.abs(old.y - at.y) > 1;
        });
        const apply = () => {
          for (const [id, at] of packed) s.positions.set(id, at);
          commit({ edges: true });
          if (!s.painted || (moves && !s.userMoved)) fitSoon();
          markPainted();
          if (moves || missing.length) saveSoon();
        };
        if (moves && s.painted) {
          const token = s.layoutToken;
          setLayoutState("running");
          animateTo(apply, () => token === s.layoutToken && setLayoutState("idle"));
        } else apply();
        return;
      }
      layout(placedCount ? "snapshot" : "snapshot-first");
    },
    [animateTo, commit, fitSoon, layout, markPainted, neighbours, refreshMatches, saveSoon, setLayoutState],
  );

  const onDelta = useCallback(
    (frame) => {
      const s = store.current;
      if (!s.received) return; // a delta before this view's snapshot belongs to an older view
      const { added, removed } = applyDelta(s, frame);
      if (frame.types) setTypeChips(frame.types);
      if (frame.notice !== undefined) setNotice(frame.notice || "");
      if (s.needle) refreshMatches();
      if (bulk(added.length, s.nodes.size)) {
        commit({ edges: true }); // a big change: lay the whole view out again rather than crowd it
        layout("bulk");
        return;
      }
      if (added.length) placeNear(added, s.nodes, s.positions, neighbours);
      commit({ edges: true });
      if (added.length && s.serverState === "loading") {
        // the cluster's kinds are still arriving: tuck them in now, lay the whole out once they pause
        clearTimeout(s.timers.loading);
        s.timers.loading = setTimeout(() => layout("bulk"), LOADING_RELAYOUT_MS);
        s.loadingAdds = true;
      }
      if (added.length || removed) saveSoon();
    },
    [commit, layout, neighbours, refreshMatches, saveSoon],
  );

  const onStatus = useCallback(
    (next) => {
      const s = store.current;
      const was = s.serverState;
      s.serverState = next.state;
      setStatus(next);
      if (was === "loading" && next.state === "live" && s.loadingAdds) layout("bulk"); // one layout for what came
    },
    [layout],
  );

  const onSocketOpen = useCallback(() => {
    const s = store.current;
    s.received = false;
    s.contextFor = s.pendingContext;
  }, []);

  const handlers = useRef({});
  handlers.current = { onOpen: onSocketOpen, onSnapshot, onDelta, onStatus, onProblem: setProblem };
  const sendView = useGraphSocket(viewRef, handlers);

  useEffect(() => {
    warmUp();
    const timers = store.current.timers;
    return () => Object.values(timers).forEach(clearTimeout);
  }, []);

  // Any option change: a new view message (debounced); its snapshot is drawn in that view's context.
  const firstView = useRef(true);
  useEffect(() => {
    const s = store.current;
    s.pendingContext = contextKey;
    if (firstView.current) {
      firstView.current = false;
      s.contextFor = contextKey;
      return undefined;
    }
    const timer = setTimeout(() => {
      s.contextFor = contextKey;
      s.received = false;
      sendView();
    }, VIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [lens, typesKey, group, expandedKey, focus, hops, direction, contextKey, sendView]);

  // ─── acting on a node ───

  const openNode = useCallback((id) => {
    const node = store.current.nodes.get(id);
    if (!node) return;
    setCard(null);
    if (node.collapsed) setExpanded((old) => new Set(old).add(id));
    else if (node.href && callbacks.current.onOpen) callbacks.current.onOpen(node.href);
  }, []);

  const focusNode = useCallback((id, towards = "both") => {
    setCard(null);
    if (id && callbacks.current.onFocus) callbacks.current.onFocus(id, towards);
  }, []);

  // Keyboard focus on a node: it becomes the Tab stop, is brought into view, and shows its card.
  const setRoving = useCallback(
    (id, { move = false } = {}) => {
      const s = store.current;
      s.roving = id;
      commit({ boxes: false });
      const at = s.positions.get(id);
      if (!move || !at) return;
      const { x, y, zoom } = flow.getViewport();
      const box = canvasRef.current.getBoundingClientRect();
      const [left, top] = [-x / zoom, -y / zoom];
      const inside =
        at.x >= left && at.y >= top && at.x + NODE_W <= left + box.width / zoom && at.y + NODE_H <= top + box.height / zoom;
      if (!inside) flow.setCenter(at.x + NODE_W / 2, at.y + NODE_H / 2, { zoom: Math.max(zoom, 0.6), duration: 150 });
      let frames = 0;
      const tryFocus = () => {
        const element = canvasRef.current?.querySelector(`${NODE_SELECTOR}[data-node-id="${CSS.escape(id)}"]`);
        if (element) {
          element.focus({ preventScroll: true });
          setCard({ id, ...below(element, rootRef.current), pinned: true });
        } else if (frames++ < 30) requestAnimationFrame(tryFocus);
      };
      requestAnimationFrame(tryFocus);
    },
    [commit, flow],
  );

  const onKeyDown = useCallback(
    (event) => {
      if (typingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      const s = store.current;
      const nodeElement = event.target instanceof Element ? event.target.closest(NODE_SELECTOR) : null;
      const current = nodeElement ? nodeElement.getAttribute("data-node-id") : "";
      const key = event.key;
      if (key.startsWith("Arrow")) {
        event.preventDefault();
        const from = current && s.positions.get(current);
        if (from) {
          const next = nearestInDirection(s, from, key, current);
          if (next) setRoving(next, { move: true });
        } else {
          // from the canvas itself: start at the node nearest the middle of the view
          const { x, y, zoom } = flow.getViewport();
          const box = canvasRef.current.getBoundingClientRect();
          const start = nearestTo(s, { x: (box.width / 2 - x) / zoom, y: (box.height / 2 - y) / zoom });
          if (start) setRoving(start, { move: true });
        }
      } else if (key === "Enter" && current) {
        event.preventDefault();
        openNode(current);
      } else if ((key === "f" || key === "F") && current) {
        event.preventDefault();
        focusNode(current, "both");
      } else if ((key === "w" || key === "W") && current) {
        event.preventDefault();
        focusNode(current, "dependents");
      }
    },
    [flow, focusNode, openNode, setRoving],
  );

  // A node reached with Tab shows its card (Open, Focus, What breaks?) as hovering would.
  const onCanvasFocus = useCallback(
    (event) => {
      const element = event.target instanceof Element ? event.target.closest(NODE_SELECTOR) : null;
      if (!element || !element.matches(":focus-visible")) return;
      const id = element.getAttribute("data-node-id");
      if (store.current.roving !== id) setRoving(id);
      setCard({ id, ...below(element, rootRef.current), pinned: true });
    },
    [setRoving],
  );

  // `/` anywhere on the page (outside inputs) jumps to the search box; Esc leaves fullscreen.
  useEffect(() => {
    const listener = (event) => {
      if (event.key === "/" && !typingTarget(event.target) && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        searchRef.current?.focus();
      } else if (event.key === "Escape" && fullscreen && !typingTarget(event.target)) {
        setFullscreen(false);
      }
    };
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, [fullscreen]);

  // ─── React Flow callbacks ───

  const onNodesChange = useCallback(
    (changes) => {
      const s = store.current;
      let moved = false;
      let settled = false;
      for (const change of changes) {
        if (change.type !== "position" || !change.position || !s.nodes.has(change.id)) continue;
        s.positions.set(change.id, { x: change.position.x, y: change.position.y });
        moved = true;
        settled ||= !change.dragging;
      }
      if (moved) commit({ boxes: settled });
      if (settled) saveSoon();
    },
    [commit, saveSoon],
  );

  const onNodeDragStop = useCallback(() => {
    commit();
    saveSoon();
  }, [commit, saveSoon]);

  const onNodeClick = useCallback(
    (event, node) => {
      if (node.type !== "resource") return;
      store.current.roving = node.id;
      openNode(node.id);
    },
    [openNode],
  );

  const showCard = useCallback((event, node) => {
    if (node.type !== "resource" || !(event.currentTarget instanceof Element)) return;
    clearTimeout(cardTimer.current);
    setCard({ id: node.id, ...below(event.currentTarget, rootRef.current), pinned: false });
  }, []);

  const hideCardSoon = useCallback(() => {
    clearTimeout(cardTimer.current);
    cardTimer.current = setTimeout(() => setCard((old) => (old && old.pinned ? old : null)), 250);
  }, []);

  const keepCard = useCallback(() => clearTimeout(cardTimer.current), []);
  const closeCard = useCallback(() => setCard(null), []);
  const onMoveStart = useCallback((event) => {
    if (event) store.current.userMoved = true; // a person panned or zoomed (null: the code did)
  }, []);

  // ─── the top bar ───

  const typeChipsRef = useRef(typeChips);
  typeChipsRef.current = typeChips;
  const toggleType = useCallback((chip) => {
    if (chip.hiddenByLens || !callbacks.current.onTypesChange) return;
    const shown = new Set(typeChipsRef.current.filter((t) => t.shown).map((t) => t.type));
    if (shown.has(chip.type)) shown.delete(chip.type);
    else shown.add(chip.type);
    callbacks.current.onTypesChange([...shown]);
  }, []);

  const relayout = useCallback(() => {
    if (store.current.nodes.size) layout("relayout");
  }, [layout]);
  const toggleLegend = useCallback(() => setLegend((open) => !open), []);
  const toggleFullscreen = useCallback(() => setFullscreen((on) => !on), []);

  const miniMapColour = useCallback(
    (node) => (node.type === "gvgroup" ? "transparent" : FILL[node.data.node.status] || FILL.unknown),
    [],
  );
  const miniMapStroke = useCallback(
    (node) => (node.type === "gvgroup" ? "transparent" : FAMILY[node.data.node.family] || FAMILY.core),
    [],
  );
  const chipList = useMemo(() => typeChips.filter((chip) => chip.count > 0 || chip.shown), [typeChips]);
  const cardNode = card ? s.nodes.get(card.id) : null;
  const showEmpty = received && nodeCount === 0 && status.state !== "error";

  return (
    <div
      ref={rootRef}
      className="gv-root"
      data-testid="graph-view"
      data-state={status.state}
      data-nodes={String(nodeCount)}
      data-painted={painted ? "1" : "0"}
      data-fullscreen={fullscreen ? "true" : "false"}
      data-theme={theme}
      style={fullscreen ? {} : { height }}
    >
      <style>{STYLE}</style>
      <MarkerDefs />
      <TopBar
        ref={searchRef}
        status={status}
        nodeCount={nodeCount}
        query={query}
        setQuery={setQuery}
        matchInfo={matchInfo}
        stepMatch={stepMatch}
        relayout={relayout}
        legend={legend}
        toggleLegend={toggleLegend}
        fullscreen={fullscreen}
        toggleFullscreen={toggleFullscreen}
      />
      <TypeChips chips={chipList} lens={lens} onToggle={toggleType} />
      <Messages notice={notice} problem={problem} status={status} />
      <div
        ref={canvasRef}
        className={`gv-canvas${animating ? " gv-animating" : ""}${far ? " gv-far" : ""}`}
        tabIndex={0}
        aria-label="Architecture graph: arrow keys move between nodes, Enter opens, f focuses, w shows what breaks"
        onKeyDown={onKeyDown}
        onFocus={onCanvasFocus}
      >
        {showEmpty ? (
          <div className="gv-empty" data-testid="graph-empty">
            Nothing to draw: no objects of the chosen types in this lens
          </div>
        ) : null}
        <ReactFlow
          nodes={rfNodes}
          edges={rfEdges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          onNodesChange={onNodesChange}
          onNodeDragStop={onNodeDragStop}
          onNodeClick={onNodeClick}
          onNodeMouseEnter={showCard}
          onNodeMouseLeave={hideCardSoon}
          onPaneClick={closeCard}
          onMoveStart={onMoveStart}
          onlyRenderVisibleElements={nodeCount > VISIBLE_ONLY_FROM}
          minZoom={0.02}
          maxZoom={2.5}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          nodesConnectable={false}
          disableKeyboardA11y
          colorMode={theme === "dark" ? "dark" : "light"}
          deleteKeyCode={null}
          selectionKeyCode={null}
          multiSelectionKeyCode={null}
        >
          <Background gap={24} size={1} />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable nodeColor={miniMapColour} nodeStrokeColor={miniMapStroke} nodeStrokeWidth={3} />
        </ReactFlow>
        {legend ? <Legend /> : null}
      </div>
      {cardNode ? (
        <HoverCard
          node={cardNode}
          at={card}
          onOpen={openNode}
          onFocus={focusNode}
          onClose={closeCard}
          onEnter={keepCard}
          onLeave={hideCardSoon}
        />
      ) : null}
    </div>
  );
}

export function GraphView(props) {
  return (
    <ReactFlowProvider>
      <GraphCanvas {...props} />
    </ReactFlowProvider>
  );
}

export default GraphView;
