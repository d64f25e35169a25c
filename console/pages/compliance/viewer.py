"""Who looks at a compliance page, and what they may count: the namespaces they may list reports in.

Every compliance page computes its numbers over this, never over the whole Sovereign unless the person
may list reports cluster-wide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from console.compliance import runtime as compliance_runtime
from console.compliance.access import report_namespaces
from console.kube import runtime
from console.kube.api import KubeApi
from console.kube.watch_cache import resource_from_id
from console.state.session import current_person

NAMESPACES = resource_from_id("v1/namespaces")


@dataclass(frozen=True, slots=True)
class Viewer:
    kube_user: str
    api: KubeApi  # acts as the person
    namespaces: frozenset[str] | None  # None: everything (may list reports cluster-wide)
    compliance: compliance_runtime.ComplianceRuntime


class ComplianceProblem(Exception):
    """The page cannot show compliance now; the message says why, in words for the person."""


async def viewer_for(cookie_header: str) -> Viewer | None:
    """The signed-in person and their countable namespaces; None when signed out.

    Raises:
        ComplianceProblem: the cluster or the compliance runtime is not available.
    """
    person = await current_person(cookie_header)
    if person is None:
        return None
    identity, acting_as = person
    try:
        kube = runtime.current()
        compliance = compliance_runtime.current()
    except (runtime.KubeUnavailable, compliance_runtime.ComplianceUnavailable) as problem:
        raise ComplianceProblem(str(problem)) from problem
    api = kube.api.as_person(acting_as)
    watch = kube.cache.peek(NAMESPACES)
    names = [obj["metadata"]["name"] for obj in watch.objects()] if watch is not None else []
    namespaces = await report_namespaces(kube.reviews, api, identity.kube_user, names)
    return Viewer(identity.kube_user, api, namespaces, compliance)


def clock_text(at: float | None) -> str:
    """A moment as the live indicator prints it (UTC, to the second)."""
    if not at:
        return ""
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S UTC")
