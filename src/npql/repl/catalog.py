"""What the loaded cluster offers for completion: names, labels, ports. Built once per load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from npql.model.cluster import Cluster as ClusterModel
from npql.model.objects import Pod


@dataclass(frozen=True, slots=True)
class Named:
    """One nameable object: its reference text (``ns/name``) and a short description."""

    ref: str
    meta: str = ""


LabelIndex = Mapping[str, Mapping[str, int]]
"""label key -> value -> how many objects carry it."""


@dataclass(frozen=True, slots=True)
class Catalog:
    """Completion data drawn from one loaded cluster (immutable; rebuilt on reload)."""

    namespaces: tuple[Named, ...] = ()
    pod_labels: LabelIndex = field(default_factory=dict)
    namespace_labels: LabelIndex = field(default_factory=dict)
    pods: tuple[Named, ...] = ()
    services: tuple[Named, ...] = ()
    policies: tuple[Named, ...] = ()
    ports: tuple[Named, ...] = ()
    variables: tuple[str, ...] = ()

    @classmethod
    def from_model(cls, model: ClusterModel, variables: Iterable[str] = ()) -> Catalog:
        """Index a loaded cluster model (and the names of the variables bound so far)."""
        return cls(
            namespaces=_namespaces(model),
            pod_labels=_label_index(p.labels for p in model.pods),
            namespace_labels=_label_index(
                model.namespace_labels(name) for name in _namespace_names(model)
            ),
            pods=tuple(Named(f"{p.namespace}/{p.name}", p.kind) for p in _unique_pods(model.pods)),
            services=tuple(Named(f"{s.namespace}/{s.name}", "Service") for s in model.services),
            policies=tuple(
                Named(f"{p.namespace}/{p.name}", "NetworkPolicy") for p in model.policies
            ),
            ports=_ports(model.pods),
            variables=tuple(sorted(variables)),
        )


def _namespace_names(model: ClusterModel) -> list[str]:
    names = set(model.namespaces) | {p.namespace for p in model.pods}
    return sorted(names)


def _namespaces(model: ClusterModel) -> tuple[Named, ...]:
    counts = Counter(p.namespace for p in model.pods)
    return tuple(Named(name, count(counts[name], "pod")) for name in _namespace_names(model))


def _label_index(label_sets: Iterable[Mapping[str, str]]) -> dict[str, dict[str, int]]:
    index: dict[str, Counter[str]] = {}
    for labels in label_sets:
        for key, value in labels.items():
            index.setdefault(key, Counter())[value] += 1
    return {key: dict(sorted(values.items())) for key, values in sorted(index.items())}


def _unique_pods(pods: Iterable[Pod]) -> list[Pod]:
    seen: dict[str, Pod] = {}
    for pod in pods:
        seen.setdefault(f"{pod.namespace}/{pod.name}", pod)
    return list(seen.values())


def _ports(pods: Iterable[Pod]) -> tuple[Named, ...]:
    """Named container ports first (with their numbers), then the numbers themselves."""
    named: dict[str, set[str]] = {}
    numbers: set[int] = set()
    for pod in pods:
        for port in pod.ports:
            numbers.add(port.port)
            if port.name:
                named.setdefault(port.name, set()).add(f"{port.port}/{port.protocol.value}")
    out = [Named(name, ", ".join(sorted(where))) for name, where in sorted(named.items())]
    return tuple(out + [Named(str(n), "container port") for n in sorted(numbers)])


def count(n: int, noun: str) -> str:
    """``1 pod``, ``3 pods``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
