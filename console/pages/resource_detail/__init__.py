"""The resource detail page: one object read as the person, its tabs and its actions."""
