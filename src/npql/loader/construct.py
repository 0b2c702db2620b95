"""Composed YAML nodes to Python data, fast, for the documents manifests are made of.

PyYAML's constructor is general (generators for recursive structures, a dispatch per node,
merge keys, every tag) and costs more than parsing itself on a large cluster. Manifests are
maps, lists, strings, numbers, booleans and nulls, written as a tree; this builds exactly
those, in one recursive pass, with the same values the safe constructor gives.

Anything else raises Unusual, and the caller checks the document's shape (loader/shape.py)
and builds it with the general constructor: a merge key ``<<``, an explicit tag such as
``!!binary``, a collection as a key, and everything the shape check could object to. The
builder accepts only trees (an alias to a collection is Unusual, so there is no alias bomb
or recursive alias to find), at most MAX_DEPTH collections deep (so recursion is safe), with
no two keys of a mapping building to the same value (which is every duplicate key the shape
check reports, and a few more, such as ``1`` and ``0x1``). A document it builds is therefore
one the shape check passes, and the check's walk is saved for all the others.
"""

from __future__ import annotations

from typing import Any

import yaml

from npql.loader.limits import MAX_DEPTH

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
    return _Builder(loader).value(node, 1)


class _Builder:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.seen: set[int] = set()  # id of every collection node built: a tree has no repeat

    def value(self, node: Any, level: int) -> object:
        # class identity, not isinstance: the hot path of loading, and no subclass occurs
        cls = node.__class__
        if cls is _Scalar:
            return self.scalar(node)
        if level > MAX_DEPTH:
            raise Unusual("nested deeper than MAX_DEPTH")
        key = id(node)
        if key in self.seen:
            raise Unusual("an alias to a collection")
        self.seen.add(key)
        if cls is _Mapping and node.tag == _MAP:
            return self.mapping(node, level + 1)
        if cls is _Sequence and node.tag == _SEQ:
            return [self.value(child, level + 1) for child in node.value]
        raise Unusual(node.tag)

    def mapping(self, node: yaml.MappingNode, inner: int) -> dict[object, object]:
        data: dict[object, object] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not _Scalar:
                raise Unusual("a collection as a key")
            data[self.scalar(key_node)] = self.value(value_node, inner)
        if len(data) != len(node.value):
            raise Unusual("two keys with one value")
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
