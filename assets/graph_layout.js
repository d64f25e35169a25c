// Placement for the architecture graph (`graph_view.jsx`): ELK's layered layout for each connected piece of each
// group, run in web workers (elkjs's own worker script, bundled by Vite as an asset and started with
// `new Worker(url)`), the pieces and then the group boxes packed in shelves; a quick grid placement for the first paint; and a spot near its neighbours for a
// node that arrives later, so one change never moves the rest.
import ELK from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";

export const NODE_W = 112; // a node's footprint: the shape on top, two label lines under it
export const NODE_H = 84;
export const GROUP_PAD = 18; // inside a group box, around its members
export const GROUP_TITLE = 26; // the group's title strip above its members
const GROUP_GAP = 48; // between group boxes
const PIECE_GAP = 36; // between the connected pieces inside a group
const NODE_GAP_X = 28;
const NODE_GAP_Y = 22;
const ASPECT = 1.7; // wider than tall, like a screen
const UNGROUPED = "";

const ELK_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.spacing.nodeNode": String(NODE_GAP_Y),
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.componentComponent": "36",
  "elk.aspectRatio": String(ASPECT),
  "elk.separateConnectedComponents": "true",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
};
// Network simplex places nodes best but grows fast with size (37 s for 1,500 nodes); Brandes-Köpf above this.
const SIMPLEX_UP_TO = 80;
// A hub (a HelmRelease reconciling 250 objects, a Node running 100 pods) would make one layer hundreds of nodes
// tall: its edges are left out of the layout (still drawn), so the rest falls into compact components.
const HUB_DEGREE = 8;
const ELK_UP_TO = 2500; // a larger connected piece stays a grid: its layout would take many seconds

let engines = null;
let nextEngine = 0;

// Two workers at most (one per core on a small machine); started early so the 2 MB script is parsed before
// the first snapshot arrives.
export function warmUp() {
  if (engines || typeof Worker === "undefined") return;
  const count = Math.max(1, Math.min(2, (navigator.hardwareConcurrency || 2) - 1));
  engines = Array.from({ length: count }, () => new ELK({ workerFactory: () => new Worker(elkWorkerUrl) }));
}

export function shutDown() {
  if (!engines) return;
  for (const engine of engines) engine.terminateWorker();
  engines = null;
}

// Members of each group: Map group id → [node ids], ordered by type then name so grids read well.
export function membersByGroup(nodes) {
  const groups = new Map();
  for (const node of nodes.values()) {
    const key = node.group || UNGROUPED;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(node);
  }
  const ordered = new Map();
  for (const [key, members] of groups) {
    members.sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type < b.type ? -1 : 1));
    ordered.set(key, members.map((node) => node.id));
  }
  return ordered;
}

function gridOf(ids) {
  const columns = Math.max(1, Math.ceil(Math.sqrt(ids.length * ASPECT * (NODE_H / NODE_W))));
  const local = new Map();
  ids.forEach((id, index) => {
    local.set(id, { x: (index % columns) * (NODE_W + NODE_GAP_X), y: Math.floor(index / columns) * (NODE_H + NODE_GAP_Y) });
  });
  const rows = Math.ceil(ids.length / columns);
  return {
    local,
    width: Math.min(ids.length, columns) * (NODE_W + NODE_GAP_X) - NODE_GAP_X,
    height: rows * (NODE_H + NODE_GAP_Y) - NODE_GAP_Y,
  };
}

// Shelf packing: tallest first, rows about as wide as the whole is tall × ASPECT. Each block is
// {local: Map id → {x, y}, width, height}; a group's block gets its padding and title strip around it.
function shelves(blocks, { pad = 0, title = 0, gap = GROUP_GAP } = {}) {
  const boxes = blocks.map((block) => ({ ...block, w: block.width + 2 * pad, h: block.height + 2 * pad + title }));
  const area = boxes.reduce((sum, box) => sum + (box.w + gap) * (box.h + gap), 0);
  const rowWidth = Math.max(Math.sqrt(area * ASPECT), ...boxes.map((box) => box.w));
  boxes.sort((a, b) => b.h - a.h || b.w - a.w);
  const local = new Map();
  let x = 0;
  let y = 0;
  let shelf = 0;
  let width = 0;
  for (const box of boxes) {
    if (x > 0 && x + box.w > rowWidth) {
      x = 0;
      y += shelf + gap;
      shelf = 0;
    }
    for (const [id, at] of box.local) local.set(id, { x: x + pad + at.x, y: y + pad + title + at.y });
    width = Math.max(width, x + box.w);
    x += box.w + gap;
    shelf = Math.max(shelf, box.h);
  }
  return { local, width, height: y + shelf };
}

