"""What one side of a question denotes, resolved against the cluster but free of any solver."""

from __future__ import annotations

from dataclasses import dataclass

from npql.ir.addresses import IPRange
from npql.ir.groups import PodGroup
from npql.model.objects import Pod, Protocol
from npql.model.selector import LabelSelector


@dataclass(frozen=True, slots=True)
class Forbidden:
    """An assumption: no namespace (``subject`` "ns") or no pod ("pod") ever matches this.

    For pods, the namespace part narrows where the rule applies (``None`` = everywhere).
    """

    subject: str
    selector: LabelSelector
    namespace_names: tuple[str, ...] | None = None
    namespace_selector: LabelSelector | None = None
    excluded_namespaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hypothetical:
    """Pods that need not exist: labels matching ``selector``, in namespaces by name or labels.

    ``namespace_names`` None and ``namespace_selector`` None mean any namespace, existing or new;
    ``excluded_namespaces`` rules some out; ``forbidden`` are the session's label assumptions.
    """

    selector: LabelSelector = LabelSelector()
    namespace_names: tuple[str, ...] | None = None
    namespace_selector: LabelSelector | None = None
    excluded_namespaces: tuple[str, ...] = ()
    forbidden: tuple[Forbidden, ...] = ()
    unlike: tuple[Hypothetical, ...] = ()


@dataclass(frozen=True, slots=True)
class Side:
    """Existing pods (and their groups), pods that need not exist, and external address ranges."""

    pods: tuple[Pod, ...] = ()
    groups: tuple[PodGroup, ...] = ()
    hypothetical: Hypothetical | None = None
    ranges: tuple[IPRange, ...] = ()
    description: str = ""
    selector: LabelSelector | None = None

    @property
    def is_empty(self) -> bool:
        """Denotes nothing at all."""
        return not self.groups and self.hypothetical is None and not self.ranges


@dataclass(frozen=True, slots=True)
class PortQuery:
    """The ports asked about: numeric ranges or a container-port name, and a protocol.

    ``protocol`` None means every protocol; ``name`` resolves at each destination pod.
    """

    protocol: Protocol | None = None
    lo: int = 1
    hi: int = 65535
    name: str | None = None
