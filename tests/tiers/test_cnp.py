"""Hand-worked scenarios for cluster-scoped policies, from YAML to answers.

Every case loads :data:`BASE` (three namespaces, five Pods) plus a few policies with
``npql.loads`` and asks ``can pod NS/A reach pod NS/B:PORT/PROTO``; the comment on each case
names the rule that decides it. ClusterNetworkPolicy (v1alpha2, tiers Admin and Baseline) first,
then the same ground for AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1).

Each pod-to-pod answer is also checked against tests/reference.py on the loaded model, so these
cases pin the reference evaluator as well. The chain, per direction: admin tier (first matching
rule by priority, then rule order; Pass skips to the next tier), NetworkPolicies (final for pods
they isolate), baseline tier, allow.
"""

from __future__ import annotations

import textwrap

import npql
import reference
from npql.api.cluster import Answer, Cluster
from npql.model import Pod, Protocol

# prod/web   app=web    10.0.1.10  http 8080/TCP, dns 53/UDP
# prod/db    app=db     10.0.1.20  pg 5432/TCP
# dev/client app=client 10.0.2.10
# dev/noip   app=noip   (no status.podIP: networks peers cannot see it)
# monitoring/prom app=prom 10.0.3.10
BASE = """
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {team: sre}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - {name: http, containerPort: 8080}
    - {name: dns, containerPort: 53, protocol: UDP}
status: {podIP: 10.0.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db}}
spec:
  containers:
  - {name: db, image: postgres, ports: [{name: pg, containerPort: 5432}]}
status: {podIP: 10.0.1.20}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: dev, labels: {app: client}}
spec: {containers: [{name: c, image: curl}]}
status: {podIP: 10.0.2.10}
---
apiVersion: v1
kind: Pod
metadata: {name: noip, namespace: dev, labels: {app: noip}}
spec: {containers: [{name: c, image: curl}]}
---
apiVersion: v1
kind: Pod
metadata: {name: prom, namespace: monitoring, labels: {app: prom}}
spec: {containers: [{name: c, image: prometheus}]}
status: {podIP: 10.0.3.10}
"""

CNP = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n"
ANP = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
BANP = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
NP = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"

# NetworkPolicies reused below.
PROD_DENY_INGRESS = (
    NP
    + """
metadata: {name: deny-ingress, namespace: prod}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""
)
PROD_ALLOW_DEV = (
    NP
    + """
metadata: {name: allow-dev, namespace: prod}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}]}]
"""
)
DEV_DENY_EGRESS = (
    NP
    + """
metadata: {name: deny-egress, namespace: dev}
spec: {podSelector: {}, policyTypes: [Egress]}
"""
)


def cluster(*docs: str) -> Cluster:
    """BASE plus policies (each a YAML document)."""
    parts = [BASE] + [textwrap.dedent(d) for d in docs]
    return npql.loads("\n---\n".join(parts))


def ask(c: Cluster, src: str, dst: str, port: str = "8080/tcp") -> Answer:
    return c.query(f"can pod {src} reach pod {dst}:{port}")


def can(c: Cluster, src: str, dst: str, port: str = "8080/tcp") -> bool | None:
    """npql's answer, checked against the reference evaluator on the loaded model first."""
    got = ask(c, src, dst, port).allowed
    number, _, proto = port.partition("/")
    expected = reference.allowed(
        c.model, _pod(c, src), _pod(c, dst), int(number), Protocol(proto.upper() or "TCP")
    )
    assert got == expected, f"npql says {got}, the reference {expected}"
    return got


def _pod(c: Cluster, ref: str) -> Pod:
    namespace, _, name = ref.partition("/")
    (found,) = c.model.find_pods(namespace, name)
    return found


def cnp(
    name: str, tier: str, priority: int, subject: str, ingress: str = "", egress: str = ""
) -> str:
    """A ClusterNetworkPolicy; ``ingress`` / ``egress`` are YAML lists (flow style is fine)."""
    body = f"metadata: {{name: {name}}}\nspec:\n  tier: {tier}\n  priority: {priority}\n"
    body += f"  subject: {subject}\n"
    if ingress:
        body += f"  ingress: {ingress}\n"
    if egress:
        body += f"  egress: {egress}\n"
    return CNP + body


