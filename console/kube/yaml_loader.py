"""Safe YAML as Kubernetes reads it, bounded against hostile documents.

Timestamps stay strings (they become JSON strings on the wire). Aliases (`*name`) are resolved by reference
while loading but expanded when the object is written as JSON: nine nested levels of nine aliases (a
"billion laughs" document of a few hundred bytes) would expand to 387 million values. So a document is
measured as it would expand, before anything is built from it, and refused past `MAX_EXPANDED_VALUES`.
"""

from __future__ import annotations

from typing import Any

import yaml

# Far above any real manifest (a 3,000-line Deployment has a few thousand values).
MAX_EXPANDED_VALUES = 100_000


class YamlTooLarge(ValueError):
    """The document expands (through aliases) to more values than the console builds."""


def expanded_size(node: yaml.Node, sizes: dict[int, int] | None = None) -> int:
    """How many values `node` stands for once every alias is written out (a cycle counts once)."""
    sizes = {} if sizes is None else sizes
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # while measuring: an alias back to an ancestor (a cycle) adds nothing more
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(expanded_size(key, sizes) + expanded_size(value, sizes) for key, value in node.value)
    else:
        size = 1
    sizes[id(node)] = size
    return size


class KubeYamlLoader(yaml.SafeLoader):
    def construct_document(self, node: yaml.Node) -> Any:
        if expanded_size(node) > MAX_EXPANDED_VALUES:
            raise YamlTooLarge(
                f"The document expands to more than {MAX_EXPANDED_VALUES:,} values through YAML aliases (*name); "
                "write the repeated parts out instead."
            )
        return super().construct_document(node)


KubeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
