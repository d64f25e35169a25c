// Sends a signed-out page to sign in (`console/components/wrapped/session_gate.py`). The server only flips
// `signedOut`; the navigation is this bundled code, because the console's CSP forbids evaluating script text
// sent by the server. A framed console cannot send its frame to Keycloak (it refuses to be framed): it tells
// the server (`onFramed`), which offers a popup sign-in instead.
import { useEffect } from "react";

export function SessionGate({ signedOut = false, onFramed }) {
  useEffect(() => {
    if (!signedOut) return;
    if (window.self !== window.top) {
      if (onFramed) onFramed();
      return;
    }
    const next = window.location.pathname + window.location.search;
    window.location.assign("/login?next=" + encodeURIComponent(next));
  }, [signedOut]);
  return null;
}
