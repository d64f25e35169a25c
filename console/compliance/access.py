"""What a person may count: the namespaces they may list policy reports in (or everything)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from console.kube.access import AccessQuestion, AccessReviews
from console.kube.api import KubeApi

__all__ = ["report_namespaces"]


async def report_namespaces(
    reviews: AccessReviews,
    api: KubeApi,
    person: str,
    namespaces: Iterable[str],
    *,
    openreports_only: bool = False,
) -> frozenset[str] | None:
    """None when the person may list reports cluster-wide, else the namespaces (of those given) they may.

    Asked about `policyreports` (wgpolicyk8s.io), or `reports` (openreports.io) when the cluster serves only
    those (`openreports_only`, see `ComplianceFeed.openreports_only`). `api` must act as the person.
    """
    group, resource = ("openreports.io", "reports") if openreports_only else ("wgpolicyk8s.io", "policyreports")
    if await reviews.allowed(api, person, AccessQuestion("list", resource, group=group)):
        return None
    names = sorted({name for name in namespaces if name})
    answers = await asyncio.gather(
        *(reviews.allowed(api, person, AccessQuestion("list", resource, group=group, namespace=n)) for n in names)
    )
    return frozenset(name for name, allowed in zip(names, answers, strict=True) if allowed)
