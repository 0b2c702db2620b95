"""Cluster objects that network policy applies to: namespaces, pods (endpoints) and services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from npql.errors import Location

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DEFAULT_NAMESPACE = "default"


class Protocol(str, Enum):
    """Transport protocols NetworkPolicy can name."""

    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


ALL_PROTOCOLS: tuple[Protocol, ...] = (Protocol.SCTP, Protocol.TCP, Protocol.UDP)


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """A container port a pod declares; the name is what named NetworkPolicy ports resolve to."""

    port: int
    protocol: Protocol = Protocol.TCP
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Namespace:
    """A namespace with its labels (always including kubernetes.io/metadata.name)."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    declared: bool = True
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Pod:
    """One endpoint: a Pod, or the representative pod of a workload (replicas collapse).

    ``kind`` and ``name`` are what the answer prints: a workload's own kind and name, a Pod
    with a controller owner is named after the owner, a bare Pod is kind ``Pod``.
    ``pod_name`` is the Pod object's own name when there is one.
    """

    namespace: str
    name: str
    kind: str
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    ports: tuple[ContainerPort, ...] = ()
    ips: tuple[str, ...] = ()
    host_network: bool = False
    pod_name: str | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def workload(self) -> str:
        """The printed identity, ``ns/name[Kind]`` as netpol-analyzer prints it."""
        return f"{self.namespace}/{self.name}[{self.kind}]"


@dataclass(frozen=True, slots=True)
class ServicePort:
    """One port of a Service; ``target_port`` is a number or a container port name."""

    port: int
    target_port: int | str
    protocol: Protocol = Protocol.TCP
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """A Service: a selector over pods of its namespace and a port map."""

    namespace: str
    name: str
    selector: Mapping[str, str] | None = field(default=None, hash=False)
    ports: tuple[ServicePort, ...] = ()
    location: Location | None = field(default=None, compare=False)
