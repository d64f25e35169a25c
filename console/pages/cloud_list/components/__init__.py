"""The cloud list's stateless pieces: they take Vars and event handlers, never a state."""
