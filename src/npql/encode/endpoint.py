"""A symbolic endpoint: a pod (namespace + labels + ports) or an external address, all Z3 terms.

An existing pod is a constraint on these variables, a hypothetical pod is fewer constraints:
the same encoding answers "can this pod" and "can any pod".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from npql.encode.terms import int_equals
from npql.model.objects import Protocol

HYPOTHETICAL = -1  # group id of a pod that need not exist
EXTERNAL = -2  # group id of an external address


@dataclass
class SymEndpoint:
    """Z3 variables describing one side (source or destination) of a connection."""

    prefix: str
    is_pod: z3.BoolRef = field(init=False)
    group: z3.ArithRef = field(init=False)
    namespace: z3.ArithRef = field(init=False)
    ip: z3.ArithRef = field(init=False)
    ip_v6: z3.BoolRef = field(init=False)
    _labels: dict[str, tuple[z3.BoolRef, z3.ArithRef]] = field(default_factory=dict)
    _ns_labels: dict[str, tuple[z3.BoolRef, z3.ArithRef]] = field(default_factory=dict)
    _named: dict[tuple[str, Protocol], tuple[z3.BoolRef, z3.ArithRef]] = field(default_factory=dict)
    _in_block: dict[int, z3.BoolRef] = field(default_factory=dict)
    _group_is: dict[int, z3.BoolRef] = field(default_factory=dict)
    _namespace_is: dict[int, z3.BoolRef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.prefix
        self.is_pod = z3.Bool(f"{p}.is_pod")
        self.group = z3.Int(f"{p}.group")
        self.namespace = z3.Int(f"{p}.ns")
        self.ip = z3.Int(f"{p}.ip")
        self.ip_v6 = z3.Bool(f"{p}.ip_v6")

    def group_is(self, index: int) -> z3.BoolRef:
        """``group == index``, built once (encodings name each group many times)."""
        found = self._group_is.get(index)
        if found is None:
            found = self._group_is[index] = int_equals(self.group, index)
        return found

    def namespace_is(self, value_id: int) -> z3.BoolRef:
        """``namespace == value_id``, built once."""
        found = self._namespace_is.get(value_id)
        if found is None:
            found = self._namespace_is[value_id] = int_equals(self.namespace, value_id)
        return found

    def label(self, key: str) -> tuple[z3.BoolRef, z3.ArithRef]:
        """(has key, value id) of the pod's label ``key``."""
        if key not in self._labels:
            self._labels[key] = (
                z3.Bool(f"{self.prefix}.has[{key}]"),
                z3.Int(f"{self.prefix}.val[{key}]"),
            )
        return self._labels[key]

    def ns_label(self, key: str) -> tuple[z3.BoolRef, z3.ArithRef]:
        """(has key, value id) of the pod's namespace label ``key``."""
        if key not in self._ns_labels:
            self._ns_labels[key] = (
                z3.Bool(f"{self.prefix}.ns_has[{key}]"),
                z3.Int(f"{self.prefix}.ns_val[{key}]"),
            )
        return self._ns_labels[key]

    def named_port(self, name: str, protocol: Protocol) -> tuple[z3.BoolRef, z3.ArithRef]:
        """(declares the port, its number) for a container port name and protocol."""
        key = (name, protocol)
        if key not in self._named:
            tag = f"{name}/{protocol.value}"
            self._named[key] = (
                z3.Bool(f"{self.prefix}.port_has[{tag}]"),
                z3.Int(f"{self.prefix}.port_num[{tag}]"),
            )
        return self._named[key]

    def in_block(self, block: int) -> z3.BoolRef:
        """Whether the endpoint's address lies in address block number ``block``."""
        if block not in self._in_block:
            self._in_block[block] = z3.Bool(f"{self.prefix}.in_block[{block}]")
        return self._in_block[block]

    def label_keys(self) -> list[str]:
        """Label keys that have variables."""
        return list(self._labels)

    def ns_label_keys(self) -> list[str]:
        """Namespace label keys that have variables."""
        return list(self._ns_labels)

    def named_port_keys(self) -> list[tuple[str, Protocol]]:
        """Named ports that have variables."""
        return list(self._named)
