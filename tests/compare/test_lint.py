"""Every lint code fires on a minimal case, and none on the clean examples."""

from __future__ import annotations

import json

import pytest
from compare_helpers import EXAMPLES, example

import npql
from npql.compare.lint import lint

PODS = """
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: w, image: w, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec: {containers: [{name: d, image: d, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.1.0.5}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: isolate, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
"""


def policy(spec: str, name: str = "p") -> str:
    """A policy in namespace a."""
    return f"""
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: a}}
spec:
{spec}
"""


CASES = {
    "NPQL001": policy("  podSelector: {matchLabels: {app: gone}}\n  policyTypes: [Ingress]"),
    "NPQL002": policy(
        "  podSelector: {matchLabels: {app: db}}\n"
        "  ingress: [{from: [{podSelector: {matchLabels: {app: wbe}}}]}]"
    ),
    "NPQL003": policy(
        "  podSelector: {matchLabels: {app: db}}\n"
        "  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: pgsql}]}]"
    ),
    "NPQL005": policy(
        "  podSelector: {matchLabels: {app: db}}\n"
        "  ingress:\n"
        "  - from:\n"
        "    - podSelector: {matchLabels: {app: web}}\n"
        "    - namespaceSelector: {matchLabels: {team: x}}"
    ),
    "NPQL007": policy(
        "  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{namespaceSelector: {}}]}]"
    ),
    "NPQL008": policy(
        "  podSelector: {matchLabels: {app: db}}\n"
        "  policyTypes: [Ingress, Egress]\n"
        "  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]"
    ),
    "NPQL009": policy(
        "  podSelector: {matchLabels: {app: db}}\n"
        "  policyTypes: [Ingress]\n"
        "  egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]"
    ),
    "NPQL010": policy(
        "  podSelector: {matchLabels: {app: web}}\n"
        "  policyTypes: [Egress]\n"
        "  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]"
    ),
}


def codes(text: str) -> list[str]:
    return [f.code for f in lint(npql.loads(text)).findings]


def test_the_base_is_clean() -> None:
    assert codes(PODS) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_fires_on_its_minimal_case(code: str) -> None:
    assert codes(PODS + CASES[code]) == [code]


def test_dns_blocked_by_egress_isolation() -> None:
    without_dns = PODS[
        : PODS.index(
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns"
        )
    ]
    result = lint(npql.loads(without_dns))
    assert [f.code for f in result.findings] == ["NPQL004"]
    finding = result.findings[0]
    assert finding.severity == "warning" and finding.obj == "a/isolate"
    assert "UDP and TCP 53" in finding.message and "a/db[Pod], a/web[Pod]" in finding.message
    udp_only = PODS.replace(", {port: 53, protocol: TCP}", "")
    tcp = lint(npql.loads(udp_only)).findings
    assert [(f.code, f.severity) for f in tcp] == [("NPQL004", "info"), ("NPQL004", "info")]


def test_egress_rules_alone_also_deny_ingress_by_default() -> None:
    # policyTypes defaults to Ingress (+ Egress, as egress rules exist): ingress is denied.
    text = policy("  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {}}]}]")
    assert codes(PODS + text) == ["NPQL008"]


def test_a_workload_no_policy_isolates() -> None:
    text = """
apiVersion: v1
kind: Pod
metadata: {name: lonely, labels: {app: lonely}}
"""
    result = lint(npql.loads(text))
    assert [(f.code, f.severity, f.obj) for f in result.findings] == [
        ("NPQL006", "info", "default/lonely[Pod]")
    ]
    assert result.passed


@pytest.mark.parametrize("folder", ["before", "after-safe", "after-tighten"])
def test_clean_examples_have_no_findings(folder: str) -> None:
    result = lint(example(folder))
    assert result.findings == (), result.lines()


def test_findings_point_at_file_and_line() -> None:
    result = lint(example("after-broad"))
    assert [f.code for f in result.findings] == ["NPQL005", "NPQL007"]
    text = (EXAMPLES / "after-broad" / "policies.yaml").read_text().splitlines()
    and_or, whole = result.findings
    assert and_or.where.endswith("policies.yaml:" + str(and_or.location.line))  # type: ignore[union-attr]
    assert "podSelector: {matchLabels: {app: web}}" in text[and_or.location.line - 1]  # type: ignore[union-attr]
    assert "namespaceSelector: {}" in text[whole.location.line - 1]  # type: ignore[union-attr]
    assert not result.passed
    document = result.to_dict()
    assert document["counts"] == {"error": 0, "warning": 2, "info": 0}
    assert json.loads(json.dumps(document)) == document
    assert "| NPQL005 | warning |" in result.markdown()


def test_checks_against_pods_are_skipped_without_workloads() -> None:
    only_policy = policy("  podSelector: {matchLabels: {app: gone}}\n  policyTypes: [Ingress]")
    result = lint(npql.loads(only_policy))
    assert result.findings == ()
    assert any("no workload loaded" in w for w in result.warnings)
