"""Container roots: one per container instance, replaced when the container restarts, all gone at the end."""

from __future__ import annotations

from sovereign_sandbox.node.container_roots import ContainerRoots
from sovereign_sandbox.node.containers import ContainerRef, image_traits


def _container(restarts: int, started: str, uid: str = "pod-uid-1") -> ContainerRef:
    pod = {"metadata": {"name": "web-1", "namespace": "shop", "uid": uid}}
    status = {"name": "web", "restartCount": restarts, "state": {"running": {"startedAt": started}}}
    return ContainerRef(pod, {"name": "web", "image": "nginx"}, status, image_traits("nginx"))


def test_one_root_per_instance_until_the_sandbox_stops() -> None:
    roots = ContainerRoots()
    first = roots.for_container(_container(0, "2026-01-01T00:00:00Z"))
    assert roots.for_container(_container(0, "2026-01-01T00:00:00Z")) is first
    other_pod = roots.for_container(_container(0, "2026-01-01T00:00:00Z", uid="pod-uid-2"))
    assert other_pod is not first
    restarted = roots.for_container(_container(1, "2026-01-01T00:05:00Z"))
    assert restarted is not first and not first.folder.exists() and restarted.rootfs.is_dir()
    roots.close()
    assert not restarted.folder.exists() and not other_pod.folder.exists()
