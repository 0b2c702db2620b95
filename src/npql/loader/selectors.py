"""Label selectors: matchLabels and matchExpressions, checked as the API server does."""

from __future__ import annotations

from npql.loader.fields import Fields, clip
from npql.loader.names import label_key_problem, label_map, label_value_problem
from npql.model import LabelSelector, Operator, Requirement

_SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
_EXPRESSION_FIELDS = frozenset({"key", "operator", "values"})
_OPERATORS = {op.value: op for op in Operator}
_SET_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})


def parse_selector(fields: Fields) -> LabelSelector:
    """A selector mapping; ``{}`` is the empty selector, which selects everything."""
    fields.known(_SELECTOR_FIELDS)
    labels = label_map(fields, "matchLabels")
    requirements = [Requirement(k, Operator.IN, (v,)) for k, v in labels.items()]
    expressions = (_expression(e) for e in fields.records("matchExpressions"))
    requirements += [r for r in expressions if r is not None]
    return LabelSelector(tuple(requirements))


def optional_selector(fields: Fields, key: str) -> LabelSelector | None:
    """The selector at ``key``; None when absent or null."""
    found = fields.mapping(key)
    return parse_selector(found) if found is not None else None


def _expression(fields: Fields) -> Requirement | None:
    fields.known(_EXPRESSION_FIELDS)
    key = _key(fields)
    operator = _operator(fields)
    values = _values(fields, operator)
    if key is None or operator is None or values is None:
        return None
    return Requirement(key, operator, values)


def _key(fields: Fields) -> str | None:
    key = fields.string("key", required=True)
    problem = label_key_problem(key) if key is not None else None
    if problem:
        fields.error(problem, "key")
    return None if problem else key


def _operator(fields: Fields) -> Operator | None:
    text = fields.string("operator", required=True)
    operator = _OPERATORS.get(text) if text is not None else None
    if text is not None and operator is None:
        fields.error(
            f'unsupported operator "{clip(text)}": must be one of In, NotIn, Exists, DoesNotExist',
            "operator",
        )
    return operator


def _values(fields: Fields, operator: Operator | None) -> tuple[str, ...] | None:
    values = fields.strings("values")
    bad = [(p, m) for p, v in values if (m := label_value_problem(v))]
    for path, message in bad:
        fields.where.error(message, path)
    if bad or not isinstance(fields.get("values") or [], list):
        return None
    return tuple(v for _, v in values) if _values_fit(fields, operator, len(values)) else None


def _values_fit(fields: Fields, operator: Operator | None, count: int) -> bool:
    if operator in _SET_OPERATORS and count == 0:
        fields.error("must be non-empty when operator is In or NotIn", "values")
        return False
    if operator is not None and operator not in _SET_OPERATORS and count:
        fields.error("must be empty when operator is Exists or DoesNotExist", "values")
        return False
    return True
