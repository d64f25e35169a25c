"""core/v1 Events about the seeded objects: what a real cluster still remembers (events expire after an
hour, so only recent or ongoing happenings appear)."""

from __future__ import annotations

from datetime import UTC, datetime

from sovereign_sandbox.world.context import HOUR, MINUTE, WorldContext

__all__ = ["add_event", "events", "pod_start_events"]


def add_event(
    context: WorldContext,
    target: dict,
    *,
    kind: str,
    reason: str,
    message: str,
    component: str,
    first_ago: float,
    last_ago: float,
    count: int = 1,
    host: str | None = None,
) -> None:
    metadata = target["metadata"]
    namespace = metadata.get("namespace", "default")
    # Event names are <object>.<hex of the first timestamp in nanoseconds>, as the event recorder makes them.
    name = f"{metadata['name']}.{context.rng.getrandbits(64):016x}"[:253]
    source = {"component": component, **({"host": host} if host else {})}
    context.add(
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {},
                "annotations": {},
                "creationTimestamp": context.timestamp(first_ago),
            },
            "involvedObject": {
                "apiVersion": target["apiVersion"],
                "kind": target["kind"],
                "name": metadata["name"],
                **({"namespace": metadata["namespace"]} if "namespace" in metadata else {}),
                **(
                    {"fieldPath": f"spec.containers{{{target['spec']['containers'][0]['name']}}}"}
                    if target["kind"] == "Pod"
                    and reason in ("BackOff", "Pulling", "Failed", "Pulled", "Created", "Started")
                    else {}
                ),
            },
            "reason": reason,
            "message": message,
            "type": kind,
            "count": count,
            "firstTimestamp": context.timestamp(first_ago),
            "lastTimestamp": context.timestamp(last_ago),
            "eventTime": None,
            "source": source,
            "reportingComponent": component,
            "reportingInstance": host or "",
        }
    )


def _pod_events(context: WorldContext, pod: dict) -> None:
    status, spec, name = pod["status"], pod["spec"], pod["metadata"]["name"]
    namespace = pod["metadata"]["namespace"]
    container = spec["containers"][0]
    node = spec.get("nodeName")
    waiting = (status.get("containerStatuses") or [{}])[0].get("state", {}).get("waiting", {})
    if status["phase"] == "Pending" and not node:
        message = next(
            condition["message"] for condition in status["conditions"] if condition["type"] == "PodScheduled"
        )
        add_event(
            context,
            pod,
            kind="Warning",
            reason="FailedScheduling",
            message=message,
            component="default-scheduler",
            first_ago=40 * MINUTE,
            last_ago=context.between(30, 300),
            count=context.rng.randint(8, 30),
        )
        return
    if waiting.get("reason") == "CrashLoopBackOff":
        restarts = status["containerStatuses"][0]["restartCount"]
        add_event(
            context,
            pod,
            kind="Warning",
            reason="BackOff",
            message=f"Back-off restarting failed container {container['name']} in pod {name}_{namespace}",
            component="kubelet",
            host=node,
            first_ago=55 * MINUTE,
            last_ago=context.between(10, 120),
            count=restarts * 5,
        )
        add_event(
            context,
            pod,
            kind="Normal",
            reason="Pulled",
            message=f'Container image "{container["image"]}" already present on machine and can be accessed by the pod',
            component="kubelet",
            host=node,
            first_ago=55 * MINUTE,
            last_ago=context.between(60, 300),
            count=restarts,
        )
    elif waiting.get("reason") == "ImagePullBackOff":
        image = container["image"]
        add_event(
            context,
            pod,
            kind="Normal",
            reason="Pulling",
            message=f'Pulling image "{image}"',
            component="kubelet",
            host=node,
            first_ago=50 * MINUTE,
            last_ago=context.between(60, 400),
            count=9,
        )
        add_event(
            context,
            pod,
            kind="Warning",
            reason="Failed",
            message=f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
            f'unpack image "{image}": failed to resolve reference "{image}": {image}: not found',
            component="kubelet",
            host=node,
            first_ago=50 * MINUTE,
            last_ago=context.between(60, 400),
            count=9,
        )
        add_event(
            context,
            pod,
            kind="Warning",
            reason="Failed",
            message="Error: ImagePullBackOff",
            component="kubelet",
            host=node,
            first_ago=50 * MINUTE,
            last_ago=context.between(5, 60),
            count=41,
        )


