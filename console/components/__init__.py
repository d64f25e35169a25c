"""Stateless UI pieces shared across features: they take Vars and event handlers, never import a state."""