// The groups' blocks packed as boxes with a title strip (no boxes when nothing is grouped).
function pack(blocks, grouped) {
  return shelves(blocks, grouped ? { pad: GROUP_PAD, title: GROUP_TITLE } : {}).local;
}

// Instant placement: each group a grid, the groups packed. Used for the first paint while ELK works.
export function gridLayout(nodes) {
  const groups = membersByGroup(nodes);
  const grouped = !(groups.size === 1 && groups.has(UNGROUPED));
  return pack([...groups.values()].map(gridOf), grouped);
}

function withoutHubs(edges) {
  const degree = new Map();
  for (const [source, target] of edges) {
    degree.set(source, (degree.get(source) || 0) + 1);
    degree.set(target, (degree.get(target) || 0) + 1);
  }
  return edges.filter(([source, target]) => degree.get(source) <= HUB_DEGREE && degree.get(target) <= HUB_DEGREE);
}

// Connected pieces of a group once hubs are left out: nodes alone, and the rest with their edges.
function pieces(ids, edges) {
  const root = new Map(ids.map((id) => [id, id]));
  const find = (id) => {
    while (root.get(id) !== id) {
      root.set(id, root.get(root.get(id)));
      id = root.get(id);
    }
    return id;
  };
  for (const [source, target] of edges) {
    const a = find(source);
    const b = find(target);
    if (a !== b) root.set(a, b);
  }
  const members = new Map();
  for (const id of ids) {
    const key = find(id);
    if (!members.has(key)) members.set(key, { ids: [], edges: [] });
    members.get(key).ids.push(id);
  }
  for (const edge of edges) members.get(find(edge[0])).edges.push(edge);
  const alone = [];
  const linked = [];
  for (const piece of members.values()) (piece.ids.length === 1 ? alone : linked).push(piece);
  return { alone, linked };
}

function elkBlock(engine, ids, edges) {
  const placement = ids.length <= SIMPLEX_UP_TO ? "NETWORK_SIMPLEX" : "BRANDES_KOEPF";
  const graph = {
    id: "root",
    layoutOptions: { ...ELK_OPTIONS, "elk.layered.nodePlacement.strategy": placement },
    children: ids.map((id) => ({ id, width: NODE_W, height: NODE_H })),
    edges: edges.map(([source, target], index) => ({ id: `e${index}`, sources: [source], targets: [target] })),
  };
  return engine.layout(graph).then((result) => {
    const local = new Map();
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const child of result.children) {
      minX = Math.min(minX, child.x);
      minY = Math.min(minY, child.y);
      maxX = Math.max(maxX, child.x + NODE_W);
      maxY = Math.max(maxY, child.y + NODE_H);
    }
    for (const child of result.children) local.set(child.id, { x: child.x - minX, y: child.y - minY });
    return { local, width: maxX - minX, height: maxY - minY };
  });
}

// One group: each connected piece laid out by ELK (layered, left to right), the nodes alone in a grid, the
// pieces packed in shelves.
async function groupBlock(ids, links) {
  if (!engines || !links || ids.length < 2) return gridOf(ids);
  const { alone, linked } = pieces(ids, withoutHubs(links));
  const blocks = await Promise.all(
    linked.map((piece) => {
      if (piece.ids.length > ELK_UP_TO) return Promise.resolve(gridOf(piece.ids));
      const engine = engines[nextEngine++ % engines.length];
      return elkBlock(engine, piece.ids, piece.edges).catch(() => gridOf(piece.ids));
    }),
  );
  if (alone.length) blocks.push(gridOf(alone.map((piece) => piece.ids[0])));
  return shelves(blocks, { gap: PIECE_GAP });
}