def pod_start_events(context: WorldContext, pod: dict, age: float) -> None:
    node, container = pod["spec"]["nodeName"], pod["spec"]["containers"][0]
    name, namespace = pod["metadata"]["name"], pod["metadata"]["namespace"]
    add_event(
        context,
        pod,
        kind="Normal",
        reason="Scheduled",
        message=f"Successfully assigned {namespace}/{name} to {node}",
        component="default-scheduler",
        first_ago=age,
        last_ago=age,
    )
    add_event(
        context,
        pod,
        kind="Normal",
        reason="Pulled",
        message=f'Container image "{container["image"]}" already present on machine and can be accessed by the pod',
        component="kubelet",
        host=node,
        first_ago=age - 1,
        last_ago=age - 1,
    )
    add_event(
        context,
        pod,
        kind="Normal",
        reason="Created",
        message=f"Created container: {container['name']}",
        component="kubelet",
        host=node,
        first_ago=age - 2,
        last_ago=age - 2,
    )
    add_event(
        context,
        pod,
        kind="Normal",
        reason="Started",
        message=f"Started container {container['name']}",
        component="kubelet",
        host=node,
        first_ago=age - 2,
        last_ago=age - 2,
    )


def events(context: WorldContext) -> None:
    """Events for failing pods, recently started pods, and the controllers that are unhappy."""
    for item in list(context.objects):
        kind = item["kind"]
        if kind == "Pod":
            phase = item["status"]["phase"]
            created = _seconds_ago(context, item["metadata"]["creationTimestamp"])
            if phase == "Pending" or any(
                status.get("state", {}).get("waiting") for status in item["status"].get("containerStatuses", ())
            ):
                _pod_events(context, item)
            elif phase == "Running" and created < HOUR:
                pod_start_events(context, item, created)
        elif kind == "HelmRelease":
            ready = next(condition for condition in item["status"]["conditions"] if condition["type"] == "Ready")
            if ready["status"] == "False":
                released = next(
                    condition for condition in item["status"]["conditions"] if condition["type"] == "Released"
                )
                add_event(
                    context,
                    item,
                    kind="Warning",
                    reason="UpgradeFailed",
                    message=released["message"],
                    component="helm-controller",
                    first_ago=50 * MINUTE,
                    last_ago=40 * MINUTE,
                    count=3,
                )
                add_event(
                    context,
                    item,
                    kind="Warning",
                    reason="RetriesExceeded",
                    message=ready["message"],
                    component="helm-controller",
                    first_ago=40 * MINUTE,
                    last_ago=context.between(60, 600),
                    count=4,
                )
        elif kind == "Certificate" and item["status"]["conditions"][0]["status"] == "False":
            add_event(
                context,
                item,
                kind="Warning",
                reason="Failed",
                message=item["status"]["conditions"][1]["message"],
                component="cert-manager-certificates-issuing",
                first_ago=55 * MINUTE,
                last_ago=context.between(60, 900),
                count=3,
            )
        elif kind == "Cluster" and item["status"]["phase"] != "Cluster in healthy state":
            add_event(
                context,
                item,
                kind="Warning",
                reason="FailingOver",
                message=item["status"]["phaseReason"],
                component="cloudnative-pg",
                first_ago=45 * MINUTE,
                last_ago=context.between(60, 400),
                count=2,
            )
        elif kind == "ExternalSecret" and item["status"]["conditions"][0]["status"] == "False":
            add_event(
                context,
                item,
                kind="Warning",
                reason="UpdateFailed",
                message=item["status"]["conditions"][0]["message"],
                component="external-secrets",
                first_ago=58 * MINUTE,
                last_ago=context.between(60, 900),
                count=12,
            )


def _seconds_ago(context: WorldContext, stamp: str) -> float:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (context.now - moment).total_seconds()
