"""``-o yaml``: a witness's pods that do not exist yet, as ready-to-apply manifests.

Applying them to the cluster makes the witnessed connection real: the Pod carries exactly the
labels the solver found necessary, in the namespace it found (a Namespace object too when the
namespace is new, with its labels).
"""

from __future__ import annotations

from typing import Any

import yaml

from npql.solve.results import AssertionResult, CanResult, EndpointRef, Result, Witness

PAUSE_IMAGE = "registry.k8s.io/pause:3.9"


def namespace_manifest(ep: EndpointRef) -> dict[str, Any]:
    """A Namespace with the labels the witness needs."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": ep.namespace, "labels": dict(sorted(ep.namespace_labels.items()))},
    }


def pod_manifest(
    ep: EndpointRef, name: str, port: int | None = None, protocol: str = "TCP"
) -> dict[str, Any]:
    """A Pod with exactly the labels the witness needs (and the port, for a target)."""
    container: dict[str, Any] = {"name": "app", "image": PAUSE_IMAGE}
    if port is not None:
        container["ports"] = [{"containerPort": port, "protocol": protocol}]
    metadata: dict[str, Any] = {"name": name, "namespace": ep.namespace}
    if ep.labels:
        metadata["labels"] = dict(sorted(ep.labels.items()))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [container]},
    }


def witness_manifests(w: Witness) -> list[dict[str, Any]]:
    """Manifests for every endpoint of the witness that does not exist yet."""
    docs: list[dict[str, Any]] = []
    namespaces: set[str] = set()
    roles = ((w.source, "npql-witness-source", None), (w.target, "npql-witness-target", w.port))
    for ep, name, port in roles:
        if ep.kind != "Hypothetical":
            continue
        if ep.new_namespace and ep.namespace not in namespaces:
            namespaces.add(ep.namespace or "")
            docs.append(namespace_manifest(ep))
        docs.append(pod_manifest(ep, name, port, w.protocol))
    return docs


def render_manifests(result: Result) -> str:
    """YAML documents for the witness's new pods; a comment when there are none."""
    witness = result.witness if isinstance(result, CanResult | AssertionResult) else None
    if witness is None:
        return f"# {result.query}: no witness with pods to create\n"
    docs = witness_manifests(witness)
    if not docs:
        pair = f"{witness.source} -> {witness.target}"
        return f"# {result.query}: the witness uses only existing pods ({pair})\n"
    header = f"# npql witness for: {result.query}\n"
    return header + yaml.safe_dump_all(docs, sort_keys=False, explicit_start=True)
