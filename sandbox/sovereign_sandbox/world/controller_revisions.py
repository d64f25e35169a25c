"""ControllerRevisions: the template history the DaemonSet and StatefulSet controllers keep, one revision
per template they rolled out; the seeded sets are at their current revision, named by its hash."""

from __future__ import annotations

import copy

from sovereign_sandbox.world.context import WorldContext, owner_reference

__all__ = ["controller_revisions"]

_HASH_LABEL = "controller-revision-hash"


def _revision_hash(item: dict, pods: list[dict]) -> str | None:
    """The current revision's name suffix: from the StatefulSet status or the DaemonSet's pods."""
    name = item["metadata"]["name"]
    update = (item.get("status") or {}).get("updateRevision")
    if update:
        return update.removeprefix(f"{name}-")
    for pod in pods:
        owner = (pod["metadata"].get("ownerReferences") or [{}])[0]
        if owner.get("kind") == item["kind"] and owner.get("name") == name:
            return pod["metadata"]["labels"].get(_HASH_LABEL)
    return None


def controller_revisions(context: WorldContext) -> None:
    """Add the current ControllerRevision of every DaemonSet and StatefulSet (after their pods)."""
    for item in [entry for entry in context.objects if entry["kind"] in ("DaemonSet", "StatefulSet")]:
        metadata = item["metadata"]
        revision_hash = _revision_hash(item, context.pods_by_namespace.get(metadata["namespace"], []))
        if not revision_hash:
            continue
        revision = int(metadata.get("annotations", {}).get("deprecated.daemonset.template.generation", 1))
        template = copy.deepcopy(item["spec"]["template"])
        template["$patch"] = "replace"
        labels = dict(item["spec"]["selector"]["matchLabels"]) | {_HASH_LABEL: revision_hash}
        context.add(
            {
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": f"{metadata['name']}-{revision_hash}",
                    "namespace": metadata["namespace"],
                    "labels": labels,
                    "annotations": {},
                    "ownerReferences": [owner_reference("apps/v1", item["kind"], metadata["name"])],
                    "creationTimestamp": metadata["creationTimestamp"],
                },
                # What the controller stores: the strategic merge patch that restores the template.
                "data": {"spec": {"template": template}},
                "revision": revision,
            }
        )
