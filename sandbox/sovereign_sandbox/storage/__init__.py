"""The object store and what a write goes through: validation, patches, server-side apply, deletion, watches."""
