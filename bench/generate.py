#!/usr/bin/env python3
"""A seeded generator of realistic Kubernetes clusters for the npql benchmarks.

    python bench/generate.py --pods N --policies M --seed S --out DIR [--bare-pods] [--open F]

writes YAML into DIR:

* ``namespaces.yaml``: every Namespace, as one ``kind: List`` document (exercises List
  expansion);
* ``system/kube-system.yaml``, ``system/monitoring.yaml``, ``system/ingress-nginx.yaml``:
  CoreDNS, Prometheus (+ a node-exporter DaemonSet), the ingress controller;
* ``namespaces/<ns>.yaml``: per application namespace, its workloads, Services and
  NetworkPolicies as a multi-document stream.

About N/100 application namespaces (at least 3), each with a team and an env label.
Workloads are Deployments (replicas 1-10) and StatefulSets (databases, some caches), whose
replicas sum to N (system pods included; DaemonSet pods, one per node, are not counted).
With ``--open SHARE`` that share of the application namespaces gets no namespace-wide
policies (no default-deny, no DNS egress rule): their pods are isolated only by the per-app
policies that select them, and those restrict ingress only, so far more pairs connect
(``--open 0.5`` at 1,000 Pods: ~139,000 connlist lines, the issue's "about 160,000").
With ``--bare-pods`` every replica is emitted as its own Pod object instead (exactly N
Pods, no owner references, each with a podIP), so every pod is its own endpoint.

The M NetworkPolicies use every feature: default-deny ingress and egress per namespace,
DNS egress to kube-system, matchLabels and matchExpressions (In, NotIn, Exists,
DoesNotExist), namespaceSelector alone, podSelector alone and both in one peer, ipBlocks
with except, named ports (declared as containerPort names), endPort ranges, UDP and SCTP.

Output is a function of the arguments only (seeded ``random.Random``, sorted iteration).
A JSON summary (counts) is printed on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

TIERS = ("web", "api", "db", "cache", "worker")
TIER_WEIGHTS = (20, 35, 10, 10, 25)
ENVS = ("prod", "staging", "dev")
ENV_WEIGHTS = (40, 30, 30)
TEAMS = (
    "payments",
    "search",
    "identity",
    "platform",
    "checkout",
    "growth",
    "data",
    "ml",
    "mobile",
    "ads",
    "billing",
    "catalog",
)
VERSIONS = ("v1", "v2", "v3")
SYSTEM_NAMESPACES = ("kube-system", "monitoring", "ingress-nginx")
NS_NAME = "kubernetes.io/metadata.name"
PRIVATE = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")

# name, port, protocol -- names are what named NetworkPolicy ports resolve to
TIER_PORTS: dict[str, list[tuple[str, int, str]]] = {
    "web": [("http", 8080, "TCP"), ("metrics", 9090, "TCP")],
    "api": [("http", 8080, "TCP"), ("grpc", 9000, "TCP"), ("metrics", 9090, "TCP")],
    "db": [("pg", 5432, "TCP"), ("metrics", 9187, "TCP")],
    "cache": [("redis", 6379, "TCP"), ("memcache", 11211, "UDP"), ("metrics", 9121, "TCP")],
    "worker": [("metrics", 9090, "TCP"), ("statsd", 8125, "UDP")],
}
DIAMETER = ("diameter", 3868, "SCTP")  # some api workloads also speak SCTP


@dataclass
class App:
    """One workload (or, with --bare-pods, one group of Pods sharing labels)."""

    name: str
    namespace: str
    tier: str
    kind: str
    replicas: int
    labels: dict[str, str]
    ports: list[tuple[str, int, str]]


@dataclass
class Ns:
    name: str
    team: str
    env: str
    labels: dict[str, str]
    apps: list[App] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------- objects


def namespace_object(ns: Ns) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": ns.name, "labels": ns.labels},
    }


def _container(app: App) -> dict[str, Any]:
    ports = []
    for name, port, proto in app.ports:
        entry: dict[str, Any] = {"name": name, "containerPort": port}
        if proto != "TCP":
            entry["protocol"] = proto
        ports.append(entry)
    return {"name": app.name, "image": f"registry.example.com/{app.name}:1.0", "ports": ports}


def workload_object(app: App) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": app.labels["app"]}},
        "template": {
            "metadata": {"labels": app.labels},
            "spec": {"containers": [_container(app)]},
        },
    }
    if app.kind != "DaemonSet":
        spec = {"replicas": app.replicas, **spec}
    if app.kind == "StatefulSet":
        spec = {"serviceName": app.name, **spec}
    return {
        "apiVersion": "apps/v1",
        "kind": app.kind,
        "metadata": {"name": app.name, "namespace": app.namespace},
        "spec": spec,
    }


def pod_objects(app: App, ip_counter: list[int]) -> Iterable[dict[str, Any]]:
    template_hash = hashlib.sha1(app.name.encode()).hexdigest()[:10]
    for i in range(app.replicas):
        suffix = hashlib.sha1(f"{app.namespace}/{app.name}/{i}".encode()).hexdigest()[:5]
        n = ip_counter[0]
        ip_counter[0] += 1
        yield {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"{app.name}-{template_hash}-{suffix}",
                "namespace": app.namespace,
                "labels": {**app.labels, "pod-template-hash": template_hash},
            },
            "spec": {"containers": [_container(app)]},
            "status": {
                "phase": "Running",
                "podIP": f"10.{64 + n // 65536}.{n // 256 % 256}.{n % 256}",
            },
        }


def service_object(app: App) -> dict[str, Any]:
    ports = []
    for name, port, proto in app.ports:
        if name in ("metrics", "statsd"):
            continue
        entry: dict[str, Any] = {
            "name": name,
            "port": 80 if name == "http" else port,
            "targetPort": name,
        }
        if proto != "TCP":
            entry["protocol"] = proto
        ports.append(entry)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app.name, "namespace": app.namespace},
        "spec": {"selector": {"app": app.labels["app"]}, "ports": ports},
    }


def policy(
    ns: str, name: str, selector: dict[str, Any], types: list[str], **rules: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": selector, "policyTypes": types}
    spec.update(rules)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def _ingress_only(p: dict[str, Any]) -> dict[str, Any]:
    """The policy without its egress part (policyTypes and rules)."""
    spec = {k: v for k, v in p["spec"].items() if k != "egress"}
    spec["policyTypes"] = ["Ingress"]
    return {**p, "spec": spec}


# --------------------------------------------------------------------------- the cluster


class Generator:
    def __init__(
        self, pods: int, policies: int, seed: int, bare_pods: bool, open_share: float = 0.0
    ) -> None:
        self.rng = random.Random(seed)
        # A separate stream, so that --open 0 draws exactly what earlier versions drew.
        self.open_rng = random.Random(seed * 7919 + 1)
        self.open_share = open_share
        self.open_namespaces: set[str] = set()
        self.pods = pods
        self.budget = policies
        self.bare = bare_pods
        self.namespaces: list[Ns] = []
        self.system: dict[str, Ns] = {}
        self.apps_by_tier: dict[str, list[App]] = {t: [] for t in TIERS}
        self.apps_by_ns_tier: dict[tuple[str, str], list[App]] = {}
        self.counter = 0

    # -- namespaces and workloads

    def build(self) -> None:
        rng = self.rng
        n_ns = max(3, round(self.pods / 100))
        for i in range(n_ns):
            team = TEAMS[i % len(TEAMS)] if i < len(TEAMS) else rng.choice(TEAMS)
            env = ENVS[i % 3] if i < 3 else rng.choices(ENVS, ENV_WEIGHTS)[0]
            name = f"{team}-{env}-{i}"
            labels = {NS_NAME: name, "team": team, "env": env}
            if rng.random() < 0.4:
                labels["istio-injection"] = "enabled"
            if rng.random() < 0.2:
                labels["compliance"] = rng.choice(("pci", "sox"))
            self.namespaces.append(Ns(name, team, env, labels))
        for name in SYSTEM_NAMESPACES:
            labels = {NS_NAME: name, "team": "platform", "system": "true"}
            if name == "monitoring":
                labels["monitoring"] = "true"
            self.system[name] = Ns(name, "platform", "prod", labels)

        used = self._system_workloads()
        remaining = self.pods - used
        while remaining > 0:
            ns = rng.choice(self.namespaces)
            tier = rng.choices(TIERS, TIER_WEIGHTS)[0]
            replicas = min(remaining, rng.randint(1, 10))
            if tier == "db":
                replicas = min(remaining, rng.randint(1, 3))
            self._add_app(ns, tier, replicas)
            remaining -= replicas

    def _system_workloads(self) -> int:
        ks, mon, ing = (self.system[n] for n in SYSTEM_NAMESPACES)
        apps = [
            App(
                "coredns",
                ks.name,
                "dns",
                "Deployment",
                2,
                {"k8s-app": "kube-dns", "app": "coredns"},
                [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")],
            ),
            App(
                "prometheus",
                mon.name,
                "monitoring",
                "StatefulSet",
                2,
                {"app": "prometheus", "tier": "monitoring"},
                [("web", 9090, "TCP")],
            ),
            App(
                "node-exporter",
                mon.name,
                "monitoring",
                "DaemonSet",
                0,
                {"app": "node-exporter", "tier": "monitoring"},
                [("metrics", 9100, "TCP")],
            ),
            App(
                "ingress-nginx-controller",
                ing.name,
                "ingress",
                "Deployment",
                3,
                {"app": "ingress-nginx", "tier": "edge"},
                [("http", 80, "TCP"), ("https", 443, "TCP")],
            ),
        ]
        if self.bare:  # a DaemonSet has no replica count; as bare Pods say three nodes
            apps[2].replicas = 3
        for app in apps:
            self.system[app.namespace].apps.append(app)
        return sum(a.replicas for a in apps)

    def _add_app(self, ns: Ns, tier: str, replicas: int) -> None:
        rng = self.rng
        self.counter += 1
        name = f"svc-{self.counter}"
        kind = "Deployment"
        if tier == "db" or (tier == "cache" and rng.random() < 0.5):
            kind = "StatefulSet"
        labels = {
            "app": name,
            "tier": tier,
            "team": ns.team,
            "env": ns.env,
            "version": rng.choice(VERSIONS),
        }
        if rng.random() < 0.1:
            labels["canary"] = "true"
        if rng.random() < 0.3:
            labels["release"] = rng.choice(("stable", "beta"))
        ports = list(TIER_PORTS[tier])
        if tier == "api" and rng.random() < 0.15:
            ports.append(DIAMETER)
        app = App(name, ns.name, tier, kind, replicas, labels, ports)
        ns.apps.append(app)
        self.apps_by_tier[tier].append(app)
        self.apps_by_ns_tier.setdefault((ns.name, tier), []).append(app)

    # -- policies

    def build_policies(self) -> None:
        """Namespace-wide policies first (as many as half the budget allows), then per app."""
        rng = self.rng
        left = self.budget
        # kube-system: CoreDNS accepts DNS from everywhere, nothing else
        ks = self.system["kube-system"]
        system_policies = [
            policy(ks.name, "default-deny-ingress", {}, ["Ingress"]),
            policy(
                ks.name,
                "allow-dns",
                {"matchLabels": {"k8s-app": "kube-dns"}},
                ["Ingress"],
                ingress=[
                    {
                        "from": [{"namespaceSelector": {}}],
                        "ports": [
                            {"port": "dns", "protocol": "UDP"},
                            {"port": "dns-tcp", "protocol": "TCP"},
                        ],
                    }
                ],
            ),
            policy(
                self.system["monitoring"].name,
                "prometheus-scrape-egress",
                {"matchLabels": {"app": "prometheus"}},
                ["Egress"],
                egress=[
                    {
                        "to": [{"namespaceSelector": {}, "podSelector": {}}],
                        "ports": [{"port": "metrics"}, {"port": 9100, "endPort": 9199}],
                    },
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {NS_NAME: "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"port": 53, "protocol": "UDP"}],
                    },
                ],
            ),
        ]
        for p in system_policies[: max(0, left)]:
            self.system[p["metadata"]["namespace"]].policies.append(p)
            left -= 1

        ns_budget = left // 2
        for ns in self.namespaces:
            for p in self._namespace_policies(ns):
                if ns_budget <= 0:
                    break
                ns.policies.append(p)
                ns_budget -= 1
                left -= 1

        templates = [self._web, self._api, self._db, self._cache, self._worker]
        by_tier = dict(zip(TIERS, templates, strict=True))
        all_apps = [a for ns in self.namespaces for a in ns.apps]
        index = {ns.name: ns for ns in self.namespaces}
        serial = 0
        while left > 0 and all_apps:
            app = rng.choice(all_apps)
            ns = index[app.namespace]
            serial += 1
            p = by_tier[app.tier](ns, app, serial)
            if ns.name in self.open_namespaces:
                p = _ingress_only(p)
            ns.policies.append(p)
            left -= 1

    def _namespace_policies(self, ns: Ns) -> list[dict[str, Any]]:
        name = ns.name
        out: list[dict[str, Any]] = []
        if self.open_share and self.open_rng.random() < self.open_share:
            # An open namespace: no default-deny, no namespace-wide egress rules, and its
            # per-app policies restrict ingress only.
            self.open_namespaces.add(name)
            return out
        if ns.env == "dev" and self.rng.random() < 0.5:
            out.append(policy(name, "default-deny-all", {}, ["Ingress", "Egress"]))
        else:
            out.append(policy(name, "default-deny-ingress", {}, ["Ingress"]))
            out.append(policy(name, "default-deny-egress", {}, ["Egress"]))
        out.append(
            policy(
                name,
                "allow-dns",
                {},
                ["Egress"],
                egress=[
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {NS_NAME: "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                    }
                ],
            )
        )
        out.append(
            policy(
                name,
                "allow-prometheus-scrape",
                {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
                ["Ingress"],
                ingress=[
                    {
                        "from": [
                            {
                                "namespaceSelector": {"matchLabels": {"monitoring": "true"}},
                                "podSelector": {"matchLabels": {"app": "prometheus"}},
                            }
                        ],
                        "ports": [{"port": "metrics"}],
                    }
                ],
            )
        )
        if ns.env != "prod":
            out.append(
                policy(
                    name,
                    "allow-same-namespace",
                    {},
                    ["Ingress"],
                    ingress=[{"from": [{"podSelector": {}}]}],
                )
            )
        return out

    def _pick(self, tier: str, prefer_ns: str | None = None) -> App | None:
        pool = self.apps_by_tier[tier]
        if not pool:
            return None
        if prefer_ns is not None and self.rng.random() < 0.6:
            local = self.apps_by_ns_tier.get((prefer_ns, tier))
            if local:
                return self.rng.choice(local)
        return self.rng.choice(pool)

    def _selector(self, app: App) -> dict[str, Any]:
        """The policy's podSelector: usually app=..., sometimes expressions."""
        r = self.rng.random()
        if r < 0.7:
            return {"matchLabels": {"app": app.name}}
        if r < 0.85:
            return {
                "matchLabels": {"app": app.name},
                "matchExpressions": [{"key": "version", "operator": "NotIn", "values": ["v0"]}],
            }
        return {
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": [app.tier]},
                {"key": "canary", "operator": "DoesNotExist"},
            ]
        }

    def _peer_to(self, src_ns: Ns, target: App) -> dict[str, Any]:
        """A peer selecting ``target`` from ``src_ns``: podSelector alone if same namespace."""
        pods = {"matchLabels": {"app": target.name}}
        if target.namespace == src_ns.name:
            return {"podSelector": pods}
        return {
            "namespaceSelector": {"matchLabels": {NS_NAME: target.namespace}},
            "podSelector": pods,
        }

    def _web(self, ns: Ns, app: App, serial: int) -> dict[str, Any]:
        rng = self.rng
        ingress = [
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {NS_NAME: "ingress-nginx"}},
                        "podSelector": {"matchLabels": {"app": "ingress-nginx"}},
                    }
                ],
                "ports": [{"port": "http"}],
            },
        ]
        if rng.random() < 0.5:
            ingress.append(
                {
                    "from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE)}}],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                }
            )
        egress = []
        for _ in range(rng.randint(1, 3)):
            api = self._pick("api", ns.name)
            if api is not None:
                egress.append(
                    {"to": [self._peer_to(ns, api)], "ports": [{"port": "http"}, {"port": "grpc"}]}
                )
        return policy(
            ns.name,
            f"{app.name}-web-{serial}",
            self._selector(app),
            ["Ingress", "Egress"],
            ingress=ingress,
            egress=egress,
        )

    def _api(self, ns: Ns, app: App, serial: int) -> dict[str, Any]:
        rng = self.rng
        ingress: list[dict[str, Any]] = [
            {
                "from": [
                    {
                        "podSelector": {
                            "matchExpressions": [
                                {"key": "tier", "operator": "In", "values": ["web", "api"]}
                            ]
                        }
                    }
                ],
                "ports": [{"port": "http"}, {"port": 8000, "endPort": 8999}],
            },
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"team": ns.team},
                            "matchExpressions": [
                                {"key": "env", "operator": "In", "values": ["prod", "staging"]}
                            ],
                        },
                        "podSelector": {
                            "matchExpressions": [{"key": "release", "operator": "Exists"}]
                        },
                    }
                ],
                "ports": [{"port": "grpc"}],
            },
        ]
        if any(p[2] == "SCTP" for p in app.ports):
            ingress.append(
                {
                    "from": [{"ipBlock": {"cidr": "172.20.0.0/16", "except": ["172.20.9.0/24"]}}],
                    "ports": [{"port": "diameter", "protocol": "SCTP"}],
                }
            )
        egress = []
        db = self._pick("db", ns.name)
        if db is not None:
            egress.append({"to": [self._peer_to(ns, db)], "ports": [{"port": 5432}]})
        cache = self._pick("cache", ns.name)
        if cache is not None:
            egress.append(
                {
                    "to": [self._peer_to(ns, cache)],
                    "ports": [{"port": "redis"}, {"port": 11211, "protocol": "UDP"}],
                }
            )
        if rng.random() < 0.4:
            egress.append(
                {
                    "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
                    "ports": [{"port": 443}],
                }
            )
        return policy(
            ns.name,
            f"{app.name}-api-{serial}",
            self._selector(app),
            ["Ingress", "Egress"],
            ingress=ingress,
            egress=egress,
        )

    def _db(self, ns: Ns, app: App, serial: int) -> dict[str, Any]:
        ingress = [
            {
                "from": [
                    {
                        "podSelector": {
                            "matchExpressions": [
                                {"key": "tier", "operator": "In", "values": ["api", "worker"]},
                                {"key": "canary", "operator": "DoesNotExist"},
                            ]
                        }
                    }
                ],
                "ports": [{"port": "pg"}],
            },
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchExpressions": [
                                {"key": "env", "operator": "NotIn", "values": ["dev"]},
                                {"key": "team", "operator": "In", "values": [ns.team, "data"]},
                            ]
                        },
                        "podSelector": {"matchLabels": {"tier": "api"}},
                    }
                ],
                "ports": [{"port": 5432, "protocol": "TCP"}],
            },
        ]
        return policy(
            ns.name, f"{app.name}-db-{serial}", self._selector(app), ["Ingress"], ingress=ingress
        )

    def _cache(self, ns: Ns, app: App, serial: int) -> dict[str, Any]:
        ingress = [
            {
                "from": [
                    {
                        "podSelector": {
                            "matchExpressions": [
                                {"key": "tier", "operator": "NotIn", "values": ["db", "cache"]}
                            ]
                        }
                    },
                    {"namespaceSelector": {"matchLabels": {"team": ns.team}}},
                ],
                "ports": [{"port": "redis"}, {"port": "memcache", "protocol": "UDP"}],
            },
        ]
        return policy(
            ns.name, f"{app.name}-cache-{serial}", self._selector(app), ["Ingress"], ingress=ingress
        )

    def _worker(self, ns: Ns, app: App, serial: int) -> dict[str, Any]:
        egress: list[dict[str, Any]] = [
            {
                "to": [
                    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12", "10.64.0.0/10"]}}
                ],
                "ports": [{"port": 30000, "endPort": 32767}],
            },
            {
                "to": [{"namespaceSelector": {"matchLabels": {"monitoring": "true"}}}],
                "ports": [{"port": 8125, "protocol": "UDP"}],
            },
        ]
        queue = self._pick("api", ns.name)
        if queue is not None:
            egress.append({"to": [self._peer_to(ns, queue)], "ports": [{"port": "grpc"}]})
        # workers take no connections: Ingress with no rules
        return policy(
            ns.name,
            f"{app.name}-worker-{serial}",
            self._selector(app),
            ["Ingress", "Egress"],
            egress=egress,
        )

    # -- output

    def write(self, out: str) -> dict[str, Any]:
        os.makedirs(os.path.join(out, "namespaces"), exist_ok=True)
        os.makedirs(os.path.join(out, "system"), exist_ok=True)
        all_ns = [*self.system.values(), *self.namespaces]
        ns_list = {
            "apiVersion": "v1",
            "kind": "List",
            "items": [namespace_object(ns) for ns in all_ns],
        }
        _dump(os.path.join(out, "namespaces.yaml"), [ns_list])
        counts = {
            "Pod": 0,
            "Deployment": 0,
            "StatefulSet": 0,
            "DaemonSet": 0,
            "Service": 0,
            "NetworkPolicy": 0,
            "pods": 0,
        }
        ip_counter = [0]
        for ns in all_ns:
            docs: list[dict[str, Any]] = []
            for app in ns.apps:
                counts["pods"] += app.replicas
                if self.bare:
                    pods = list(pod_objects(app, ip_counter))
                    docs.extend(pods)
                    counts["Pod"] += len(pods)
                else:
                    docs.append(workload_object(app))
                    counts[app.kind] += 1
                if app.tier != "worker" and app.kind != "DaemonSet":
                    docs.append(service_object(app))
                    counts["Service"] += 1
            docs.extend(ns.policies)
            counts["NetworkPolicy"] += len(ns.policies)
            folder = "system" if ns.name in self.system else "namespaces"
            _dump(os.path.join(out, folder, f"{ns.name}.yaml"), docs)
        counts["Namespace"] = len(all_ns)
        return counts


def _dump(path: str, docs: list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump_all(docs, handle, Dumper=_DUMPER, sort_keys=False, default_flow_style=False)


def generate(
    pods: int,
    policies: int,
    seed: int,
    out: str,
    bare_pods: bool = False,
    open_share: float = 0.0,
) -> dict[str, Any]:
    gen = Generator(pods, policies, seed, bare_pods, open_share)
    gen.build()
    gen.build_policies()
    return gen.write(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", type=int, required=True)
    parser.add_argument("--policies", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--bare-pods", action="store_true", help="emit N Pod objects instead of workloads"
    )
    parser.add_argument(
        "--open",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of application namespaces without namespace-wide default-deny policies "
        "(0 = every namespace locked down; 0.5 gives ~139,000 connlist lines at 1,000 Pods)",
    )
    args = parser.parse_args(argv)
    if not 0.0 <= args.open <= 1.0:
        parser.error("--open takes a share between 0 and 1")
    if os.path.isdir(args.out) and os.listdir(args.out):
        parser.error(f"{args.out} exists and is not empty")
    counts = generate(args.pods, args.policies, args.seed, args.out, args.bare_pods, args.open)
    json.dump(counts, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
