"""The Kubernetes-compatible API server: HTTP routing, verb handlers, response shapes, tables, protobuf, TLS."""
