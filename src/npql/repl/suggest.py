"""What to suggest at the cursor: pure logic, no prompt_toolkit (the Completer wraps it).

The grammar decides *what kind* of thing may stand at the cursor (``expected_tokens``: keywords
and placeholders such as ``<label key>``); the cluster's ``Catalog`` supplies the names; ``fuzzy``
ranks them. New statements in the grammar are picked up without changes here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from npql.query import expected_tokens
from npql.repl.catalog import Catalog, LabelIndex, Named, count
from npql.repl.fuzzy import rank

# Placeholders expected_tokens() uses (see npql.query.parser.TERMINAL_WORDS).
LABEL_KEY, LABEL_VALUE, NAMESPACE = "<label key>", "<label value>", "<namespace>"
REF, PORT, PROTOCOL, VARIABLE = "<namespace/name>", "<port>", "<protocol>", "<$variable>"

PROTOCOLS = ("tcp", "udp", "sctp")
LIST_PREFIX = "who can reach "  # completes the SELECTOR argument of \pods like an endpoint

_WORD = re.compile(r"[-\w.$']*\Z")
_SLASHED = re.compile(r"[-\w.]+/[-\w.]*\Z")
_KEYWORD = re.compile(r"[a-z][a-z'-]*")
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[-\w./$\']+|\S')
_KEY = r'(?P<key>"(?:[^"\\\n]|\\.)*"|[-\w./]+)'
_VALUE_AFTER = (
    re.compile(_KEY + r"\s*(?:==|!=|=)\s*\Z"),
    re.compile(_KEY + r'\s+(?:not)?in\s*\((?:\s*(?:"[^"]*"|[-\w.]+)\s*,)*\s*\Z', re.I),
)
_NAMESPACE_WORDS = frozenset({"ns", "namespace", "namespaces"})
_ENDPOINT_STARTS = frozenset({"with", "reach", "can", "cannot", "could", "of", "selecting", "only"})
_REF_SOURCES: dict[str, Callable[[Catalog], tuple[Named, ...]]] = {
    "pod": lambda c: c.pods,
    "svc": lambda c: c.services,
    "service": lambda c: c.services,
    "policy": lambda c: c.policies,
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One completion: insert ``text`` in place of the ``replace`` characters before the cursor."""

    text: str
    replace: int
    kind: str
    meta: str = ""


@dataclass(frozen=True, slots=True)
class CommandHint:
    """What completion needs to know about a backslash command.

    ``argument`` names the kind of argument: "selector", "namespace", "label key",
    "statement", "path" (completed from the file system by the wrapper), or "" for none;
    ``choices`` lists fixed words (``\\o text|json``).
    """

    name: str
    summary: str = ""
    argument: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Candidate:
    text: str
    kind: str
    meta: str = ""
    priority: int = 0


@dataclass(frozen=True, slots=True)
class Place:
    """Where the cursor is: the text before the word being typed, the word, what fits there."""

    before: str
    word: str
    expected: frozenset[str]


# ---------------------------------------------------------------------------------- public


def suggest(
    text_before_cursor: str, catalog: Catalog, commands: Sequence[CommandHint] = ()
) -> list[Suggestion]:
    """Everything worth offering at the end of ``text_before_cursor``, best first.

    >>> [s.text for s in suggest("who c", Catalog())]
    ['can']
    """
    line = text_before_cursor.rsplit("\n", 1)[-1]
    if line.lstrip().startswith("\\"):
        return suggest_command(line.lstrip(), catalog, commands)
    if _in_comment_or_string(line):
        return []
    place = locate(text_before_cursor)
    found = [c for token in place.expected for c in _candidates(token, place, catalog)]
    ranked = rank(place.word, found, lambda c: c.text, lambda c: c.priority)
    return [Suggestion(c.text, len(place.word), c.kind, c.meta) for c in ranked]


def locate(text_before_cursor: str) -> Place:
    """Split off the word being typed and ask the grammar what may stand where it starts."""
    place = _place(text_before_cursor, _word(text_before_cursor))
    slashed = _SLASHED.search(text_before_cursor)
    if slashed is not None and len(slashed.group()) > len(place.word):
        wide = _place(text_before_cursor, slashed.group())
        if wide.expected & {REF, LABEL_KEY}:
            return wide
    return place


def path_argument(line: str, commands: Sequence[CommandHint]) -> str | None:
    """The path being typed when ``line`` is a command that takes paths, else None."""
    name, space, rest = line.lstrip().partition(" ")
    hint = _command(name, commands)
    if hint is None or hint.argument != "path" or not space:
        return None
    return rest.rsplit(" ", 1)[-1]


def suggest_command(
    line: str, catalog: Catalog, commands: Sequence[CommandHint]
) -> list[Suggestion]:
    """Complete a backslash command's name, then its argument."""
    name, space, rest = line.partition(" ")
    if not space:
        ranked = rank(name, commands, lambda h: h.name)
        return [Suggestion(h.name, len(name), "command", h.summary) for h in ranked]
    hint = _command(name, commands)
    if hint is None:
        return []
    return _ARGUMENTS.get(hint.argument, _choices)(hint, rest, catalog)


# ---------------------------------------------------------------------------------- where


def _word(text: str) -> str:
    found = _WORD.search(text)
    return found.group() if found else ""


def _place(text: str, word: str) -> Place:
    before = text[: len(text) - len(word)]
    return Place(before, word, _expected(before))


def _expected(before: str) -> frozenset[str]:
    """What the grammar accepts after ``before``; only the current statement when earlier
    statements do not parse."""
    found = expected_tokens(before)
    if found:
        return found
    cut = max(before.rfind(";"), before.rfind("\n"))
    return expected_tokens(before[cut + 1 :]) if cut >= 0 else found


