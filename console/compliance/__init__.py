"""Compliance domain core: policy reports in, pooled scores out (compliance.md). No Reflex imports."""
