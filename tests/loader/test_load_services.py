"""Services: selector and port map."""

from __future__ import annotations

from typing import Any

import pytest
from loader_helpers import dump, only_problem

from npql.loader import load_text
from npql.model import Protocol, ServicePort


def service(spec: dict[str, Any]) -> str:
    return dump({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec})


def test_service_ports_and_selector() -> None:
    spec = {
        "selector": {"app": "web"},
        "ports": [
            {"port": 80},
            {"port": 443, "targetPort": "https", "name": "tls"},
            {"port": 53, "targetPort": 5353, "protocol": "UDP"},
        ],
    }
    (found,) = load_text(service(spec)).services
    assert (found.namespace, found.name, found.selector) == ("default", "s", {"app": "web"})
    assert found.ports == (
        ServicePort(80, 80),
        ServicePort(443, "https", Protocol.TCP, "tls"),
        ServicePort(53, 5353, Protocol.UDP),
    )


def test_service_without_selector() -> None:
    assert load_text(service({"ports": [{"port": 80}]})).services[0].selector is None


@pytest.mark.parametrize(
    ("port", "field"),
    [
        ({}, "spec.ports[0].port"),
        ({"port": "80"}, "spec.ports[0].port"),
        ({"port": 80, "targetPort": 0.5}, "spec.ports[0].targetPort"),
        ({"port": 80, "targetPort": "Web"}, "spec.ports[0].targetPort"),
        ({"port": 80, "protocol": "udp"}, "spec.ports[0].protocol"),
    ],
)
def test_service_port_errors(port: dict[str, Any], field: str) -> None:
    assert only_problem(service({"ports": [port]})).field == field
