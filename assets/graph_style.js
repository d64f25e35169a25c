// The architecture graph's stylesheet (`graph_view.jsx`): light and dark through the Radix theme's variables,
// the three node channels' labels, group boxes, the hover card, the legend, fullscreen and far-zoom drawing.
import { NODE_W } from "./graph_layout.js";

export const ANIMATE_MS = 450; // nodes glide to a new layout this long (edges fade out meanwhile)

export const STYLE = `
.gv-root{--gv-bg:var(--color-background,#fff);--gv-panel:var(--color-panel-solid,#fff);--gv-text:var(--gray-12,#111827);
  --gv-muted:var(--gray-11,#64748b);--gv-muted-fill:var(--gray-a4,#e2e8f0);--gv-line:var(--gray-a7,#94a3b8);--gv-edge:var(--gray-10,#64748b);
  --gv-group:var(--gray-a2,#f8fafc);--gv-accent:var(--accent-9,#0d9488);
  display:flex;flex-direction:column;gap:6px;width:100%;color:var(--gv-text);background:var(--gv-bg);position:relative}
.gv-root[data-fullscreen="true"]{position:fixed;inset:0;z-index:1000;padding:10px;height:100vh!important}
.gv-bar{display:flex;align-items:center;gap:6px;flex-wrap:wrap;font-size:13px}
.gv-bar button,.gv-card button{font:inherit;font-size:12px;padding:2px 8px;border:1px solid var(--gv-line);border-radius:4px;background:transparent;color:inherit;cursor:pointer}
.gv-bar button[aria-pressed="true"]{background:var(--accent-a4,#ccfbf1);border-color:var(--gv-accent)}
.gv-bar input{font:inherit;font-size:12px;padding:2px 6px;border:1px solid var(--gv-line);border-radius:4px;background:transparent;color:inherit;width:190px}
.gv-badge{padding:1px 8px;border-radius:9999px;font-size:12px;font-weight:500;border:1px solid currentColor}
.gv-badge[data-state=live]{color:var(--green-11)}.gv-badge[data-state=loading]{color:var(--blue-11)}
.gv-badge[data-state=reconnecting]{color:var(--amber-11)}.gv-badge[data-state=error]{color:var(--red-11)}
.gv-dim{color:var(--gv-muted);font-size:12px}
.gv-chips{display:flex;gap:4px;flex-wrap:wrap;font-size:12px}
.gv-chip{display:inline-flex;align-items:center;gap:4px;padding:1px 8px 1px 4px;border:1px solid var(--gv-line);border-radius:9999px;background:transparent;color:inherit;cursor:pointer;font:inherit;font-size:12px}
.gv-chip[aria-pressed="true"]{background:var(--accent-a3,#ccfbf1);border-color:var(--gv-accent)}
.gv-chip[aria-pressed="false"]{opacity:.75}
.gv-chip[aria-disabled="true"]{opacity:.4;cursor:not-allowed;text-decoration:line-through}
.gv-chip b{font-weight:600;font-variant-numeric:tabular-nums}
.gv-message{font-size:12px;color:var(--gv-muted)}.gv-message[data-tone=error]{color:#dc2626}
.gv-canvas{position:relative;flex:1;min-height:320px;border:1px solid var(--gray-a5,#e2e8f0);border-radius:6px;overflow:hidden}
.gv-canvas:focus-visible{outline:2px solid var(--gv-accent);outline-offset:1px}
.gv-canvas .react-flow{--xy-background-color:var(--gv-bg)}
.gv-defs{position:absolute;width:0;height:0;overflow:hidden;color:var(--gv-edge)}
.gv-node{display:flex;flex-direction:column;align-items:center;cursor:pointer;outline:none;border-radius:6px}
.gv-node:focus-visible{outline:2px solid var(--gv-accent);outline-offset:2px}
.gv-shape{position:relative;height:48px;width:48px;display:flex;align-items:center;justify-content:center;margin-top:2px}
.gv-node[data-focus=origin] .gv-shape{filter:drop-shadow(0 0 0 var(--gv-accent)) drop-shadow(0 0 5px var(--gv-accent))}
.gv-node[data-focus=origin] .gv-name{font-weight:700}
.gv-node[data-match] .gv-shape{background:radial-gradient(circle,#facc15aa 0,#facc1500 70%);border-radius:50%}
.gv-node[data-match=current] .gv-name{background:#facc15;color:#111;border-radius:3px}
.gv-count{position:absolute;top:-4px;right:-12px;min-width:20px;padding:0 4px;border-radius:9999px;background:var(--gv-text);color:var(--gv-bg);font-size:10px;line-height:16px;text-align:center;font-weight:600}
.gv-name{max-width:${NODE_W}px;font-size:11px;line-height:14px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding:0 2px;color:var(--gv-text)}
.gv-type{font-size:9.5px;line-height:12px;color:var(--gv-muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:${NODE_W}px}
.gv-group{width:100%;height:100%;border:1px dashed var(--gv-line);border-radius:10px;background:var(--gv-group);pointer-events:none}
.gv-group-title{position:absolute;top:4px;left:10px;right:10px;font-size:12px;font-weight:600;color:var(--gv-muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.gv-group-by{font-weight:400;margin-right:6px;text-transform:uppercase;font-size:9px;letter-spacing:.05em}
.react-flow__node-gvgroup{pointer-events:none!important}
.gv-edge path{stroke:var(--gv-edge)}
.gv-edge-count{font-size:10px;fill:var(--gv-text);paint-order:stroke;stroke:var(--gv-bg);stroke-width:3px}
.gv-far .gv-name,.gv-far .gv-type,.gv-far .gv-count,.gv-far .gv-edge-count,.gv-far .gv-group-by{display:none}
.gv-far .gv-group-title{font-size:28px}
.gv-far .gv-edge path{marker-start:none;marker-end:none}
.gv-animating .react-flow__node{transition:transform ${ANIMATE_MS}ms ease-in-out}
.gv-animating .react-flow__edges{opacity:0}
.react-flow__edges{transition:opacity 200ms}
.gv-card{position:absolute;z-index:20;min-width:220px;max-width:320px;padding:8px 10px;border-radius:8px;background:var(--gv-panel);
  border:1px solid var(--gray-a6,#cbd5e1);box-shadow:0 8px 24px #0003;font-size:12px;display:flex;flex-direction:column;gap:3px}
.gv-card h4{margin:0;font-size:13px;word-break:break-all}
.gv-card .gv-card-actions{display:flex;gap:4px;flex-wrap:wrap;margin-top:4px}
.gv-status-dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px;vertical-align:middle}
.gv-legend{position:absolute;z-index:15;top:8px;right:8px;max-height:calc(100% - 16px);overflow:auto;padding:8px 12px;border-radius:8px;
  background:var(--gv-panel);border:1px solid var(--gray-a6,#cbd5e1);box-shadow:0 8px 24px #0002;font-size:11.5px;display:grid;
  grid-template-columns:repeat(2,minmax(180px,1fr));gap:4px 18px;color:var(--gv-text)}
.gv-legend h4{margin:2px 0 4px;font-size:12px}
.gv-legend-row{display:flex;align-items:center;gap:6px;min-height:18px;color:var(--gv-edge)}
.gv-legend-row span{color:var(--gv-text)}
.gv-legend-count{font-weight:600;min-width:64px;text-align:center}
.gv-empty{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;color:var(--gv-muted);font-size:14px;pointer-events:none;z-index:5}
`;
