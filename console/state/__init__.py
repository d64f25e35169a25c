"""Reflex states shared across features (session, scope, keyboard, wakeups, connection, object actions).

A feature's own states live beside its page in `console/pages/<feature>/`.
"""
