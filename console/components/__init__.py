"""Stateless UI pieces: they take Vars, never import a state."""
