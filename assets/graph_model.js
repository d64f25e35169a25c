// What the architecture graph holds in the browser (`graph_view.jsx`): the socket's nodes, edges and groups,
// where each node sits (per layout context, kept in sessionStorage), and the React Flow objects drawn from them.
// An unchanged node keeps its object, so a delta re-renders only what it touched.
import { NODE_W, NODE_H, GROUP_PAD, GROUP_TITLE } from "./graph_layout.js";
import { HANDLES } from "./graph_parts.jsx";

const GROUP_PREFIX = "\u0001group:";
const NEAR_LIMIT = 25; // more newcomers than this (and 15 % of the view) at once: lay the view out again
const STORE_LIMIT = 4000; // positions kept in sessionStorage for views up to this many nodes
const STORAGE_PREFIX = "sov-graph-positions:";

export function newStore() {
  return {
    nodes: new Map(), // id → wire node
    edges: new Map(), // id → wire edge
    groups: new Map(), // id → wire group
    contexts: new Map(), // layout context (grouping, focus) → Map id → {x, y}
    context: "",
    positions: new Map(), // the current context's
    drawn: new Map(), // id → {obj, wire, x, y, match, current, roving}
    drawnEdges: new Map(), // id → {obj, wire}
    boxes: new Map(), // group id → React Flow node of its box
    layoutToken: 0, // a layout finishing under an older token is dropped
    received: false, // this view's snapshot arrived (deltas before it belong to an older view)
    painted: false,
    fitPending: false,
    userMoved: false, // the person panned or zoomed: automatic layouts no longer fit the view
    matches: [],
    matchSet: new Set(),
    matchIndex: -1,
    needle: "",
    roving: "", // the node Tab reaches (roving tabindex)
    serverState: "",
    loadingAdds: false,
    timers: {},
  };
}

// Too many newcomers at once to tuck in beside their neighbours: lay the view out again.
export function bulk(added, total) {
  return added > NEAR_LIMIT && added > total * 0.15;
}

export function missingPositions(s) {
  return [...s.nodes.keys()].filter((id) => !s.positions.has(id));
}

// A node's edges as {other, out} (out: the node is the edge's source).
export function neighboursOf(s) {
  return (id) => {
    const out = [];
    for (const edge of s.edges.values()) {
      if (edge.source === id) out.push({ other: edge.target, out: true });
      else if (edge.target === id) out.push({ other: edge.source, out: false });
    }
    return out;
  };
}

function readStored(key) {
  try {
    const text = window.sessionStorage.getItem(STORAGE_PREFIX + key);
    if (!text) return null;
    const stored = JSON.parse(text);
    const positions = new Map();
    for (const id in stored) positions.set(id, { x: stored[id][0], y: stored[id][1] });
    return positions;
  } catch {
    return null;
  }
}

export function writeStored(key, positions) {
  if (positions.size > STORE_LIMIT) return;
  try {
    const out = {};
    for (const [id, at] of positions) out[id] = [Math.round(at.x), Math.round(at.y)];
    window.sessionStorage.setItem(STORAGE_PREFIX + key, JSON.stringify(out));
  } catch {
    // storage full or blocked (a framed console): positions then last as long as the page
  }
}

// Switch to a layout context: its positions from this page's memory, else from sessionStorage, else none.
export function enterContext(s, key) {
  if (s.context === key) return;
  if (s.context) s.contexts.set(s.context, s.positions);
  s.context = key;
  s.positions = s.contexts.get(key) || readStored(key) || new Map();
  s.contexts.set(key, s.positions);
  s.drawn.clear();
}

export function applySnapshot(s, frame) {
  s.nodes = new Map((frame.nodes || []).map((node) => [node.id, node]));
  s.edges = new Map((frame.edges || []).map((edge) => [edge.id, edge]));
  s.groups = new Map((frame.groups || []).map((group) => [group.id, group]));
}

// A delta applied in place; returns the ids of nodes new to the view that have no place yet.
export function applyDelta(s, frame) {
  const nodes = frame.nodes || {};
  const edges = frame.edges || {};
  const groups = frame.groups || {};
  for (const id of groups.removed || []) s.groups.delete(id);
  for (const group of groups.added || []) s.groups.set(group.id, group);
  for (const id of nodes.removed || []) {
    s.nodes.delete(id);
    s.positions.delete(id);
  }
  for (const node of nodes.changed || []) s.nodes.set(node.id, node);
  const added = [];
  for (const node of nodes.added || []) {
    s.nodes.set(node.id, node);
    if (!s.positions.has(node.id)) added.push(node.id);
  }
  for (const id of edges.removed || []) s.edges.delete(id);
  for (const edge of edges.added || []) s.edges.set(edge.id, edge);
  return { added, removed: (nodes.removed || []).length };
}

// Search: nodes whose name or namespace holds the needle, in reading order; keeps the current one if it still
// matches.
export function findMatches(s) {
  const needle = s.needle.toLowerCase();
  const previous = s.matches[s.matchIndex];
  const found = [];
  if (needle) {
    for (const node of s.nodes.values()) {
      const namespace = (node.namespace || "").toLowerCase();
      if (node.name.toLowerCase().includes(needle) || namespace.includes(needle)) found.push(node.id);
    }
  }
  const origin = { x: 0, y: 0 };
  found.sort((a, b) => {
    const pa = s.positions.get(a) || origin;
    const pb = s.positions.get(b) || origin;
    return pa.y - pb.y || pa.x - pb.x;
  });
  s.matches = found;
  s.matchSet = new Set(found);
  const keep = found.indexOf(previous);
  s.matchIndex = found.length ? (keep >= 0 ? keep : 0) : -1;
}

