"""Shared helpers: the example versions, the reference oracle on both versions, witnesses."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from pathlib import Path

from hypothesis import strategies as st

import npql
from npql.api.cluster import Cluster
from npql.compare.results import NEW, OLD, PairChange, PossibleChange
from npql.model import ALL_PROTOCOLS, NAMESPACE_NAME_LABEL, Namespace, Pod, Protocol
from npql.model import Cluster as Model
from reference import Endpoint, External, allowed
from strategies import (
    EXTERNAL_IPS,
    NAMESPACE_LABEL_KEYS,
    NAMESPACE_LABEL_VALUES,
    PROBE_PORTS,
    Draw,
    clusters,
    network_policies,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "compare"


def example(name: str) -> Cluster:
    """One of examples/compare/*."""
    return npql.load(str(EXAMPLES / name))


def endpoint(model: Model, end: Pod | str) -> Endpoint:
    """A witness end (pod or address text) for the reference evaluator."""
    return External(end) if isinstance(end, str) else end


def check_possible(old: Model, new: Model, p: PossibleChange, *, pod_ips: bool = False) -> None:
    """The witness, made real in each version, is allowed by one version and not the other, on
    its port and on the ends of every changed range (reference evaluator)."""
    probes = {(p.protocol, p.port)}
    for proto, ranges in p.ports.ranges.items():
        for lo, hi in ranges:
            probes |= {(proto, lo), (proto, hi)}
    assert p.ports.contains(p.protocol, p.port)
    versions = {}
    for name, model in ((OLD, old), (NEW, new)):
        updated, src, dst = p.apply(model, name)
        versions[name] = (updated, endpoint(updated, src), endpoint(updated, dst))
    for proto, port in sorted(probes, key=lambda x: (x[0].value, x[1])):
        verdicts = {
            name: allowed(m, s, d, port, proto, ipblocks_match_pod_ips=pod_ips)
            for name, (m, s, d) in versions.items()
        }
        assert verdicts[p.allowing], (p, proto, port)
        assert not verdicts[OLD if p.allowing == NEW else NEW], (p, proto, port)


def covering(changes: list[PairChange], src: str, dst: str) -> PairChange | None:
    """The change for a pair of endpoints: workloads by ``ns/name[Kind]``, an address by IP."""

    def matches(ref_text: str, cidr: str | None, wanted: str) -> bool:
        if cidr is None:
            return ref_text == wanted
        try:
            address = ipaddress.ip_address(wanted)
        except ValueError:
            return False
        nets = [ipaddress.ip_network(c.strip()) for c in cidr.split(",")]
        return any(address in n for n in nets)

    found = [
        c
        for c in changes
        if matches(str(c.source), c.source.cidr, src) and matches(str(c.target), c.target.cidr, dst)
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def check_existing(
    old: Model, new: Model, changes: list[PairChange], *, pod_ips: bool = False
) -> None:
    """Every existing pair and (pod, probe address) pair: the change listed for it is exactly
    what the reference evaluator says changed, on every probe port and protocol."""
    old_pods = {p.workload: p for p in old.pods}
    new_pods = {p.workload: p for p in new.pods}
    common = sorted(set(old_pods) & set(new_pods))
    pairs: list[tuple[str, str, Endpoint, Endpoint, Endpoint, Endpoint]] = []
    for s in common:
        for d in common:
            if s != d:
                pairs.append((s, d, old_pods[s], old_pods[d], new_pods[s], new_pods[d]))
        for ip in EXTERNAL_IPS:
            ext = External(ip)
            pairs.append((ip, s, ext, old_pods[s], ext, new_pods[s]))
            pairs.append((s, ip, old_pods[s], ext, new_pods[s], ext))
    for src, dst, os_, od, ns_, nd in pairs:
        change = covering(changes, src, dst)
        for proto in ALL_PROTOCOLS:
            for port in PROBE_PORTS:
                before = allowed(old, os_, od, port, proto, ipblocks_match_pod_ips=pod_ips)
                after = allowed(new, ns_, nd, port, proto, ipblocks_match_pod_ips=pod_ips)
                if change is None:
                    assert before == after, (src, dst, proto, port)
                    continue
                assert change.before.contains(proto, port) == before, (src, dst, proto, port)
                assert change.after.contains(proto, port) == after, (src, dst, proto, port)
                assert change.added.contains(proto, port) == (after and not before)
                assert change.removed.contains(proto, port) == (before and not after)


def augment(model: Model, extra: Model) -> Model:
    """``model`` plus the pods of ``extra`` (renamed apart), in their namespaces: namespaces
    ``model`` lacks come with ``extra``'s labels; the others keep ``model``'s."""
    namespaces = dict(model.namespaces)
    for name, ns in extra.namespaces.items():
        namespaces.setdefault(name, ns)
    pods = [
        replace(p, name=f"{p.name}-extra", pod_name=f"{p.name}-extra", ips=()) for p in extra.pods
    ]
    return replace(model, namespaces=namespaces, pods=model.pods + tuple(pods))


@st.composite
def versions(draw: Draw, base: st.SearchStrategy[Model] | None = None) -> tuple[Model, Model]:
    """A random cluster and a second version of it: the same pods (and cluster-scoped
    policies), other NetworkPolicies, and sometimes other namespace labels."""
    old: Model = draw(base if base is not None else clusters())
    names = sorted(old.namespaces)
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(names), st.sampled_from(["np0", "np1", "np2"])),
            max_size=4,
            unique=True,
        )
    )
    keep = draw(st.lists(st.booleans(), min_size=len(old.policies), max_size=len(old.policies)))
    policies = [p for p, k in zip(old.policies, keep, strict=True) if k]
    taken = {(p.namespace, p.name) for p in policies}
    policies += [draw(network_policies(ns, n)) for ns, n in keys if (ns, n) not in taken]
    namespaces = dict(old.namespaces)
    if draw(st.booleans()):
        name = draw(st.sampled_from(names))
        labels = draw(
            st.dictionaries(
                st.sampled_from(NAMESPACE_LABEL_KEYS), st.sampled_from(NAMESPACE_LABEL_VALUES)
            )
        )
        namespaces[name] = Namespace(name, {**labels, NAMESPACE_NAME_LABEL: name})
    new = replace(old, namespaces=namespaces, policies=tuple(policies))
    return old, new


__all__ = [
    "ALL_PROTOCOLS",
    "EXAMPLES",
    "Protocol",
    "augment",
    "check_existing",
    "check_possible",
    "covering",
    "example",
    "versions",
]
