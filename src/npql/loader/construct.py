"""Composed YAML nodes to Python data, fast, for the documents manifests are made of.

PyYAML's constructor is general (generators for recursive structures, a dispatch per node,
merge keys, every tag) and costs more than parsing itself on a large cluster. Manifests are
maps, lists, strings, numbers, booleans and nulls; this builds exactly those, in one
recursive pass, with the same values the safe constructor gives. Anything else (a merge key
``<<``, an explicit tag such as ``!!binary``, a collection as a key) raises Unusual, and the
caller builds that document with the general constructor instead.

Only documents that passed the shape check (loader/shape.py) come here: no recursive alias,
nesting at most MAX_DEPTH levels, so recursion is safe. An alias is the same node object as
its anchor, and builds to the same Python object, as PyYAML shares it.
"""

from __future__ import annotations

from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_Scalar = yaml.ScalarNode
_Mapping = yaml.MappingNode
_Sequence = yaml.SequenceNode


class Unusual(Exception):
    """The document uses a YAML feature this builder leaves to the general constructor."""


def build(node: yaml.Node, loader: Any) -> object:
    """The Python value of ``node``, equal to what ``loader.construct_document`` returns.

    ``loader`` (a SafeLoader) builds the numbers whose spelling is not plain decimal, so
    their many YAML 1.1 forms are read exactly as the general constructor reads them.
    """
    return _Builder(loader).value(node)


class _Builder:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.built: dict[int, object] = {}  # id(collection node) -> its value, for aliases

    def value(self, node: Any) -> object:
        # class identity, not isinstance: the hot path of loading, and no subclass occurs
        cls = node.__class__
        if cls is _Scalar:
            return self.scalar(node)
        found = self.built.get(id(node))
        if found is not None:
            return found
        if cls is _Mapping and node.tag == _MAP:
            return self.mapping(node)
        if cls is _Sequence and node.tag == _SEQ:
            items: list[object] = []
            self.built[id(node)] = items
            items.extend([self.value(child) for child in node.value])
            return items
        raise Unusual(node.tag)

    def mapping(self, node: yaml.MappingNode) -> dict[object, object]:
        data: dict[object, object] = {}
        self.built[id(node)] = data
        for key_node, value_node in node.value:
            if key_node.__class__ is not _Scalar:
                raise Unusual("a collection as a key")
            data[self.scalar(key_node)] = self.value(value_node)
        return data

    def scalar(self, node: yaml.ScalarNode) -> object:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _INT:
            text = node.value
            # plain decimal: the common case; every other spelling goes to PyYAML
            if text.isdigit() and text.isascii() and (text[0] != "0" or text == "0"):
                return int(text)
            return self.loader.construct_yaml_int(node)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self.loader.construct_yaml_bool(node)
        if tag == _FLOAT:
            return self.loader.construct_yaml_float(node)
        raise Unusual(tag)  # merge and value keys, timestamps, binary, custom tags