ALL_NS = "{namespaces: {}}"
PROD = "{namespaces: {matchLabels: {env: prod}}}"
DEV = "{namespaces: {matchLabels: {env: dev}}}"
FROM_DEV = "[{namespaces: {matchLabels: {env: dev}}}]"
FROM_ALL = "[{namespaces: {}}]"


# --- ClusterNetworkPolicy: tiers against NetworkPolicies ---------------------------------------


def test_admin_deny_beats_networkpolicy_allow() -> None:
    # prod/allow-dev admits dev, but cnp:block-dev (Admin Deny) decides first.
    c = cluster(
        PROD_ALLOW_DEV,
        cnp("block-dev", "Admin", 10, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False
    # prom is not in dev: no admin rule matches, prod/allow-dev does not admit it -> denied.
    assert can(c, "monitoring/prom", "prod/web") is False


def test_admin_accept_beats_networkpolicy_deny() -> None:
    # prod/deny-ingress isolates prod, but cnp:let-monitoring (Admin Accept) decides first.
    c = cluster(
        PROD_DENY_INGRESS,
        cnp(
            "let-monitoring",
            "Admin",
            10,
            PROD,
            ingress="[{action: Accept, from: [{namespaces: {matchLabels: {team: sre}}}]}]",
        ),
    )
    assert can(c, "monitoring/prom", "prod/db", "5432/tcp") is True
    # dev matches no admin rule: prod/deny-ingress is final.
    assert can(c, "dev/client", "prod/db", "5432/tcp") is False


def test_admin_pass_then_networkpolicy_allows() -> None:
    # cnp:pass-dev passes dev traffic on; prod/allow-dev admits it.
    c = cluster(
        PROD_ALLOW_DEV,
        cnp("pass-dev", "Admin", 10, PROD, ingress=f"[{{action: Pass, from: {FROM_DEV}}}]"),
        cnp("deny-all", "Admin", 20, PROD, ingress=f"[{{action: Deny, from: {FROM_ALL}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is True
    # prom is not passed: cnp:deny-all (priority 20) denies it.
    assert can(c, "monitoring/prom", "prod/web") is False


def test_admin_pass_then_networkpolicy_denies_even_with_baseline_accept() -> None:
    # cnp:pass-dev passes; prod/deny-ingress isolates web and admits nothing: final, so the
    # baseline Accept below never gets a say.
    c = cluster(
        PROD_DENY_INGRESS,
        cnp("pass-dev", "Admin", 10, PROD, ingress=f"[{{action: Pass, from: {FROM_DEV}}}]"),
        cnp("base-ok", "Baseline", 10, PROD, ingress=f"[{{action: Accept, from: {FROM_ALL}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False


def test_pass_without_networkpolicy_reaches_baseline_deny() -> None:
    # cnp:pass-dev passes; nothing isolates prod; cnp:base-deny (Baseline Deny) decides.
    c = cluster(
        cnp("pass-dev", "Admin", 10, PROD, ingress=f"[{{action: Pass, from: {FROM_DEV}}}]"),
        cnp("base-deny", "Baseline", 10, PROD, ingress=f"[{{action: Deny, from: {FROM_ALL}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False


def test_baseline_accept_loses_to_networkpolicy_deny() -> None:
    # prod/deny-ingress isolates prod: the NetworkPolicy tier is final, cnp:base-ok never counts.
    c = cluster(
        PROD_DENY_INGRESS,
        cnp("base-ok", "Baseline", 0, PROD, ingress=f"[{{action: Accept, from: {FROM_ALL}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False


def test_baseline_deny_only_where_no_networkpolicy() -> None:
    # cnp:base-deny (Baseline Deny from dev) decides for un-isolated prod pods ...
    c = cluster(
        cnp("base-deny", "Baseline", 0, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False
    # ... and monitoring matches no baseline rule: the default allows.
    assert can(c, "monitoring/prom", "prod/web") is True
    # ... while prod/allow-dev, once it isolates prod, overrides the baseline.
    c = cluster(
        PROD_ALLOW_DEV,
        cnp("base-deny", "Baseline", 0, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is True


# --- precedence: priorities and rule order ------------------------------------------------------


def test_lower_priority_number_first() -> None:
    # cnp:deny-5 (priority 5) is evaluated before cnp:accept-10 (priority 10): denied.
    c = cluster(
        cnp("accept-10", "Admin", 10, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
        cnp("deny-5", "Admin", 5, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False
    # Swap the priorities: cnp:accept-10 now has priority 1 and decides (over prod isolation).
    c = cluster(
        PROD_DENY_INGRESS,
        cnp("accept-10", "Admin", 1, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
        cnp("deny-5", "Admin", 5, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is True


def test_pass_at_10_skips_deny_at_20() -> None:
    # cnp:pass-10 matches first and skips cnp:deny-20; no NetworkPolicy, no baseline: allowed.
    c = cluster(
        cnp("deny-20", "Admin", 20, PROD, ingress=f"[{{action: Deny, from: {FROM_ALL}}}]"),
        cnp("pass-10", "Admin", 10, PROD, ingress=f"[{{action: Pass, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is True
    # prom is not passed: cnp:deny-20 denies.
    assert can(c, "monitoring/prom", "prod/web") is False


def test_rule_order_within_a_policy() -> None:
    # cnp:ordered: rule 0 accepts TCP 8080, rule 1 denies everything else.
    rules = (
        f"[{{name: web, action: Accept, from: {FROM_ALL},"
        " protocols: [{tcp: {destinationPort: {number: 8080}}}]},"
        f" {{name: rest, action: Deny, from: {FROM_ALL}}}]"
    )
    c = cluster(cnp("ordered", "Admin", 10, PROD, ingress=rules))
    assert can(c, "dev/client", "prod/web", "8080/tcp") is True  # rule 0
    assert can(c, "dev/client", "prod/web", "8081/tcp") is False  # rule 1
    # Reversed: rule 0 (Deny all) shadows the Accept.
    reverse = (
        f"[{{name: rest, action: Deny, from: {FROM_ALL}}},"
        f" {{name: web, action: Accept, from: {FROM_ALL},"
        " protocols: [{tcp: {destinationPort: {number: 8080}}}]}]"
    )
    c = cluster(cnp("ordered", "Admin", 10, PROD, ingress=reverse))
    assert can(c, "dev/client", "prod/web", "8080/tcp") is False


def test_policy_selecting_nothing_passes_the_decision_on() -> None:
    # cnp:staging selects namespaces env=staging (none): prod/allow-dev decides.
    c = cluster(
        PROD_ALLOW_DEV,
        cnp(
            "staging",
            "Admin",
            0,
            "{namespaces: {matchLabels: {env: staging}}}",
            ingress=f"[{{action: Deny, from: {FROM_ALL}}}]",
        ),
    )
    assert can(c, "dev/client", "prod/web") is True
    # cnp:db-only's subject (pods app=db) leaves web to the default, db is denied.
    c = cluster(
        cnp(
            "db-only",
            "Admin",
            0,
            "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}",
            ingress=f"[{{action: Deny, from: {FROM_DEV}}}]",
        ),
    )
    assert can(c, "dev/client", "prod/web") is True
    assert can(c, "dev/client", "prod/db", "5432/tcp") is False


def test_rule_whose_peer_matches_nothing_passes_the_decision_on() -> None:
    # cnp:deny-ghosts' only peer selects pods app=ghost (none): the default allows.
    peers = "[{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: ghost}}}}]"
    c = cluster(cnp("deny-ghosts", "Admin", 0, PROD, ingress=f"[{{action: Deny, from: {peers}}}]"))
    assert can(c, "dev/client", "prod/web") is True


# --- ports --------------------------------------------------------------------------------------


def test_port_number_matches_only_that_port_and_protocol() -> None:
    # cnp:deny-8080 matches TCP 8080 only; other ports and UDP 8080 fall through to the default.
    c = cluster(
        cnp(
            "deny-8080",
            "Admin",
            0,
            PROD,
            ingress=f"[{{action: Deny, from: {FROM_ALL},"
            " protocols: [{tcp: {destinationPort: {number: 8080}}}]}]",
        )
    )
    assert can(c, "dev/client", "prod/web", "8080/tcp") is False
    assert can(c, "dev/client", "prod/web", "8081/tcp") is True
    assert can(c, "dev/client", "prod/web", "8080/udp") is True


def test_port_range_and_whole_protocol() -> None:
    # cnp:ranges: TCP 8000-8999 and every UDP port are denied; the rest falls through.
    c = cluster(
        cnp(
            "ranges",
            "Admin",
            0,
            PROD,
            ingress=f"[{{action: Deny, from: {FROM_ALL}, protocols: ["
            "{tcp: {destinationPort: {range: {start: 8000, end: 8999}}}}, {udp: {}}]}]",
        )
    )
    assert can(c, "dev/client", "prod/web", "8000/tcp") is False
    assert can(c, "dev/client", "prod/web", "8999/tcp") is False
    assert can(c, "dev/client", "prod/web", "9000/tcp") is True
    assert can(c, "dev/client", "prod/web", "7/udp") is False
    assert can(c, "dev/client", "prod/web", "8500/sctp") is True


def test_destination_named_port_resolves_on_the_destination_pod() -> None:
    # cnp:named denies destinationNamedPort http (web's TCP 8080) and dns (web's UDP 53).
    c = cluster(
        PROD_DENY_INGRESS,
        cnp(
            "named",
            "Admin",
            0,
            PROD,
            ingress=f"[{{action: Accept, from: {FROM_ALL},"
            " protocols: [{destinationNamedPort: http}, {destinationNamedPort: dns}]}]",
        ),
    )
    assert can(c, "dev/client", "prod/web", "8080/tcp") is True  # http: cnp:named accepts
    assert can(c, "dev/client", "prod/web", "53/udp") is True  # dns is declared as UDP
    assert can(c, "dev/client", "prod/web", "53/tcp") is False  # not declared: NP denies
    assert can(c, "dev/client", "prod/web", "8080/udp") is False  # http is TCP: NP denies
    # db declares neither name: cnp:named does not match, prod/deny-ingress denies.
    assert can(c, "dev/client", "prod/db", "8080/tcp") is False


# --- networks peers and pod IPs -----------------------------------------------------------------


def test_networks_deny_all_blocks_pods_with_an_ip() -> None:
    # cnp:no-v4 (Admin egress Deny to 0.0.0.0/0) also covers pod-to-pod traffic, to pods whose
    # IP the manifests show (status.podIP): web has one, noip has none.
    c = cluster(
        cnp("no-v4", "Admin", 0, DEV, egress='[{action: Deny, to: [{networks: ["0.0.0.0/0"]}]}]')
    )
    assert can(c, "dev/client", "prod/web") is False
    assert can(c, "dev/client", "dev/noip") is True
    assert c.query("can pod dev/client reach ip 8.8.8.8:443").allowed is False
    # prod is not the subject: its egress is unaffected (dev's ingress has no rules).
    assert can(c, "prod/web", "dev/client") is True


def test_networks_accept_before_deny_all() -> None:
    # cnp:egress: rule 0 accepts 10.0.1.0/24 (prod's pods), rule 1 denies 0.0.0.0/0.
    egress = (
        '[{action: Accept, to: [{networks: ["10.0.1.0/24"]}]},'
        ' {action: Deny, to: [{networks: ["0.0.0.0/0"]}]}]'
    )
    c = cluster(cnp("egress", "Admin", 0, DEV, egress=egress))
    assert can(c, "dev/client", "prod/web") is True  # rule 0: 10.0.1.10
    assert can(c, "dev/client", "monitoring/prom") is False  # rule 1: 10.0.3.10
    assert c.query("can pod dev/client reach ip 10.0.1.99:443").allowed is True  # rule 0


# --- directions ---------------------------------------------------------------------------------


def test_egress_accept_does_not_open_the_destination_ingress() -> None:
    # cnp:dev-out accepts dev's egress to prod; prod/deny-ingress still denies the ingress side.
    c = cluster(
        PROD_DENY_INGRESS,
        cnp("dev-out", "Admin", 0, DEV, egress="[{action: Accept, to: [{namespaces: {}}]}]"),
    )
    assert can(c, "dev/client", "prod/web") is False


def test_ingress_accept_does_not_open_the_source_egress() -> None:
    # cnp:prod-in accepts prod's ingress from dev; dev/deny-egress still denies the egress side.
    c = cluster(
        DEV_DENY_EGRESS,
        cnp("prod-in", "Admin", 0, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False
    # Both sides accepted (cnp:dev-out for dev's egress): allowed.
    c = cluster(
        DEV_DENY_EGRESS,
        PROD_DENY_INGRESS,
        cnp("prod-in", "Admin", 0, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
        cnp("dev-out", "Admin", 0, DEV, egress="[{action: Accept, to: [{namespaces: {}}]}]"),
    )
    assert can(c, "dev/client", "prod/web") is True


def test_egress_rules_leave_ingress_alone() -> None:
    # cnp:prod-out denies prod's *egress* to dev: dev -> prod (prod's ingress) is untouched.
    c = cluster(cnp("prod-out", "Admin", 0, PROD, egress=f"[{{action: Deny, to: {FROM_DEV}}}]"))
    assert can(c, "dev/client", "prod/web") is True
    assert can(c, "prod/web", "dev/client") is False


# --- warnings and unknowns ----------------------------------------------------------------------


def test_equal_priorities_warn_and_apply_in_name_order() -> None:
    # cnp:a-accept and cnp:b-deny share priority 7: ambiguous; npql applies a-accept first.
    c = cluster(
        PROD_DENY_INGRESS,
        cnp("b-deny", "Admin", 7, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
        cnp("a-accept", "Admin", 7, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
    )
    answer = ask(c, "dev/client", "prod/web")
    assert answer.allowed is True
    warnings = answer.to_dict()["warnings"]
    assert isinstance(warnings, list)
    assert any("ambiguous" in w and "a-accept" in w and "b-deny" in w for w in warnings)


def test_distinct_priorities_do_not_warn() -> None:
    c = cluster(
        cnp("b-deny", "Admin", 8, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
        cnp("a-accept", "Admin", 7, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
    )
    warnings = ask(c, "dev/client", "prod/web").to_dict()["warnings"]
    assert isinstance(warnings, list)
    assert not any("ambiguous" in w for w in warnings)


def test_equal_baseline_priorities_warn() -> None:
    # cnp:a-accept and cnp:b-deny (Baseline) share priority 3: the API calls that ambiguous.
    c = cluster(
        cnp("b-deny", "Baseline", 3, PROD, ingress=f"[{{action: Deny, from: {FROM_DEV}}}]"),
        cnp("a-accept", "Baseline", 3, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
    )
    answer = ask(c, "dev/client", "prod/web")
    assert answer.allowed is True  # name order: a-accept
    warnings = answer.to_dict()["warnings"]
    assert isinstance(warnings, list)
    assert any("ambiguous" in w for w in warnings)


def test_domain_names_make_denied_external_answers_unknown() -> None:
    # cnp:egress: rule 0 accepts example.com (undecidable from manifests), rule 1 denies all.
    egress = (
        '[{action: Accept, to: [{domainNames: ["example.com"]}]},'
        ' {action: Deny, to: [{networks: ["0.0.0.0/0"]}]}]'
    )
    c = cluster(cnp("egress", "Admin", 0, DEV, egress=egress))
    answer = c.query("can pod dev/client reach ip 93.184.216.34:443")
    assert answer.verdict == "unknown"
    assert answer.allowed is None
    warnings = answer.to_dict()["warnings"]
    assert isinstance(warnings, list)
    assert any("domainNames" in w for w in warnings)
    # Pods are no domain names: rule 1 denies pod-to-pod (web has an IP) with certainty.
    assert ask(c, "dev/client", "prod/web").verdict == "denied"


# --- baseline Pass ------------------------------------------------------------------------------


def test_baseline_pass_goes_to_the_default_for_can_queries() -> None:
    # cnp:base (Baseline): rule 0 Pass from dev skips rule 1 (Deny all): the default allows.
    rules = f"[{{action: Pass, from: {FROM_DEV}}}, {{action: Deny, from: {FROM_ALL}}}]"
    c = cluster(cnp("base", "Baseline", 0, PROD, ingress=rules))
    assert can(c, "dev/client", "prod/web") is True
    assert can(c, "monitoring/prom", "prod/web") is False  # rule 1


def _connected(c: Cluster, src: str, dst: str) -> bool:
    """Whether ``connectivity`` (the bitset engine) lists src -> dst on some port."""
    connections = c.query("connectivity").to_dict()["connections"]
    assert isinstance(connections, list)
    for conn in connections:
        s, t = conn["source"], conn["target"]
        if f"{s.get('namespace')}/{s.get('name')}" == src and (
            f"{t.get('namespace')}/{t.get('name')}" == dst
        ):
            return True
    return False


def test_baseline_pass_goes_to_the_default_for_bulk_answers() -> None:
    rules = f"[{{action: Pass, from: {FROM_DEV}}}, {{action: Deny, from: {FROM_ALL}}}]"
    c = cluster(cnp("base", "Baseline", 0, PROD, ingress=rules))
    assert not _connected(c, "monitoring/prom", "prod/web")  # rule 1 denies
    assert _connected(c, "dev/client", "prod/web")  # rule 0 passes: the default allows


# --- AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) ---------------------------------


def anp(name: str, priority: int, subject: str, ingress: str = "", egress: str = "") -> str:
    body = f"metadata: {{name: {name}}}\nspec:\n  priority: {priority}\n  subject: {subject}\n"
    if ingress:
        body += f"  ingress: {ingress}\n"
    if egress:
        body += f"  egress: {egress}\n"
    return ANP + body


def banp(subject: str, ingress: str = "", egress: str = "") -> str:
    body = f"metadata: {{name: default}}\nspec:\n  subject: {subject}\n"
    if ingress:
        body += f"  ingress: {ingress}\n"
    if egress:
        body += f"  egress: {egress}\n"
    return BANP + body


def test_anp_deny_beats_networkpolicy_allow() -> None:
    # anp:block-dev (Deny) decides before prod/allow-dev.
    c = cluster(
        PROD_ALLOW_DEV,
        anp("block-dev", 10, PROD, ingress=f"[{{name: d, action: Deny, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False


def test_anp_allow_beats_networkpolicy_deny() -> None:
    # anp:let-dev (Allow) decides before prod/deny-ingress.
    c = cluster(
        PROD_DENY_INGRESS,
        anp("let-dev", 10, PROD, ingress=f"[{{name: a, action: Allow, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is True


def test_anp_pass_then_banp_deny() -> None:
    # anp:pass-dev passes; nothing isolates prod; banp:default (Deny) decides.
    c = cluster(
        anp("pass-dev", 10, PROD, ingress=f"[{{name: p, action: Pass, from: {FROM_DEV}}}]"),
        banp(PROD, ingress=f"[{{name: d, action: Deny, from: {FROM_ALL}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False
    # Add prod/allow-dev: after the Pass, the NetworkPolicy tier is final -> allowed.
    c = cluster(
        PROD_ALLOW_DEV,
        anp("pass-dev", 10, PROD, ingress=f"[{{name: p, action: Pass, from: {FROM_DEV}}}]"),
        banp(PROD, ingress=f"[{{name: d, action: Deny, from: {FROM_ALL}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is True


def test_banp_allow_loses_to_networkpolicy_deny() -> None:
    # prod/deny-ingress is final; banp:default's Allow never counts.
    c = cluster(
        PROD_DENY_INGRESS, banp(PROD, ingress=f"[{{name: a, action: Allow, from: {FROM_ALL}}}]")
    )
    assert can(c, "dev/client", "prod/web") is False


def test_anp_priorities_and_rule_order() -> None:
    # anp:first (priority 1): rule 0 passes TCP 8080, rule 1 denies all; anp:second (2) allows.
    first = (
        f"[{{name: p, action: Pass, from: {FROM_ALL},"
        " ports: [{portNumber: {protocol: TCP, port: 8080}}]},"
        f" {{name: d, action: Deny, from: {FROM_ALL}}}]"
    )
    c = cluster(
        PROD_DENY_INGRESS,
        anp("second", 2, PROD, ingress=f"[{{name: a, action: Allow, from: {FROM_ALL}}}]"),
        anp("first", 1, PROD, ingress=first),
    )
    assert can(c, "dev/client", "prod/web", "8080/tcp") is False  # passed: prod NP denies
    assert can(c, "dev/client", "prod/web", "9090/tcp") is False  # anp:first rule 1 denies


def test_anp_port_forms() -> None:
    # anp:ports denies TCP 5432 (portNumber), TCP 8000-8100 (portRange) and namedPort dns
    # (web's UDP 53: a namedPort takes the protocol the container port declares).
    ports = (
        "[{portNumber: {protocol: TCP, port: 5432}},"
        " {portRange: {protocol: TCP, start: 8000, end: 8100}}, {namedPort: dns}]"
    )
    c = cluster(
        anp(
            "ports",
            0,
            PROD,
            ingress=f"[{{name: d, action: Deny, from: {FROM_ALL}, ports: {ports}}}]",
        )
    )
    assert can(c, "dev/client", "prod/db", "5432/tcp") is False  # portNumber
    assert can(c, "dev/client", "prod/web", "8100/tcp") is False  # portRange
    assert can(c, "dev/client", "prod/web", "8101/tcp") is True  # outside: default
    assert can(c, "dev/client", "prod/web", "53/udp") is False  # namedPort dns on web
    assert can(c, "dev/client", "prod/db", "53/udp") is True  # db declares no dns


def test_anp_networks_egress_deny() -> None:
    # anp:no-v4 denies dev's egress to 0.0.0.0/0: web (10.0.1.10) and 8.8.8.8, not noip.
    c = cluster(
        anp("no-v4", 0, DEV, egress='[{name: d, action: Deny, to: [{networks: ["0.0.0.0/0"]}]}]')
    )
    assert can(c, "dev/client", "prod/web") is False
    assert can(c, "dev/client", "dev/noip") is True
    assert c.query("can pod dev/client reach ip 8.8.8.8:443").allowed is False


def test_anp_before_cnp_at_equal_priority() -> None:
    # anp:zz-deny and cnp:aa-accept share admin priority 5: npql orders ties by kind
    # (AdminNetworkPolicy before ClusterNetworkPolicy), then name -> anp:zz-deny decides.
    c = cluster(
        anp("zz-deny", 5, PROD, ingress=f"[{{name: d, action: Deny, from: {FROM_DEV}}}]"),
        cnp("aa-accept", "Admin", 5, PROD, ingress=f"[{{action: Accept, from: {FROM_DEV}}}]"),
    )
    assert can(c, "dev/client", "prod/web") is False


def test_anp_equal_priorities_warn() -> None:
    # anp:x-allow and anp:y-deny share priority 3: ambiguous; x-allow applies (name order).
    c = cluster(
        PROD_DENY_INGRESS,
        anp("y-deny", 3, PROD, ingress=f"[{{name: d, action: Deny, from: {FROM_DEV}}}]"),
        anp("x-allow", 3, PROD, ingress=f"[{{name: a, action: Allow, from: {FROM_DEV}}}]"),
    )
    answer = ask(c, "dev/client", "prod/web")
    assert answer.allowed is True
    warnings = answer.to_dict()["warnings"]
    assert isinstance(warnings, list)
    assert any("ambiguous" in w and "x-allow" in w for w in warnings)


def test_anp_subject_pods_form() -> None:
    # anp:db-only's subject is pods app=db in prod: web falls to the default, db is denied.
    subject = (
        "{pods: {namespaceSelector: {matchLabels: {env: prod}},"
        " podSelector: {matchLabels: {app: db}}}}"
    )
    c = cluster(
        anp("db-only", 0, subject, ingress=f"[{{name: d, action: Deny, from: {FROM_ALL}}}]")
    )
    assert can(c, "dev/client", "prod/web") is True
    assert can(c, "dev/client", "prod/db", "5432/tcp") is False
