// The architecture graph's socket (`graph_view.jsx`): `/ws/graph` on the page's own origin (the session cookie
// authenticates it), one per component lifetime, reconnecting with backoff. It sends the view message on every
// open and hands each frame to the component; 4401 (signed out), 4403 and 1011 (no cluster) are final.
import { useCallback, useEffect, useRef } from "react";
import env from "$/env.json";

const BACKOFF_MS = [1000, 2000, 4000, 8000]; // then 8 s between every further attempt
const FINAL_CLOSE = { 4401: "signed-out", 4403: "forbidden", 1011: "no-cluster" };
const FINAL_MESSAGES = {
  "signed-out": "Your session has ended.",
  forbidden: "You may not view the architecture graph.",
  "no-cluster": "The console is not connected to a cluster.",
};

function socketUrl(path) {
  // prod serves everything on one port: the page's own origin; dev runs the backend on its own port
  const url = new URL(path, window.location.href);
  if (import.meta.env.DEV) url.port = new URL(env.EVENT).port;
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

// `viewRef.current`: the view message to send; `handlers.current`: {onOpen, onSnapshot, onDelta, onStatus,
// onProblem, onClosed}. Returns `sendView()`, which sends the current view message if the socket is open.
export function useGraphSocket(viewRef, handlers) {
  const socketRef = useRef(null);

  const sendView = useCallback(() => {
    const socket = socketRef.current;
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(viewRef.current));
  }, [viewRef]);

  useEffect(() => {
    let socket = null;
    let timer = 0;
    let disposed = false;
    let attempt = 0;
    const status = (state, message = "", final = "") => handlers.current.onStatus({ state, attempt, message, final });
    const connect = () => {
      status(attempt ? "reconnecting" : "loading");
      socket = new WebSocket(socketUrl("/ws/graph"));
      socketRef.current = socket;
      socket.onopen = () => {
        handlers.current.onOpen();
        socket.send(JSON.stringify(viewRef.current));
      };
      socket.onmessage = (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return;
        }
        if (frame.type === "snapshot") {
          attempt = 0;
          handlers.current.onSnapshot(frame);
        } else if (frame.type === "delta") handlers.current.onDelta(frame);
        else if (frame.type === "status") {
          if (frame.state === "live") attempt = 0;
          status(frame.state || "loading", frame.message || "");
        } else if (frame.type === "error") handlers.current.onProblem(frame.message || "The view could not be shown.");
      };
      socket.onclose = (event) => {
        if (disposed) return;
        socketRef.current = null;
        const final = FINAL_CLOSE[event.code];
        if (final || event.code === 1000) {
          const message = final === "signed-out" ? FINAL_MESSAGES[final] : event.reason || FINAL_MESSAGES[final];
          attempt = 0;
          status("error", message || "The graph stream closed.", final || "closed");
          return;
        }
        attempt += 1;
        status("reconnecting", event.reason || "");
        timer = setTimeout(connect, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length) - 1]);
      };
    };
    connect();
    return () => {
      disposed = true;
      clearTimeout(timer);
      if (socket) {
        socket.onmessage = null;
        socket.onclose = null;
        socket.close(1000);
      }
      socketRef.current = null;
    };
  }, [handlers, viewRef]);

  return sendView;
}
