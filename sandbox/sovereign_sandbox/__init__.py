"""The Sovereign sandbox: a Kubernetes-API-compatible server and a Keycloak-compatible IdP, seeded with a
Sovereign, to run the console against and to test it with.

A distribution of its own (`sovereign-sandbox`): the console never imports it at run time and its wheel
carries none of it; only `console demo` / `console sandbox`, the tests and the benchmarks start it.
"""