def _in_comment_or_string(line: str) -> bool:
    """True inside a ``#`` comment or an unclosed double-quoted string."""
    rest = re.sub(r'"(?:[^"\\\n]|\\.)*"', "", line)
    return "#" in rest or '"' in rest


# ---------------------------------------------------------------------------------- candidates


def _candidates(token: str, place: Place, catalog: Catalog) -> Iterable[_Candidate]:
    provider = _PROVIDERS.get(token)
    if provider is not None:
        return provider(place, catalog)
    if _KEYWORD.fullmatch(token):
        return [_Candidate(token, "keyword", "", 3)]
    return []


def _label_keys(place: Place, catalog: Catalog) -> list[_Candidate]:
    index, _ = _label_source(place.before, catalog)
    return [
        _Candidate(key, "label key", count(len(values), "value"), 1)
        for key, values in index.items()
    ]


def _label_values(place: Place, catalog: Catalog) -> list[_Candidate]:
    key = _key_before(place.before)
    if key is None:
        return []
    index, noun = _label_source(place.before, catalog)
    if key not in index:
        index, noun = _other_source(index, catalog)
    values = index.get(key, {})
    return [_Candidate(value, "label value", count(n, noun)) for value, n in values.items()]


def _namespaces(place: Place, catalog: Catalog) -> list[_Candidate]:
    return [_Candidate(ns.ref, "namespace", ns.meta) for ns in catalog.namespaces]


def _refs(place: Place, catalog: Catalog) -> list[_Candidate]:
    previous = _tokens(place.before)[-1:]
    source = _REF_SOURCES.get(previous[0].lower()) if previous else None
    named = source(catalog) if source else catalog.pods + catalog.services + catalog.policies
    return [_Candidate(n.ref, "name", n.meta) for n in named]


def _ports(place: Place, catalog: Catalog) -> list[_Candidate]:
    return [
        _Candidate(p.ref, "port", p.meta, 0 if not p.ref.isdigit() else 1) for p in catalog.ports
    ]


def _protocols(place: Place, catalog: Catalog) -> list[_Candidate]:
    return [_Candidate(p, "protocol") for p in PROTOCOLS]


def _variables(place: Place, catalog: Catalog) -> list[_Candidate]:
    return [_Candidate(f"${name}", "variable", "", 1) for name in catalog.variables]


_PROVIDERS: dict[str, Callable[[Place, Catalog], list[_Candidate]]] = {
    LABEL_KEY: _label_keys,
    LABEL_VALUE: _label_values,
    NAMESPACE: _namespaces,
    REF: _refs,
    PORT: _ports,
    PROTOCOL: _protocols,
    VARIABLE: _variables,
}


# ---------------------------------------------------------------------------------- labels


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _label_source(before: str, catalog: Catalog) -> tuple[LabelIndex, str]:
    """Namespace labels inside ``ns with SELECTOR``, pod labels everywhere else."""
    tokens = [t.lower() for t in _tokens(before)]
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] in _ENDPOINT_STARTS:
            if tokens[i] == "with" and i > 0 and tokens[i - 1] in _NAMESPACE_WORDS:
                return catalog.namespace_labels, "namespace"
            break
    return catalog.pod_labels, "pod"


def _other_source(index: LabelIndex, catalog: Catalog) -> tuple[LabelIndex, str]:
    if index is catalog.pod_labels:
        return catalog.namespace_labels, "namespace"
    return catalog.pod_labels, "pod"


def _key_before(before: str) -> str | None:
    """The label key whose value is being typed (``key=``, ``key != ``, ``key in (a,``)."""
    for pattern in _VALUE_AFTER:
        found = pattern.search(before)
        if found is not None:
            return _unquote(found.group("key"))
    return None


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


# ---------------------------------------------------------------------------------- commands


def _command(name: str, commands: Sequence[CommandHint]) -> CommandHint | None:
    return next((h for h in commands if h.name == name), None)


def _choices(hint: CommandHint, rest: str, catalog: Catalog) -> list[Suggestion]:
    word = _word(rest)
    if word != rest.lstrip() and hint.choices:
        return []  # one word only
    return [Suggestion(c, len(word), "argument") for c in rank(word, hint.choices, str)]


def _selector_argument(hint: CommandHint, rest: str, catalog: Catalog) -> list[Suggestion]:
    return suggest(LIST_PREFIX + rest, catalog)


def _namespace_argument(hint: CommandHint, rest: str, catalog: Catalog) -> list[Suggestion]:
    word = _word(rest)
    ranked = rank(word, catalog.namespaces, lambda n: n.ref)
    return [Suggestion(n.ref, len(word), "namespace", n.meta) for n in ranked]


def _key_argument(hint: CommandHint, rest: str, catalog: Catalog) -> list[Suggestion]:
    word = _SLASHED.search(rest) or _WORD.search(rest)
    typed = word.group() if word else ""
    keys = list(catalog.pod_labels) + list(catalog.namespace_labels)
    return [Suggestion(k, len(typed), "label key") for k in rank(typed, keys, str)]


def _statement_argument(hint: CommandHint, rest: str, catalog: Catalog) -> list[Suggestion]:
    word = _word(rest)
    starts = sorted(t for t in expected_tokens("") if _KEYWORD.fullmatch(t))
    return [Suggestion(s, len(word), "statement") for s in rank(word, starts, str)]


_ARGUMENTS: dict[str, Callable[[CommandHint, str, Catalog], list[Suggestion]]] = {
    "selector": _selector_argument,
    "namespace": _namespace_argument,
    "label key": _key_argument,
    "statement": _statement_argument,
    "path": lambda hint, rest, catalog: [],
}
