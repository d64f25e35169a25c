"""Stateless pieces of the users & access pages."""