function nodeObject(s, id) {
  const wire = s.nodes.get(id);
  const at = s.positions.get(id);
  if (!wire || !at) return null;
  const match = s.matchSet.has(id);
  const current = match && s.matches[s.matchIndex] === id;
  const roving = s.roving === id;
  const old = s.drawn.get(id);
  if (
    old &&
    old.wire === wire &&
    old.x === at.x &&
    old.y === at.y &&
    old.match === match &&
    old.current === current &&
    old.roving === roving
  ) {
    return old.obj;
  }
  const obj = {
    id,
    type: "resource",
    position: { x: at.x, y: at.y },
    data: { node: wire, match, current, roving },
    width: NODE_W,
    height: NODE_H,
    measured: { width: NODE_W, height: NODE_H }, // fixed footprint: React Flow need not measure first
    handles: HANDLES,
    zIndex: 1,
  };
  s.drawn.set(id, { obj, wire, x: at.x, y: at.y, match, current, roving });
  return obj;
}

// Group boxes: background nodes sized to their members' bounds plus padding and a title strip.
function computeBoxes(s) {
  const bounds = new Map();
  for (const [id, wire] of s.nodes) {
    const at = wire.group && s.positions.get(id);
    if (!at) continue;
    const box = bounds.get(wire.group) || { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    box.minX = Math.min(box.minX, at.x);
    box.minY = Math.min(box.minY, at.y);
    box.maxX = Math.max(box.maxX, at.x + NODE_W);
    box.maxY = Math.max(box.maxY, at.y + NODE_H);
    bounds.set(wire.group, box);
  }
  const boxes = new Map();
  for (const [groupId, box] of bounds) {
    const info = s.groups.get(groupId) || { id: groupId, title: groupId, by: "" };
    const x = box.minX - GROUP_PAD;
    const y = box.minY - GROUP_PAD - GROUP_TITLE;
    const width = box.maxX - box.minX + 2 * GROUP_PAD;
    const height = box.maxY - box.minY + 2 * GROUP_PAD + GROUP_TITLE;
    const old = s.boxes.get(groupId);
    const same = old && old.position.x === x && old.position.y === y && old.width === width && old.height === height;
    if (same && old.data.title === info.title) {
      boxes.set(groupId, old);
      continue;
    }
    boxes.set(groupId, {
      id: GROUP_PREFIX + groupId,
      type: "gvgroup",
      position: { x, y },
      data: { id: groupId, title: info.title, by: info.by },
      width,
      height,
      measured: { width, height },
      zIndex: -1,
      draggable: false,
      selectable: false,
      focusable: false,
    });
  }
  s.boxes = boxes;
}

// Where Tab enters the graph: the node nearest the top-left corner.
function topLeft(s) {
  let best = "";
  let bestAt = null;
  for (const id of s.nodes.keys()) {
    const at = s.positions.get(id);
    if (at && (!bestAt || at.y < bestAt.y - 1 || (Math.abs(at.y - bestAt.y) <= 1 && at.x < bestAt.x))) {
      best = id;
      bestAt = at;
    }
  }
  return best;
}

// React Flow's nodes: the group boxes, then every placed node (unchanged ones keep their object).
export function drawnNodes(s, { boxes = true } = {}) {
  if (boxes) computeBoxes(s);
  if (!s.roving || !s.nodes.has(s.roving)) s.roving = topLeft(s);
  const list = [...s.boxes.values()];
  for (const id of s.nodes.keys()) {
    const obj = nodeObject(s, id);
    if (obj) list.push(obj);
  }
  for (const id of s.drawn.keys()) if (!s.nodes.has(id)) s.drawn.delete(id);
  return list;
}

// React Flow's edges: those whose both ends are in the view.
export function drawnEdges(s) {
  const list = [];
  const kept = new Map();
  for (const [id, wire] of s.edges) {
    if (!s.nodes.has(wire.source) || !s.nodes.has(wire.target)) continue;
    const old = s.drawnEdges.get(id);
    const obj =
      old && old.wire === wire
        ? old.obj
        : {
            id,
            source: wire.source,
            target: wire.target,
            type: "relation",
            data: { kind: wire.kind, count: wire.count || 1 },
            selectable: false,
            focusable: false,
          };
    kept.set(id, { obj, wire });
    list.push(obj);
  }
  s.drawnEdges = kept;
  return list;
}

// The nearest node from `from` in an arrow's direction: mostly along it, a little across.
export function nearestInDirection(s, from, key, except) {
  let best = null;
  let bestScore = Infinity;
  for (const [id, at] of s.positions) {
    if (id === except || !s.nodes.has(id)) continue;
    const dx = at.x - from.x;
    const dy = at.y - from.y;
    const [along, across] =
      key === "ArrowRight" ? [dx, dy] : key === "ArrowLeft" ? [-dx, dy] : key === "ArrowDown" ? [dy, dx] : [-dy, dx];
    if (along <= 1) continue;
    const score = along + 2.5 * Math.abs(across);
    if (score < bestScore) {
      bestScore = score;
      best = id;
    }
  }
  return best;
}

// The node nearest a point (the middle of the viewport, where arrow keys start without a current node).
export function nearestTo(s, point) {
  let best = null;
  let bestDistance = Infinity;
  for (const [id, at] of s.positions) {
    if (!s.nodes.has(id)) continue;
    const distance = Math.hypot(at.x - point.x, at.y - point.y);
    if (distance < bestDistance) [best, bestDistance] = [id, distance];
  }
  return best;
}