// The full layout: every group laid out on its own, then the groups packed. Resolves to Map id → {x, y}.
export async function elkLayout(nodes, edges) {
  warmUp();
  const groups = membersByGroup(nodes);
  const grouped = !(groups.size === 1 && groups.has(UNGROUPED));
  const groupOf = new Map();
  for (const [key, ids] of groups) for (const id of ids) groupOf.set(id, key);
  const inner = new Map();
  const seen = new Set();
  for (const edge of edges.values()) {
    const key = groupOf.get(edge.source);
    if (key === undefined || key !== groupOf.get(edge.target) || edge.source === edge.target) continue;
    const pair = `${edge.source}\u0000${edge.target}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    if (!inner.has(key)) inner.set(key, []);
    inner.get(key).push([edge.source, edge.target]);
  }
  const blocks = await Promise.all([...groups.entries()].map(([key, ids]) => groupBlock(ids, inner.get(key))));
  return pack(blocks, grouped);
}

// The group boxes packed again around what they hold now (after a lens or type change emptied some), each
// group moved as a whole so its members keep their places relative to each other.
export function repackGroups(nodes, positions) {
  const groups = membersByGroup(nodes);
  const grouped = !(groups.size === 1 && groups.has(UNGROUPED));
  const blocks = [];
  for (const ids of groups.values()) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    const placed = ids.filter((id) => positions.has(id));
    if (!placed.length) continue;
    for (const id of placed) {
      const at = positions.get(id);
      minX = Math.min(minX, at.x);
      minY = Math.min(minY, at.y);
      maxX = Math.max(maxX, at.x + NODE_W);
      maxY = Math.max(maxY, at.y + NODE_H);
    }
    const local = new Map(placed.map((id) => [id, { x: positions.get(id).x - minX, y: positions.get(id).y - minY }]));
    blocks.push({ local, width: maxX - minX, height: maxY - minY });
  }
  return pack(blocks, grouped);
}

// Grid cells already taken, so a newcomer does not land on someone.
export function occupancy(positions) {
  const taken = new Set();
  for (const at of positions.values()) taken.add(cellKey(at.x, at.y));
  return taken;
}

function cellKey(x, y) {
  return `${Math.round(x / (NODE_W + 8))},${Math.round(y / (NODE_H + 8))}`;
}

// A free spot near `target`: the target itself if free, else rings of cells around it.
function freeSpot(target, taken) {
  const stepX = NODE_W + 8;
  const stepY = NODE_H + 8;
  for (let ring = 0; ring < 40; ring++) {
    for (let dy = -ring; dy <= ring; dy++) {
      for (let dx = -ring; dx <= ring; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        const x = target.x + dx * stepX;
        const y = target.y + dy * stepY;
        if (!taken.has(cellKey(x, y))) return { x, y };
      }
    }
  }
  return { x: target.x, y: target.y };
}

// Places newcomers without moving anyone: beside the mean of their placed neighbours in the same group, else in
// a free cell of their group's box (or just below it), else below everything. `neighbours(id)` lists a node's
// edges as {other, out} (out: the node is the edge's source).
export function placeNear(ids, nodes, positions, neighbours) {
  const taken = occupancy(positions);
  const stepX = NODE_W + NODE_GAP_X;
  const stepY = NODE_H + NODE_GAP_Y;
  let bottom = 0;
  let left = Infinity;
  for (const at of positions.values()) {
    bottom = Math.max(bottom, at.y + NODE_H);
    left = Math.min(left, at.x);
  }
  if (!Number.isFinite(left)) left = 0;
  const groupOf = (id) => nodes.get(id)?.group || UNGROUPED;
  const boxes = new Map();
  for (const [id, at] of positions) {
    if (!nodes.has(id)) continue;
    const key = groupOf(id);
    const box = boxes.get(key) || { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    box.minX = Math.min(box.minX, at.x);
    box.minY = Math.min(box.minY, at.y);
    box.maxX = Math.max(box.maxX, at.x);
    box.maxY = Math.max(box.maxY, at.y);
    boxes.set(key, box);
  }
  const fresh = new Map(); // group → where its next newcomer goes, for groups not drawn yet
  let freshColumn = 0;
  for (const id of ids) {
    const key = groupOf(id);
    const placed = neighbours(id).filter((link) => positions.has(link.other) && groupOf(link.other) === key);
    let spot = null;
    if (placed.length) {
      // left of what it points to, right of what points to it (edges run left to right, as in the layout)
      let x = 0;
      let y = 0;
      for (const link of placed) {
        const at = positions.get(link.other);
        x += at.x + (link.out ? -stepX : stepX);
        y += at.y;
      }
      spot = freeSpot({ x: x / placed.length, y: y / placed.length }, taken);
    } else if (boxes.has(key)) {
      const box = boxes.get(key);
      for (let y = box.minY; !spot && y <= box.maxY + stepY; y += stepY) {
        for (let x = box.minX; x <= box.maxX; x += stepX) {
          if (!taken.has(cellKey(x, y))) {
            spot = { x, y };
            break;
          }
        }
      }
      spot = spot || freeSpot({ x: box.minX, y: box.maxY + stepY }, taken);
    } else {
      if (!fresh.has(key)) {
        fresh.set(key, { x: left + freshColumn * (stepX * 4 + GROUP_GAP), y: bottom + GROUP_GAP + GROUP_TITLE + GROUP_PAD });
        freshColumn += 1;
      }
      spot = freeSpot(fresh.get(key), taken);
    }
    positions.set(id, spot);
    taken.add(cellKey(spot.x, spot.y));
    const box = boxes.get(key) || { minX: spot.x, minY: spot.y, maxX: spot.x, maxY: spot.y };
    box.minX = Math.min(box.minX, spot.x);
    box.minY = Math.min(box.minY, spot.y);
    box.maxX = Math.max(box.maxX, spot.x);
    box.maxY = Math.max(box.maxY, spot.y);
    boxes.set(key, box);
  }
}
