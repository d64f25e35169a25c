"""Kubernetes domain core: API access, the kind registry, the shared watch cache. No Reflex imports."""
