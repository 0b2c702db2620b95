#!/usr/bin/env python3
"""Sampled answers on a benchmark cluster against the slow reference evaluator.

    python bench/verify.py DIR [--samples 300] [--seed 1]

Loads DIR with npql, draws ``--samples`` random (source pod, destination pod, port,
protocol) questions -- half with ports the policies and pods name plus a few others, half
on a pair and port the bitset engine says connect, so that allowed and denied answers both
occur -- and checks that
the Z3 engine (``can pod A reach pod B:PORT/PROTO``) and the bitset engine (the port set
between the two pods' groups) both equal ``tests/reference.py``'s ``allowed``. Prints one
JSON object (samples, allowed, disagreements with the first few) and exits 1 on any
disagreement. bench/run.py runs it per size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))  # the reference evaluator lives there

import npql  # noqa: E402
from npql.model import Pod, Protocol  # noqa: E402
from npql.query import ast  # noqa: E402
from reference import allowed  # noqa: E402

EXTRA_PORTS = (22, 53, 80, 443, 8080, 9090, 31000)


def candidate_ports(cluster: npql.Cluster) -> list[int]:
    """Ports the policies talk about, resolved the way rules see them, plus a few others."""
    found = set(EXTRA_PORTS)
    for policy in cluster.model.policies:
        for rule in (*policy.ingress, *policy.egress):
            for entry in rule.ports:
                if isinstance(entry.port, int):
                    found.add(entry.port)
                    if entry.end_port is not None:
                        found.add(entry.end_port)
    for pod in cluster.model.pods:
        found.update(p.port for p in pod.ports)
    return sorted(found)


def question(src: Pod, dst: Pod, port: int, proto: Protocol) -> ast.CanReach:
    return ast.CanReach(
        ast.PodRef(src.namespace, src.name),
        ast.PodRef(dst.namespace, dst.name),
        ast.PortSpec(ast.PortRange(port, port), proto),
    )


def _connected(rng: random.Random, pods: list[Pod], src: Pod, engine: Any, group: Any) -> Any:
    """A destination ``src`` reaches and one allowed (protocol, port), or None.

    Half the tries look in ``src``'s own namespace, where sparse clusters connect most."""
    neighbours = [p for p in pods if p.namespace == src.namespace]
    for attempt in range(400):
        dst = rng.choice(neighbours if attempt % 2 else pods)
        if dst is src:
            continue
        ports = engine.between(group(src).index, group(dst).index)
        choices = [(p, r) for p, rs in ports.ranges.items() for r in rs]
        if choices:
            proto, (lo, hi) = rng.choice(choices)
            return dst, proto, rng.randint(lo, hi)
    return None


def verify(directory: str, samples: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    cluster = npql.load(directory)
    model = cluster.model
    pods = list(model.pods)
    ports = candidate_ports(cluster)
    rng = random.Random(seed)
    engine = cluster.bitsets
    group = cluster.grouping.group_for
    bad: list[dict[str, Any]] = []
    allowed_count = 0
    for i in range(samples):
        src, dst = rng.choice(pods), rng.choice(pods)
        port, proto = rng.choice(ports), rng.choice((Protocol.TCP, Protocol.TCP, Protocol.UDP))
        if i % 2:  # every other sample: a pair the bitsets connect, on a port they allow
            found = _connected(rng, pods, src, engine, group)
            if found is not None:
                dst, proto, port = found
        if src is dst:
            continue
        expected = allowed(model, src, dst, port, proto)
        allowed_count += expected
        z3_answer = cluster.query(question(src, dst, port, proto)).allowed
        bits = engine.between(group(src).index, group(dst).index).contains(proto, port)
        if z3_answer != expected or bits != expected:
            bad.append(
                {
                    "src": f"{src.namespace}/{src.name}",
                    "dst": f"{dst.namespace}/{dst.name}",
                    "port": f"{port}/{proto.value}",
                    "reference": expected,
                    "z3": z3_answer,
                    "bitsets": bits,
                }
            )
    return {
        "samples": samples,
        "allowed": allowed_count,
        "disagreements": len(bad),
        "first": bad[:5],
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = verify(args.directory, args.samples, args.seed)
    print(json.dumps(result))
    return 1 if result["disagreements"] else 0


if __name__ == "__main__":
    sys.exit(main())
