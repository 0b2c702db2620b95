"""Two versions of a policy set in one solver, over the same symbolic pods.

Each version is encoded with its own tag (``old-`` / ``new-``) and one shared vocabulary, so a
label value or namespace name has the same integer on both sides. Linking constraints then say
that both versions look at the *same* connection: the same source and destination (pod or
address, namespace, every pod label, IP, named container ports) on the same port and protocol.

Namespace labels stay per version where a version defines the namespace — a namespace's labels
may change between versions, and each version's structure facts tie them to its own namespaces.
Where neither version defines it (a namespace nobody has created yet), or only one does (it is
created by the change, or removed by it), both versions see the same labels.

Only pods that need not exist (group ``HYPOTHETICAL``) and external addresses are compared:
existing groups are numbered per version, and a hypothetical pod can take any label set an
existing pod has, so nothing is lost.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import z3

from npql.encode.encoding import Encoding
from npql.encode.endpoint import EXTERNAL, HYPOTHETICAL, SymEndpoint
from npql.encode.terms import And, Implies, Or
from npql.encode.vocabulary import Vocabulary
from npql.ir.addresses import IPRange
from npql.ir.groups import Grouping
from npql.ir.policies import AddressPeer, PolicySet
from npql.ir.sides import Hypothetical
from npql.model.cluster import Cluster
from npql.model.objects import Pod, Protocol


@dataclass(frozen=True)
class Version:
    """One version of the manifests, as the engines read it."""

    model: Cluster
    policies: PolicySet
    grouping: Grouping
    ipblocks_match_pod_ips: bool = False

    def encode(self, *, tag: str = "", vocab: Vocabulary | None = None) -> Encoding:
        """This version's encoding."""
        return Encoding(
            self.model,
            self.policies,
            self.grouping,
            ipblocks_match_pod_ips=self.ipblocks_match_pod_ips,
            tag=tag,
            vocab=vocab,
        )

    def addresses_matter(self) -> bool:
        """Whether a pod's IP can change a decision: ipBlocks match pod IPs (plugin option),
        or a cluster-scoped ``networks`` peer (which always does) exists."""
        return self.ipblocks_match_pod_ips or any(
            isinstance(peer, AddressPeer) and peer.pods_too
            for rule in self.policies.tiers
            for peer in rule.peers
        )

    def defined_namespaces(self) -> frozenset[str]:
        """Namespaces whose labels this version's structure facts fix."""
        return frozenset(self.model.namespaces) | {g.namespace for g in self.grouping.groups}


@dataclass(frozen=True)
class Space:
    """A solver-free set of endpoints: pods by description, clones of given pods, addresses.

    ``clones`` are pods no selector can tell apart from one of the given pods (same namespace,
    the same value or absence of every label key the policies observe).
    """

    hypothetical: Hypothetical | None = None
    clones: tuple[Pod, ...] = ()
    ranges: tuple[IPRange, ...] = ()


def hypothetical_address_facts(enc: Encoding, start: int = 0) -> list[z3.BoolRef]:
    """A hypothetical pod's ipBlock membership follows its IP variable (blocks from ``start``).

    The encoding leaves it free (no existing pod fixes it); comparisons need it consistent.
    """
    facts: list[z3.BoolRef] = []
    for index in range(start, len(enc.blocks)):
        for ep in (enc.src, enc.dst):
            member = ep.in_block(index) == enc.address_in(ep, enc.blocks[index])
            facts.append(Implies(ep.group == HYPOTHETICAL, member))
    return facts


def endpoint_domain(enc: Encoding, ep: SymEndpoint) -> z3.BoolRef:
    """The endpoint is a pod that need not exist, or an external address."""
    return Or(enc.is_hypothetical(ep), ep.group == EXTERNAL)


_DOMAINS: weakref.WeakKeyDictionary[Encoding, tuple[int, z3.BoolRef]] = weakref.WeakKeyDictionary()


def pair_domain(enc: Encoding) -> z3.BoolRef:
    """Source and destination in the symbolic domain, not both external addresses.

    Kept per encoding while its vocabulary does not grow (it spells out every namespace name).
    """
    cached = _DOMAINS.get(enc)
    if cached is not None and cached[0] == len(enc.vocab):
        return cached[1]
    domain = And(
        endpoint_domain(enc, enc.src),
        endpoint_domain(enc, enc.dst),
        Or(enc.src.is_pod, enc.dst.is_pod),
    )
    _DOMAINS[enc] = (len(enc.vocab), domain)
    return domain


