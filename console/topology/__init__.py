"""The architecture graph: nodes and typed edges from the shared watch cache, and what a person's view draws."""
