// The architecture graph's drawing pieces (`graph_view.jsx`): the three visual channels of a node (FILL =
// status, SHAPE = category, BORDER = API family), the ArchiMate edge markers, the group boxes and the legend.
import React, { memo } from "react";
import { Handle, Position, getBezierPath } from "@xyflow/react";
import { NODE_W, NODE_H } from "./graph_layout.js";

export const FILL = {
  healthy: "#16a34a",
  reconciling: "#2563eb",
  drifted: "#d4a017",
  failed: "#dc2626",
  unknown: "#6b7280",
};
export const STATUS_WORDS = {
  healthy: "Healthy",
  reconciling: "Reconciling",
  drifted: "Drifted",
  failed: "Failed / degraded",
  unknown: "Unknown / suspended",
};
export const FAMILY = {
  flux: "#0d9488",
  crossplane: "#7c3aed",
  "cert-manager": "#d97706",
  cnpg: "#4338ca",
  "external-secrets": "#db2777",
  cilium: "#0891b2",
  core: "#64748b",
  catalyst: "#15803d",
  cloud: "#ea580c",
};
export const FAMILY_WORDS = {
  flux: "Flux",
  crossplane: "Crossplane",
  "cert-manager": "cert-manager",
  cnpg: "CloudNativePG",
  "external-secrets": "External Secrets",
  cilium: "Cilium",
  core: "Kubernetes core",
  catalyst: "Catalyst (openova.io)",
  cloud: "Cloud provider",
};
export const SHAPE_WORDS = {
  compute: "Compute (circle): Pods, workloads, nodes",
  control: "Control (square): Flux, Applications, Environments",
  network: "Network (triangle): Services, Ingresses, Gateways, policies",
  config: "Config (diamond): ConfigMaps, Secrets, Certificates",
  data: "Data (hexagon): PVCs, volumes, databases, buckets",
  scope: "Scope (pentagon): cluster, namespaces, vClusters",
};

// Points in a 48 × 48 box; the stroke (the family border) is drawn inside it.
const POLYGONS = {
  network: "24,5 44,42 4,42",
  config: "24,3 45,24 24,45 3,24",
  data: "13,5 35,5 46,24 35,43 13,43 2,24",
  scope: "24,3 45,19 37,44 11,44 3,19",
};

export function ShapeSvg({ shape, fill, border, size = 46, strokeWidth = 4.5 }) {
  const common = { fill, stroke: border, strokeWidth, strokeLinejoin: "round" };
  let body;
  if (shape === "compute") body = <circle cx="24" cy="24" r="20" {...common} />;
  else if (shape === "control") body = <rect x="5" y="5" width="38" height="38" rx="4" {...common} />;
  else body = <polygon points={POLYGONS[shape] || POLYGONS.scope} {...common} />;
  return (
    <svg width={size} height={size} viewBox="0 0 48 48" aria-hidden="true" focusable="false">
      {body}
    </svg>
  );
}

// Where edges meet a node: the middle of the shape's left (in) and right (out) sides.
const SHAPE_TOP = 2;
const SHAPE_SIZE = 46;
const SHAPE_LEFT = (NODE_W - SHAPE_SIZE) / 2;
export const HANDLES = [
  { type: "target", position: "left", x: SHAPE_LEFT - 2, y: SHAPE_TOP + SHAPE_SIZE / 2 - 1, width: 1, height: 2 },
  { type: "source", position: "right", x: SHAPE_LEFT + SHAPE_SIZE + 1, y: SHAPE_TOP + SHAPE_SIZE / 2 - 1, width: 1, height: 2 },
];
const HANDLE_STYLE = { opacity: 0, width: 1, height: 2, minWidth: 0, minHeight: 0, border: 0, top: SHAPE_TOP + SHAPE_SIZE / 2 };

