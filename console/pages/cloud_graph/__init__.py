"""The Cloud page: Graph | List on `/cloud`, the architecture graph's options, and links into it."""
