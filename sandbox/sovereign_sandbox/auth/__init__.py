"""Who a request is (static tokens, OIDC access tokens, impersonation) and what it may do (RBAC, reviews)."""