export const ResourceNode = memo(function ResourceNode({ id, data }) {
  const node = data.node;
  const label = `${node.title} ${node.name}${node.namespace ? ` in ${node.namespace}` : ""}: ${node.statusText || STATUS_WORDS[node.status] || node.status}`;
  return (
    <div
      className="gv-node"
      data-testid="graph-node"
      data-node-id={id}
      data-type={node.type}
      data-status={node.status}
      data-namespace={node.namespace}
      data-focus={node.focus || ""}
      data-collapsed={node.collapsed ? "true" : "false"}
      data-match={data.match ? (data.current ? "current" : "true") : undefined}
      role="button"
      tabIndex={data.roving ? 0 : -1}
      aria-label={label}
      style={{ width: NODE_W, height: NODE_H }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} style={{ ...HANDLE_STYLE, left: SHAPE_LEFT - 1 }} />
      <div className="gv-shape">
        <ShapeSvg shape={node.shape} fill={FILL[node.status] || FILL.unknown} border={FAMILY[node.family] || FAMILY.core} />
        {node.collapsed ? <span className="gv-count">{node.count > 999 ? `${Math.round(node.count / 100) / 10}k` : node.count}</span> : null}
      </div>
      <div className="gv-name" title={node.namespace ? `${node.namespace}/${node.name}` : node.name}>
        {node.name}
      </div>
      <div className="gv-type">{node.collapsed ? `${node.title} · ${node.count}` : node.title}</div>
      <Handle type="source" position={Position.Right} isConnectable={false} style={{ ...HANDLE_STYLE, left: SHAPE_LEFT + SHAPE_SIZE + 1 }} />
    </div>
  );
});

export const GroupNode = memo(function GroupNode({ data }) {
  return (
    <div className="gv-group" data-testid="graph-group" data-group-id={data.id}>
      <span className="gv-group-title" title={data.title}>
        {data.by && data.by !== "none" ? <span className="gv-group-by">{data.by}</span> : null}
        {data.title}
      </span>
    </div>
  );
});

// ArchiMate relationship notation per edge kind: markers at the ends, a dashed line for the "soft" ones.
export const EDGE_STYLE = {
  contains: { start: "gv-m-diamond", end: "", dash: "", width: 1.2, words: "contains: composition (filled diamond at the container)" },
  owns: { start: "gv-m-diamond", end: "", dash: "", width: 2.2, words: "owns: owner reference (filled diamond at the owner, heavier line)" },
  "runs-on": { start: "gv-m-dot", end: "gv-m-dot", dash: "", width: 1.2, words: "runs on: assignment (dots at both ends)" },
  "routes-to": { start: "", end: "gv-m-triangle", dash: "", width: 1.4, words: "routes to: triggering (filled triangle)" },
  selects: { start: "", end: "gv-m-open", dash: "", width: 1.2, words: "selects: serving (open arrow)" },
  mounts: { start: "", end: "gv-m-circle", dash: "5 4", width: 1.2, words: "mounts: attached to (open circle, dashed)" },
  binds: { start: "", end: "gv-m-circle", dash: "5 4", width: 1.2, words: "binds: attached to (open circle, dashed)" },
  "depends-on": { start: "", end: "gv-m-open", dash: "5 4", width: 1.2, words: "depends on: (open arrowhead, dashed)" },
  realizes: { start: "", end: "gv-m-hollow", dash: "5 4", width: 1.2, words: "realizes: realization (hollow triangle, dashed)" },
  reconciles: { start: "", end: "gv-m-triangle", dash: "5 4", width: 1.4, words: "reconciles: flow (filled triangle, dashed)" },
};
const PLAIN = { start: "", end: "", dash: "", width: 1, words: "" };