class Linked:
    """Two encodings in one vocabulary, with the facts that make them see one connection.

    ``facts`` grows as either encoding meets new label keys, named ports or address blocks:
    call :meth:`sync` after building constraints and before checking them.
    """

    def __init__(self, old: Version, new: Version) -> None:
        self.vocab = Vocabulary()
        self.versions = (old, new)
        self.old = old.encode(tag="old-", vocab=self.vocab)
        self.new = new.encode(tag="new-", vocab=self.vocab)
        self.facts: list[z3.BoolRef] = [
            self.old.port == self.new.port,
            self.old.protocol == self.new.protocol,
        ]
        for a, b in self.endpoints():
            self.facts += [
                a.is_pod == b.is_pod,
                (a.group == HYPOTHETICAL) == (b.group == HYPOTHETICAL),
                a.namespace == b.namespace,
                a.ip == b.ip,
                a.ip_v6 == b.ip_v6,
            ]
        both = old.defined_namespaces() & new.defined_namespaces()
        self._shared_ns = sorted(both)
        self._labels: set[str] = set()
        self._ns_labels: set[str] = set()
        self._ports: set[tuple[str, Protocol]] = set()
        self._blocks = [0, 0]
        self.sync()

    def endpoints(self) -> Iterator[tuple[SymEndpoint, SymEndpoint]]:
        """(old, new) variables of the source, then of the destination."""
        yield self.old.src, self.new.src
        yield self.old.dst, self.new.dst

    @property
    def encodings(self) -> tuple[Encoding, Encoding]:
        """(old, new)."""
        return self.old, self.new

    @property
    def literals(self) -> list[z3.BoolRef]:
        """Tracking literals of both encodings: assume them all in every check."""
        return [*self.old.literals, *self.new.literals]

    def sync(self) -> None:
        """Link every label key, namespace label key, named port and block met so far."""
        self._link_labels()
        self._link_namespace_labels()
        self._link_named_ports()
        for i, enc in enumerate(self.encodings):
            self.facts += hypothetical_address_facts(enc, self._blocks[i])
            self._blocks[i] = len(enc.blocks)

    def _new_keys(self, seen: set[str], keys: Iterable[str]) -> list[str]:
        fresh = sorted(set(keys) - seen)
        seen.update(fresh)
        return fresh

    def _link_labels(self) -> None:
        keys = [k for enc in self.encodings for ep in (enc.src, enc.dst) for k in ep.label_keys()]
        for key in self._new_keys(self._labels, keys):
            for enc in self.encodings:
                enc.ensure_label_key(key)
            for a, b in self.endpoints():
                (ha, va), (hb, vb) = a.label(key), b.label(key)
                self.facts += [ha == hb, va == vb]

    def _link_namespace_labels(self) -> None:
        keys = [
            k for enc in self.encodings for ep in (enc.src, enc.dst) for k in ep.ns_label_keys()
        ]
        for key in self._new_keys(self._ns_labels, keys):
            for enc in self.encodings:
                enc.ensure_namespace_key(key)
            for a, b in self.endpoints():
                (ha, va), (hb, vb) = a.ns_label(key), b.ns_label(key)
                unshared = And([a.namespace != self.vocab.intern(n) for n in self._shared_ns])
                self.facts.append(Implies(unshared, And(ha == hb, va == vb)))

    def _link_named_ports(self) -> None:
        keys = {k for enc in self.encodings for k in enc.dst.named_port_keys()}
        keys |= {k for enc in self.encodings for k in enc.src.named_port_keys()}
        for key in sorted(keys - self._ports, key=lambda k: (k[0], k[1].value)):
            self._ports.add(key)
            for enc in self.encodings:
                enc.ensure_named_port(*key)
            for a, b in self.endpoints():
                (ha, na), (hb, nb) = a.named_port(*key), b.named_port(*key)
                self.facts += [ha == hb, na == nb]

    def domain(self) -> z3.BoolRef:
        """Both versions see the same pod-that-need-not-exist or address at each end.

        Built per check: a namespace id is "fresh" relative to the vocabulary's current size.
        """
        return And(pair_domain(self.old), pair_domain(self.new))
