"""The seeded Sovereign: every object of the world as plain manifests, and the people who sign in to it."""