// One set of <marker>s for every edge; orient auto-start-reverse turns a start marker to face the line.
export function MarkerDefs() {
  return (
    <svg className="gv-defs" aria-hidden="true" focusable="false">
      <defs>
        <marker id="gv-m-diamond" viewBox="0 0 16 10" refX="15" refY="5" markerWidth="16" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M1,5 L8,1 L15,5 L8,9 Z" fill="currentColor" />
        </marker>
        <marker id="gv-m-dot" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <circle cx="5" cy="5" r="4" fill="currentColor" />
        </marker>
        <marker id="gv-m-triangle" viewBox="0 0 12 10" refX="11" refY="5" markerWidth="12" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M1,1 L11,5 L1,9 Z" fill="currentColor" />
        </marker>
        <marker id="gv-m-open" viewBox="0 0 12 10" refX="11" refY="5" markerWidth="12" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M1,1 L11,5 L1,9" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </marker>
        <marker id="gv-m-hollow" viewBox="0 0 12 10" refX="11" refY="5" markerWidth="12" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M1,1 L11,5 L1,9 Z" fill="var(--gv-bg)" stroke="currentColor" strokeWidth="1.3" />
        </marker>
        <marker id="gv-m-circle" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <circle cx="5" cy="5" r="3.5" fill="var(--gv-bg)" stroke="currentColor" strokeWidth="1.3" />
        </marker>
      </defs>
    </svg>
  );
}

export const RelationEdge = memo(function RelationEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data }) {
  const style = EDGE_STYLE[data.kind] || PLAIN;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  return (
    <g className="gv-edge" data-testid="graph-edge" data-edge-kind={data.kind} data-edge-id={id}>
      <path
        className="react-flow__edge-path"
        d={path}
        fill="none"
        strokeWidth={style.width}
        strokeDasharray={style.dash || undefined}
        markerStart={style.start ? `url(#${style.start})` : undefined}
        markerEnd={style.end ? `url(#${style.end})` : undefined}
      />
      {data.count > 1 ? (
        <text className="gv-edge-count" x={labelX} y={labelY} textAnchor="middle" dominantBaseline="central">
          ×{data.count}
        </text>
      ) : null}
    </g>
  );
});

function EdgeSample({ kind }) {
  const style = EDGE_STYLE[kind];
  return (
    <svg width="64" height="14" viewBox="0 0 64 14" aria-hidden="true" focusable="false">
      <path
        d="M8,7 L56,7"
        stroke="currentColor"
        strokeWidth={style.width}
        strokeDasharray={style.dash || undefined}
        markerStart={style.start ? `url(#${style.start})` : undefined}
        markerEnd={style.end ? `url(#${style.end})` : undefined}
      />
    </svg>
  );
}

export function Legend() {
  return (
    <div className="gv-legend" data-testid="graph-legend" role="region" aria-label="Legend">
      <section>
        <h4>Fill: status</h4>
        {Object.keys(FILL).map((status) => (
          <div key={status} className="gv-legend-row">
            <ShapeSvg shape="compute" fill={FILL[status]} border="transparent" size={14} strokeWidth={0} />
            <span>{STATUS_WORDS[status]}</span>
          </div>
        ))}
      </section>
      <section>
        <h4>Shape: category</h4>
        {Object.keys(SHAPE_WORDS).map((shape) => (
          <div key={shape} className="gv-legend-row">
            <ShapeSvg shape={shape} fill="var(--gv-muted-fill)" border="var(--gv-muted)" size={16} strokeWidth={3} />
            <span>{SHAPE_WORDS[shape]}</span>
          </div>
        ))}
      </section>
      <section>
        <h4>Border: API family</h4>
        {Object.keys(FAMILY).map((family) => (
          <div key={family} className="gv-legend-row">
            <ShapeSvg shape="control" fill="transparent" border={FAMILY[family]} size={16} strokeWidth={7} />
            <span>{FAMILY_WORDS[family]}</span>
          </div>
        ))}
      </section>
      <section>
        <h4>Lines: relationships</h4>
        {Object.keys(EDGE_STYLE).map((kind) => (
          <div key={kind} className="gv-legend-row">
            <EdgeSample kind={kind} />
            <span>{EDGE_STYLE[kind].words}</span>
          </div>
        ))}
        <div className="gv-legend-row">
          <span className="gv-legend-count">×3</span>
          <span>folded edges (collapsed pods)</span>
        </div>
      </section>
    </div>
  );
}
