"""Operating the console: health and readiness, Prometheus metrics, structured request and audit logs."""
