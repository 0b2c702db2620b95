"""``lint``: findings about the policies, each with a code, a severity, a message and file:line.

| code | severity | finding |
|---|---|---|
| NPQL001 | warning | a policy selects no loaded pod |
| NPQL002 | warning | a peer matches no loaded pod, or its namespaceSelector no namespace |
| NPQL003 | warning | a named port that no pod it could apply to declares |
| NPQL004 | warning | egress isolation that blocks DNS (UDP/TCP 53 to kube-system) |
| NPQL005 | warning | podSelector and namespaceSelector as two adjacent peers (OR) where one   |
|         |         | peer (AND) was probably meant |
| NPQL006 | info | a workload no policy isolates (and no cluster-scoped policy applies to) |
| NPQL007 | warning | ``namespaceSelector: {}`` admitting every pod of the cluster |
| NPQL008 | info | a direction in policyTypes without rules, in a policy with rules of the |
|         |      | other direction: deny-all there (no rules at all: a deliberate default-deny) |
| NPQL009 | warning | rules of a direction not in policyTypes: ignored |
| NPQL010 | info | an ipBlock containing loaded pods' IPs (plugin-dependent) |

Checks against loaded pods (001-004, 006) are skipped, with a warning, when no workload is
loaded. No solver is involved.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from npql.api.resolve import selector_hints
from npql.compare.locate import Step, locate, peer_steps, port_steps
from npql.compare.results import LintFinding, LintResult
from npql.errors import Location
from npql.fastpath import BitsetEngine
from npql.ir.addresses import address_value, block_ranges
from npql.ir.groups import Grouping, PodGroup
from npql.model.cluster import Cluster as Model
from npql.model.objects import Pod, Protocol
from npql.model.policy import Direction, NetworkPolicy, Peer, Rule
from npql.model.ports import PortSet

if TYPE_CHECKING:
    from npql.api.cluster import Cluster

DNS_NAMESPACE = "kube-system"
#: Namespaces every cluster has, whether or not the manifests declare them.
BUILTIN_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
DNS_LABELS = {"k8s-app": "kube-dns"}
SEVERITIES = ("error", "warning", "info")


class _Linter:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.model: Model = cluster.model
        self.findings: list[LintFinding] = []

    def add(
        self,
        code: str,
        severity: str,
        message: str,
        policy: NetworkPolicy | None,
        obj: str,
        *steps: Step,
        location: Location | None = None,
    ) -> None:
        if policy is not None:
            location = locate(policy, *steps) if steps else policy.location
        self.findings.append(LintFinding(code, severity, message, obj, location))

    def rules(self) -> Iterator[tuple[NetworkPolicy, Direction, int, Rule]]:
        for policy in self.model.policies:
            for direction in (Direction.INGRESS, Direction.EGRESS):
                for r, rule in enumerate(policy.rules(direction)):
                    yield policy, direction, r, rule

    def selected(self, policy: NetworkPolicy) -> list[Pod]:
        return [
            p
            for p in self.model.pods
            if p.namespace == policy.namespace and policy.pod_selector.matches(p.labels)
        ]

    def peer_pods(self, policy: NetworkPolicy, peer: Peer) -> list[Pod]:
        if peer.ip_block is not None:
            return []
        out = []
        for pod in self.model.pods:
            if peer.namespace_selector is None:
                if pod.namespace != policy.namespace:
                    continue
            elif not peer.namespace_selector.matches(self.model.namespace_labels(pod.namespace)):
                continue
            if peer.pod_selector is None or peer.pod_selector.matches(pod.labels):
                out.append(pod)
        return out

    # -- the checks ---------------------------------------------------------------------------

    def selects_nothing(self) -> None:
        for policy in self.model.policies:
            if not self.selected(policy):
                self.add(
                    "NPQL001",
                    "warning",
                    f"selects no pod: no pod in namespace {policy.namespace} matches "
                    f"podSelector {policy.pod_selector}",
                    policy,
                    policy.ident,
                    "podSelector",
                )

    def peers_match_nothing(self) -> None:
        for policy, direction, r, rule in self.rules():
            for i, peer in enumerate(rule.peers):
                if peer.ip_block is not None:
                    continue
                steps = peer_steps(direction, r, i)
                obj = f"{policy.rule_id(direction, r)}.{steps[2]}[{i}]"
                spaces = peer.namespace_selector
                names = sorted(set(self.model.namespaces) | set(BUILTIN_NAMESPACES))
                matching = (
                    [n for n in names if spaces.matches(self.model.namespace_labels(n))]
                    if spaces is not None
                    else [policy.namespace]
                )
                if not matching:
                    self.add(
                        "NPQL002",
                        "warning",
                        f"namespaceSelector {spaces} matches no namespace",
                        policy,
                        obj,
                        *steps,
                    )
                    continue
                if self.peer_pods(policy, peer) or (
                    spaces is not None
                    and any(
                        n in BUILTIN_NAMESPACES
                        and not any(p.namespace == n for p in self.model.pods)
                        for n in matching
                    )
                ):
                    continue  # some pod matches, or may run in a namespace no manifest fills
                where = (
                    f"namespace {policy.namespace}"
                    if spaces is None
                    else f"namespaces with {spaces}"
                )
                pods = peer.pod_selector
                if pods is None or pods.is_empty:
                    message = f"matches no pod: no pod runs in {where}"
                    hints = []
                else:
                    message = f"matches no pod: no pod in {where} has {pods}"
                    hints = selector_hints(self.model, pods)
                if hints:
                    message += f" ({'; '.join(hints)})"
                self.add("NPQL002", "warning", message, policy, obj, *steps)

    def named_ports(self) -> None:
        for policy, direction, r, rule in self.rules():
            if direction not in policy.policy_types:
                continue
            for k, port in enumerate(rule.ports):
                if not isinstance(port.port, str):
                    continue
                if direction is Direction.INGRESS:
                    pods, role = self.selected(policy), "selected pod"
                elif rule.peers:
                    pods = [p for peer in rule.peers for p in self.peer_pods(policy, peer)]
                    role = "destination pod"
                else:
                    pods, role = list(self.model.pods), "pod"
                if not pods:
                    pods, role = list(self.model.pods), "pod"
                if any(
                    c.name == port.port and c.protocol is port.protocol
                    for p in pods
                    for c in p.ports
                ):
                    continue
                names = sorted({c.name for p in pods for c in p.ports if c.name})
                close = difflib.get_close_matches(port.port, names, n=3)
                hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                self.add(
                    "NPQL003",
                    "warning",
                    f"named port {port.port!r} ({port.protocol.value}): no {role} declares "
                    f"it, so this entry matches nothing{hint}",
                    policy,
                    f"{policy.rule_id(direction, r)}.ports[{k}]",
                    *port_steps(direction, r, k),
                )

    def dns(self) -> None:
        engine, targets = self._dns_engine()
        groups = self.cluster.grouping.groups
        blocked: dict[str, list[str]] = {}
        protocols: dict[str, set[str]] = {}
        policies = {p.ident: p for p in self.model.policies}
        for group in groups:
            if not engine.isolated(group.index, Direction.EGRESS):
                continue
            allowed = PortSet.none()
            for t in targets:
                allowed = allowed.union(engine.egress(group.index, t))
            missing = [p.value for p in (Protocol.UDP, Protocol.TCP) if not allowed.contains(p, 53)]
            if not missing:
                continue
            for pod in group.pods:
                for policy in self.model.policies_selecting(pod, Direction.EGRESS):
                    blocked.setdefault(policy.ident, []).append(pod.workload)
                    protocols.setdefault(policy.ident, set()).update(missing)
        for ident, workloads in blocked.items():
            which = " and ".join(sorted(protocols[ident], reverse=True))
            severity = "warning" if "UDP" in protocols[ident] else "info"
            self.add(
                "NPQL004",
                severity,
                f"egress isolation blocks DNS: {which} 53 to namespace {DNS_NAMESPACE} is not "
                f"allowed for {', '.join(sorted(set(workloads)))}; allow egress to "
                f"{DNS_NAMESPACE} on UDP and TCP 53",
                policies[ident],
                ident,
                "policyTypes",
            )

    def _dns_engine(self) -> tuple[BitsetEngine, list[int]]:
        """The bitset engine, and the groups of DNS servers: loaded kube-system pods serving port
        53, or else a stand-in CoreDNS pod (k8s-app=kube-dns, dns UDP 53, dns-tcp TCP 53)."""
        grouping = self.cluster.grouping
        servers = [
            g.index
            for g in grouping.groups
            if g.namespace == DNS_NAMESPACE and any(c.port == 53 for p in g.pods for c in p.ports)
        ]
        if servers:
            return self.cluster.bitsets, servers
        stand_in = PodGroup(
            index=len(grouping.groups),
            namespace=DNS_NAMESPACE,
            labels=dict(DNS_LABELS),
            namespace_labels=self.model.namespace_labels(DNS_NAMESPACE),
            named_ports={("dns", Protocol.UDP): 53, ("dns-tcp", Protocol.TCP): 53},
        )
        engine = BitsetEngine(
            Grouping((*grouping.groups, stand_in), grouping.group_of),
            self.cluster.policies,
            ipblocks_match_pod_ips=self.cluster.options.ipblocks_match_pod_ips,
        )
        return engine, [stand_in.index]

    def and_or(self) -> None:
        for policy, direction, r, rule in self.rules():
            for i in range(len(rule.peers) - 1):
                a, b = rule.peers[i], rule.peers[i + 1]
                if not ((_pod_only(a) and _ns_only(b)) or (_ns_only(a) and _pod_only(b))):
                    continue
                pods = a.pod_selector if _pod_only(a) else b.pod_selector
                spaces = a.namespace_selector if _ns_only(a) else b.namespace_selector
                steps = peer_steps(direction, r, i)
                self.add(
                    "NPQL005",
                    "warning",
                    f"two peers (OR): pods with {pods} in namespace {policy.namespace}, or every "
                    f"pod of namespaces with {spaces}; if pods with {pods} in those namespaces "
                    "was meant (AND), make them one peer (no '-' before the second selector)",
                    policy,
                    f"{policy.rule_id(direction, r)}.{steps[2]}[{i}]",
                    *steps,
                )

    def unisolated(self) -> None:
        engine = self.cluster.bitsets
        for group in self.cluster.grouping.groups:
            if engine.isolated(group.index, Direction.INGRESS):
                continue
            if engine.isolated(group.index, Direction.EGRESS):
                continue
            if any(
                t.subject_namespaces.matches(group.namespace_labels)
                and (t.subject_pods is None or t.subject_pods.matches(group.labels))
                for t in self.model.tiered
            ):
                continue  # a cluster-scoped policy applies to it
            for pod in group.pods:
                self.add(
                    "NPQL006",
                    "info",
                    "no policy isolates it: all its ingress and egress is allowed",
                    None,
                    pod.workload,
                    location=pod.location,
                )

    def whole_cluster(self) -> None:
        for policy, direction, r, rule in self.rules():
            for i, peer in enumerate(rule.peers):
                spaces, pods = peer.namespace_selector, peer.pod_selector
                if (
                    spaces is None
                    or not spaces.is_empty
                    or (pods is not None and not pods.is_empty)
                ):
                    continue
                steps = peer_steps(direction, r, i)
                word = "from" if direction is Direction.INGRESS else "to"
                self.add(
                    "NPQL007",
                    "warning",
                    f"namespaceSelector {{}} admits every pod of every namespace (the whole "
                    f"cluster) {word} the selected pods; for this namespace only, use "
                    "podSelector {}",
                    policy,
                    f"{policy.rule_id(direction, r)}.{steps[2]}[{i}]",
                    *steps,
                )

    def directions(self) -> None:
        for policy in self.model.policies:
            for direction in (Direction.INGRESS, Direction.EGRESS):
                word = direction.value.lower()
                rules = policy.rules(direction)
                mixed = any(policy.rules(d) for d in policy.policy_types)
                if direction in policy.policy_types and not rules and mixed:
                    self.add(
                        "NPQL008",
                        "info",
                        f"{direction.value} is in policyTypes but has no rules: all {word} of "
                        "the selected pods is denied unless another policy allows it",
                        policy,
                        policy.ident,
                        "policyTypes",
                    )
                elif direction not in policy.policy_types and rules:
                    count = "1 rule" if len(rules) == 1 else f"{len(rules)} rules"
                    self.add(
                        "NPQL009",
                        "warning",
                        f"{count} of {word} ignored: {direction.value} is not in policyTypes",
                        policy,
                        policy.ident,
                        word,
                    )

    def blocks_with_pods(self) -> None:
        addresses = [(p, address_value(ip)) for p in self.model.pods for ip in p.ips]
        if not addresses:
            return
        matched = self.cluster.options.ipblocks_match_pod_ips
        for policy, direction, r, rule in self.rules():
            for i, peer in enumerate(rule.peers):
                block = peer.ip_block
                if block is None:
                    continue
                ranges = block_ranges(block.cidr, block.excepts)
                inside = sorted(
                    {p.workload for p, (v, a) in addresses for rng in ranges if rng.contains(v, a)}
                )
                if not inside:
                    continue
                steps = peer_steps(direction, r, i)
                effect = (
                    "npql lets it match them (--ipblocks-match-pod-ips)"
                    if matched
                    else "npql assumes it does not match them (--ipblocks-match-pod-ips: it does)"
                )
                self.add(
                    "NPQL010",
                    "info",
                    f"ipBlock {block.cidr} contains the IPs of {', '.join(inside)}: whether an "
                    f"ipBlock matches pods depends on the network plugin; {effect}",
                    policy,
                    f"{policy.rule_id(direction, r)}.{steps[2]}[{i}]",
                    *steps,
                )


def _pod_only(peer: Peer) -> bool:
    return (
        peer.pod_selector is not None and peer.namespace_selector is None and peer.ip_block is None
    )


def _ns_only(peer: Peer) -> bool:
    return (
        peer.namespace_selector is not None and peer.pod_selector is None and peer.ip_block is None
    )


def _sort_key(f: LintFinding) -> tuple[str, int, str, str]:
    location = f.location
    path = location.path if location is not None else "~"
    line = location.line if location is not None and location.line is not None else 0
    return (path, line, f.code, f.obj)


def lint(cluster: Cluster) -> LintResult:
    """Every finding, in file and line order."""
    linter = _Linter(cluster)
    warnings = list(cluster.warnings)
    if cluster.model.pods:
        linter.selects_nothing()
        linter.peers_match_nothing()
        linter.named_ports()
        linter.dns()
        linter.unisolated()
    else:
        warnings.append(
            "no workload loaded: the checks against loaded pods (NPQL001-004, NPQL006) were "
            "skipped; load the workloads with the policies"
        )
    linter.and_or()
    linter.whole_cluster()
    linter.directions()
    linter.blocks_with_pods()
    findings = sorted(linter.findings, key=_sort_key)
    return LintResult("lint", tuple(findings), tuple(dict.fromkeys(warnings)))
