"""Users & access (rbac.md): tiers, scopes, UserAccess grants, the grant reconciler, Keycloak administration,
and "who can?" — pure Python and HTTP clients, no Reflex."""
