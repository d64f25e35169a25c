"""Reflex state classes: thin adapters from the domain core to what a page shows."""
