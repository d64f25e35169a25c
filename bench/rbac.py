"""Speed figures for users & access (issue targets: converge < 30 s, who-can < 1 s):

1. the grant reconciler over 1,000 grants and 500 namespaces in a fresh sandbox, as the console's service
   account (bench/rbac_reconcile.py: time to converge, API calls, a new grant's and a relabel's latency,
   a standby's takeover);
2. "who can?" over a cluster of 5,000 RoleBindings (bench/rbac_who_can.py: index build, one answer).

Run: `.venv/bin/python bench/rbac.py [grants namespaces]`; prints figures, asserts nothing.
"""

from __future__ import annotations

import sys

from harness import Figure, print_summary, verdict
from rbac_reconcile import _report, measure_reconcile
from rbac_who_can import TARGET_MS, measure_who_can


def main() -> None:
    grants = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    namespaces = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    summary: list[Figure] = _report(measure_reconcile(grants, namespaces))
    who = measure_who_can(5000)
    answer_ms = who["build_ms"] + who["who_can_ms"]
    summary += [
        (
            f"who can create pods/exec, {int(who['bindings']):,} bindings (index built + answered)",
            f"{answer_ms:.0f} ms",
            f"< {TARGET_MS:.0f} ms",
            verdict(answer_ms < TARGET_MS),
        ),
        ("who can, answer from a built index", f"{who['who_can_ms']:.2f} ms", "—", "—"),
    ]
    print_summary(summary)


if __name__ == "__main__":
    main()
