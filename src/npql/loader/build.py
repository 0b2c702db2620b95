"""Assembling the Cluster: dispatch by kind, owner collapse, duplicates, namespaces."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from npql.errors import Location, Problem
from npql.gcpause import gc_paused
from npql.loader.cache import ParseCache
from npql.loader.documents import RawObject, objects, parse_source
from npql.loader.fields import Fields
from npql.loader.kinds import Handling, classify
from npql.loader.limits import Limits, ObjectBudget
from npql.loader.meta import Meta, describe_object, parse_meta
from npql.loader.namespaces import implicit_namespace, namespace_object
from npql.loader.policies import parse_policy
from npql.loader.reading import Source
from npql.loader.report import Report, Where
from npql.loader.schema import check_types
from npql.loader.services import parse_service
from npql.loader.tiered import parse_tiered
from npql.loader.workloads import pod_object, workload_pod
from npql.model import Cluster, Namespace, NetworkPolicy, Pod, Service
from npql.model.tiered import TieredPolicy
from npql.progress import BYTES, tracker

EndpointKey = tuple[str, str, str]


def build_cluster(
    sources: Iterable[Source],
    report: Report,
    limits: Limits | None = None,
    *,
    parse_cache: ParseCache | None = None,
) -> Cluster:
    """Read every object of ``sources``; raise one LoadError if any error was found.

    Reading stops at the first object past ``limits.max_objects``. ``parse_cache`` reuses the
    documents of files whose text it parsed before (a reload).
    """
    parse = parse_source if parse_cache is None else parse_cache.parse
    budget = ObjectBudget((limits or Limits()).max_objects, report)
    collector = Collector(report)
    sources = list(sources)  # read twice: sized for the progress bar first
    tracker.start("loading manifests", sum(len(s.text) for s in sources), BYTES)
    with gc_paused():  # the model is acyclic and lives on: collections would only rescan it
        for source in sources:
            for document in parse(source, report, budget):
                for raw in objects(document, report, budget):
                    collector.add(raw)
            tracker.advance(len(source.text))
            if budget.exhausted:
                break
    report.raise_if_errors()
    return collector.cluster()


@dataclass
class Collector:
    """The objects read so far, merged as the Cluster wants them."""

    report: Report
    declared: dict[str, Namespace] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    endpoints: dict[EndpointKey, Pod] = field(default_factory=dict)
    ips: dict[EndpointKey, dict[str, None]] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    policies: list[NetworkPolicy] = field(default_factory=list)
    tiered: list[TieredPolicy] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    unmodelled: Counter[str] = field(default_factory=Counter)
    seen: dict[tuple[str, str | None, str], Location] = field(default_factory=dict)

    def add(self, raw: RawObject) -> None:
        """Take in one object."""
        kind = classify(raw.kind, raw.api_version)
        if kind.handling is Handling.SKIPPED:
            self.skipped[kind.key] += 1
        elif kind.handling is Handling.UNMODELLED:
            self._unmodelled(raw, kind.key)
        else:
            self._modelled(raw, kind.handling)

    def _unmodelled(self, raw: RawObject, key: str) -> None:
        self.unmodelled[key] += 1
        if self.report.strict:
            message = f"{key} is a kind of network policy that npql does not model yet"
            obj = describe_object(raw.kind, raw.data)
            self.report.error(Problem(message, raw.location, obj))

    def _modelled(self, raw: RawObject, handling: Handling) -> None:
        where = Where(self.report, raw.location, describe_object(raw.kind, raw.data))
        obj = Fields(raw.data, where)
        meta = parse_meta(obj, namespaced=handling is not Handling.NAMESPACE)
        if meta is not None and self._first(raw, meta, where):
            _HANDLERS[handling](self, obj, raw, meta)
        check_types(obj, raw.kind)

    def _first(self, raw: RawObject, meta: Meta, where: Where) -> bool:
        """Whether this is the first object of its kind and name (else warn: duplicate)."""
        key = (raw.kind, meta.namespace, meta.name)
        first = self.seen.get(key)
        if first is not None:
            where.warn(f"duplicate {raw.kind}: the first one ({first}) is kept")
            return False
        self.seen[key] = raw.location
        return True

    def _namespace(self, obj: Fields, raw: RawObject, meta: Meta) -> None:
        self.declared[meta.name] = namespace_object(obj, meta, raw.location)

    def _pod(self, obj: Fields, raw: RawObject, meta: Meta) -> None:
        self._endpoint(pod_object(obj, meta, raw.location), obj.where)

    def _workload(self, obj: Fields, raw: RawObject, meta: Meta) -> None:
        self._endpoint(workload_pod(obj, raw.kind, meta, raw.location), obj.where)

    def _service(self, obj: Fields, raw: RawObject, meta: Meta) -> None:
        service = parse_service(obj, meta, raw.location)
        if service is not None:
            self.services.append(service)
            self.used.add(service.namespace)

    def _policy(self, obj: Fields, raw: RawObject, meta: Meta) -> None:
        namespace = meta.namespace or ""
        self.policies.append(parse_policy(obj, namespace, meta.name, raw.location))
        self.used.add(namespace)

    def _tiered(self, obj: Fields, raw: RawObject, meta: Meta) -> None:
        policy = parse_tiered(obj, raw.kind, meta.name, raw.location)
        if policy is not None:
            self.tiered.append(policy)

    def _endpoint(self, pod: Pod | None, where: Where) -> None:
        if pod is None:
            return
        key = (pod.namespace, pod.kind, pod.name)
        first = self.endpoints.get(key)
        if first is None:
            self.endpoints[key] = pod
            self.ips[key] = dict.fromkeys(pod.ips)
        else:
            self.endpoints[key] = merge_endpoints(first, pod, where)
            self.ips[key].update(dict.fromkeys(pod.ips))
        self.used.add(pod.namespace)

    def _pods(self) -> tuple[Pod, ...]:
        """The endpoints, each with the IPs of all its pods (gathered without quadratic cost)."""
        return tuple(
            replace(pod, ips=tuple(self.ips[key])) if len(self.ips[key]) != len(pod.ips) else pod
            for key, pod in self.endpoints.items()
        )

    def cluster(self) -> Cluster:
        """The Cluster of everything taken in."""
        return Cluster(
            namespaces=self._namespaces(),
            pods=self._pods(),
            policies=tuple(self.policies),
            services=tuple(self.services),
            tiered=tuple(self.tiered),
            warnings=self.report.all_warnings(),
            skipped=dict(self.skipped),
            unmodelled=dict(self.unmodelled),
        )

    def _namespaces(self) -> dict[str, Namespace]:
        names = sorted(self.used | set(self.declared))
        return {n: self.declared.get(n) or implicit_namespace(n) for n in names}


Handler = Callable[[Collector, Fields, RawObject, Meta], None]
_HANDLERS: dict[Handling, Handler] = {
    Handling.NAMESPACE: Collector._namespace,
    Handling.POD: Collector._pod,
    Handling.WORKLOAD: Collector._workload,
    Handling.SERVICE: Collector._service,
    Handling.POLICY: Collector._policy,
    Handling.TIERED: Collector._tiered,
}


def merge_endpoints(first: Pod, other: Pod, where: Where) -> Pod:
    """Pods of one owner are one endpoint: the first one's labels and ports.

    The IPs of every pod are gathered by the Collector.
    """
    if dict(first.labels) != dict(other.labels):
        where.warn(
            f"{_pod_label(first)} and {_pod_label(other)} have the same owner "
            f"{first.kind} {first.namespace}/{first.name} but different labels; "
            f"the labels of {_pod_label(first)} are used"
        )
    return replace(first, pod_name=first.pod_name or other.pod_name)


def _pod_label(pod: Pod) -> str:
    return f"pod {pod.pod_name}" if pod.pod_name else f"the pod template of {pod.kind} {pod.name}"
