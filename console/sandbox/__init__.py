"""The sandbox: a Kubernetes-API-compatible server (and later a Keycloak-compatible IdP) to run and test against.

Nothing outside this package imports it; the console talks to it only over the wire.
"""
