"""The faults the churn tests inject while they make 1,000 changes, one schedule for the list, graph and score
tests: every kind of fault issue 16 names, at fixed steps."""

from __future__ import annotations

from typing import Any


def inject_fault(step: int, sandbox: Any, refused_path: str, also_refused_path: str = "") -> None:
    """The fault due at `step` (none at most steps): requests under `refused_path` are refused with 429 and
    Retry-After at step 640, and those under `also_refused_path` (default: the same) with 500 at step 820."""
    if step % 150 == 75:
        sandbox.faults.drop_watches()
    elif step % 250 == 125:
        sandbox.faults.expire_next_watches(1)  # the next watch resuming from a resourceVersion gets 410 Gone
    elif step == 500:
        sandbox.faults.restart(lose_history=True)  # every watch dropped, the history gone
    elif step == 640:
        sandbox.faults.fail_next(refused_path, count=2, status=429, retry_after=1)
    elif step == 820:
        sandbox.faults.fail_next(also_refused_path or refused_path, count=2, status=500)
        sandbox.faults.drop_watches()
