"""Syntax of names as the API server checks them: label keys and values, DNS names, port names."""

from __future__ import annotations

import re

from npql.loader.fields import Fields, key_path, shown

_LABEL_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_LABEL_TEXT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_LABEL = re.compile(_DNS_LABEL_TEXT)
_DNS_SUBDOMAIN = re.compile(rf"{_DNS_LABEL_TEXT}(\.{_DNS_LABEL_TEXT})*")
_PORT_NAME = re.compile(r"[-a-z0-9]+")
_NAME_RULE = (
    "must be 63 characters or less, begin and end with an alphanumeric character and contain "
    "only alphanumerics, '-', '_' and '.'"
)


def label_name_problem(name: str) -> str | None:
    """What is wrong with the name part of a label key or with a label value, if anything."""
    if len(name) > 63 or not _LABEL_NAME.fullmatch(name):
        return _NAME_RULE
    return None


def label_key_problem(key: str) -> str | None:
    """What is wrong with a label key (``[prefix/]name``), if anything."""
    problem = _label_key_rule(key)
    return f"invalid label key {shown(key)}: {problem}" if problem else None


def _label_key_rule(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and dns_subdomain_problem(prefix) is not None:
        return "the prefix must be a DNS subdomain (e.g. example.com) followed by one '/'"
    if not name:
        return "the name part must not be empty"
    return label_name_problem(name)


def label_value_problem(value: str) -> str | None:
    """What is wrong with a label value (empty is fine), if anything."""
    problem = label_name_problem(value) if value else None
    return f"invalid label value {shown(value)}: {problem}" if problem else None


def dns_label_problem(name: str) -> str | None:
    """What is wrong with a DNS-1123 label (namespace names), if anything."""
    if len(name) > 63 or not _DNS_LABEL.fullmatch(name):
        return (
            f"invalid name {shown(name)}: must be 63 characters or less, lowercase alphanumerics "
            "or '-', beginning and ending with an alphanumeric"
        )
    return None


def dns_subdomain_problem(name: str) -> str | None:
    """What is wrong with a DNS-1123 subdomain (most object names), if anything."""
    if len(name) > 253 or not _DNS_SUBDOMAIN.fullmatch(name):
        return (
            f"invalid name {shown(name)}: must be 253 characters or less, lowercase alphanumerics, "
            "'-' or '.', beginning and ending with an alphanumeric"
        )
    return None


def port_name_problem(name: str) -> str | None:
    """What is wrong with a port name (IANA_SVC_NAME), if anything."""
    if len(name) > 15:
        return f"invalid port name {shown(name)}: must be no more than 15 characters"
    if not _PORT_NAME.fullmatch(name):
        return f"invalid port name {shown(name)}: must contain only lowercase alphanumerics and '-'"
    if not re.search("[a-z]", name):
        return f"invalid port name {shown(name)}: must contain at least one letter (a-z)"
    if "--" in name or name.startswith("-") or name.endswith("-"):
        return f"invalid port name {shown(name)}: '-' must be between alphanumerics, never doubled"
    return None


def label_map(fields: Fields, key: str) -> dict[str, str]:
    """The label mapping at ``key``, every key and value checked (invalid entries left out)."""
    found = fields.string_map(key)
    return {k: v for k, v in found.items() if _valid_label(fields, key, k, v)}


def _valid_label(fields: Fields, key: str, label: str, value: str) -> bool:
    problem = label_key_problem(label) or label_value_problem(value)
    if problem:
        fields.where.error(problem, key_path(fields.at(key), label))
    return problem is None
