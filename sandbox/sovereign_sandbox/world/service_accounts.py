"""ServiceAccounts: every account a seeded pod or pod template names, and `default` in every namespace.

A real cluster refuses pods naming a missing account (ServiceAccount admission), so the accounts exist,
made by whoever made the workload: a Helm chart's account carries the chart's labels and release annotations.
"""

from __future__ import annotations

from sovereign_sandbox.world.context import WorldContext
from sovereign_sandbox.world.pods import pod_spec

__all__ = ["service_accounts"]

_CHART_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/version",
    "helm.sh/chart",
    "helm.toolkit.fluxcd.io/name",
    "helm.toolkit.fluxcd.io/namespace",
    "openova.io/managed-by",
)


def service_accounts(context: WorldContext) -> None:
    """Add the ServiceAccounts the world's pods and templates refer to and the missing `default` ones."""
    existing = {
        (item["metadata"]["namespace"], item["metadata"]["name"])
        for item in context.objects
        if item["kind"] == "ServiceAccount"
    }
    wanted: dict[tuple[str, str], dict] = {}  # account → the first (oldest-listed) workload naming it
    for item in context.objects:
        spec = pod_spec(item)
        if spec is None:
            continue
        # Owners come before what they own, so the account's maker is the workload rather than its pods.
        account = spec.get("serviceAccountName") or "default"
        wanted.setdefault((item["metadata"]["namespace"], account), item)
    for namespace in context.namespaces:
        wanted.setdefault((namespace, "default"), context.namespaces[namespace])
    for (namespace, name), source in wanted.items():
        if (namespace, name) in existing:
            continue
        labels, annotations = {}, {}
        if name != "default":
            labels = {key: value for key, value in source["metadata"]["labels"].items() if key in _CHART_LABELS}
            annotations = {
                key: value
                for key, value in (source["metadata"].get("annotations") or {}).items()
                if key.startswith("meta.helm.sh/")
            }
        context.add(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": labels,
                    "annotations": annotations,
                    "creationTimestamp": source["metadata"]["creationTimestamp"],
                },
            }
        )
