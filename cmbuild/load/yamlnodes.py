"""Checks on composed YAML nodes, before any value is built from them.

A front matter is a few dozen values. YAML's references (`&name` to label a value, `*name` to
repeat it) let a few lines stand for billions of values ("billion laughs"), or for a value that
contains itself: both are refused here, where counting costs one visit per distinct node. Keys
written twice in one table are found here too (YAML itself keeps the last one silently).
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from cmbuild.errors import InputError

# Far above any real front matter (the sample's largest has under 100 values).
MAX_VALUES = 10_000


class TooLarge(Exception):
    """A value that repeats others too often (`size` > MAX_VALUES) or that contains itself."""

    def __init__(self, node: yaml.Node, size: int | None) -> None:
        super().__init__(node)
        self.node = node
        self.size = size  # None when the value contains itself


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def check_size(root: yaml.Node, limit: int = MAX_VALUES) -> None:
    """Raise TooLarge when `root` would build more than `limit` values, or loops on itself.

    Each distinct node is visited once (depth first, without recursion) and its expanded size
    remembered, so a reference repeated a billion times costs a single visit.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > limit:
                raise TooLarge(node, sizes[key])
        elif key in open_nodes:
            raise TooLarge(node, None)
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def duplicate_keys(node: yaml.MappingNode) -> list[tuple[str, int, int]]:
    """Each key written twice in this table: (key, first line, repeated line), 0-based lines."""
    first: dict[str, int] = {}
    found = []
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        line = key_node.start_mark.line
        if key_node.value in first:
            found.append((key_node.value, first[key_node.value], line))
        else:
            first[key_node.value] = line
    return found


def refuse_too_large(node: yaml.Node, source: str, first_line: int) -> None:
    """Refuse `&name`/`*name` references that grow too large or loop, naming the key they fill."""
    try:
        check_size(node)
    except TooLarge as error:
        culprit, key = error.node, None
        for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else ():
            try:
                check_size(value_node)
            except TooLarge as inner:
                culprit, key = inner.node, key_node
                break
        where = key if key is not None else culprit
        if error.size is None:
            problem = "contains itself through a `*name` reference"
        else:
            problem = f"repeats `*name` references into more than {MAX_VALUES} values"
        raise InputError(
            source,
            problem,
            line=first_line + where.start_mark.line,
            key=str(key.value) if key is not None else None,
            hint="write the values out in full instead of using `&name` and `*name`",
        ) from None
