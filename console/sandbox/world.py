"""Placeholder for the deterministic seeded Sovereign (replaced by the seeded-world module)."""


def build_world(seed: int = 1, pods: int | None = None) -> list[dict]:
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        for name in ("default", "kube-system", "flux-system")
    ]
