"""``\\help``: every statement's form (from the grammar's header) and examples.

Examples come from the ```npql blocks of docs/language.md when the docs are at hand (a source
checkout); statements the docs do not show, or an installed wheel without docs, fall back to
the built-in table below.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from npql.query.grammar import grammar_text

_BLOCK = re.compile(r"```npql\n(.*?)```", re.S)
_FORM = re.compile(r"//   (\S.*?)(?:\s{2,}(\S.*))?$")
_CONTINUATION = re.compile(r"//\s{6,}(\S.*)$")
FORM_WIDTH = 34

BUILTIN_EXAMPLES: dict[str, tuple[str, ...]] = {
    "who": ("who can reach app=backend:80", "who could reach app=postgres:5432"),
    "what": ("what can app=frontend reach",),
    "can": ("can app=frontend reach app=backend:80", "can any pod reach app=postgres:5432"),
    "connectivity": ("connectivity",),
    "why": ("why can app=frontend reach app=backend:80", "why can't app=web reach app=db"),
    "is": ("is app=backend isolated", "is app=backend isolated for egress"),
    "policies": ("policies selecting app=backend",),
    "pods": ("pods selected by policy default/backend-allow-frontend",),
    "describe": ("describe policy default/backend-allow-frontend",),
    "show": ("show pods", "show namespaces with team=web", "show policies in ns shop"),
    "let": ("let web = app=web in ns shop", "who can reach $web:8080"),
    "exposure": ("exposure", "exposure of app=api"),
    "assume": ("assume no ns with pci=true,team!=payments", "assume no pod with role=admin"),
    "assert": (
        "assert can app=frontend reach app=backend:80",
        "assert cannot internet reach app=postgres",
        "assert app=postgres is isolated for ingress",
        "assert only app=api can reach app=postgres:5432",
    ),
    "lint": ("lint",),
    "redundant": ("redundant rules", "redundant rules for any pod"),
}


def docs_path() -> Path:
    """docs/language.md of a source checkout (absent from installed wheels)."""
    return Path(__file__).resolve().parents[3] / "docs" / "language.md"


@lru_cache(maxsize=1)
def statement_forms() -> tuple[tuple[str, str], ...]:
    """(form, description) for each statement in the grammar header's STATEMENTS section."""
    section = _statements_section(grammar_text())
    column = _description_column(section)
    forms: list[tuple[str, str]] = []
    for line in section:
        continued = _CONTINUATION.match(line)
        if continued and forms:
            form, text = forms[-1]
            forms[-1] = (form, f"{text} {continued.group(1)}".strip())
        else:
            forms.append(_split_form(line, column))
    return tuple(forms)


def _description_column(section: list[str]) -> int:
    """Where most descriptions start (the header aligns them in a column)."""
    starts = Counter(m.start(2) for m in map(_FORM.match, section) if m and m.group(2))
    return starts.most_common(1)[0][0] if starts else 0


def _split_form(line: str, column: int) -> tuple[str, str]:
    """(form, description); a form that runs into the column is cut at it."""
    found = _FORM.match(line)
    if found is None:
        return line.removeprefix("//").strip(), ""
    cut = column and len(line) > column and line[column - 1] == " " and line[column].isalpha()
    if found.group(2) or not cut:
        return found.group(1), found.group(2) or ""
    return line[:column].removeprefix("//").strip(), line[column:].strip()


def _statements_section(grammar: str) -> list[str]:
    lines = grammar.splitlines()
    try:
        start = lines.index("// STATEMENTS") + 1
    except ValueError:
        return []
    section: list[str] = []
    for line in lines[start:]:
        if not line.startswith("//  "):
            break
        section.append(line)
    return section


def docs_examples(text: str) -> dict[str, list[str]]:
    """Example statements of a markdown page, by first word."""
    found: dict[str, list[str]] = {}
    for block in _BLOCK.findall(text):
        for line in block.splitlines():
            query = line.strip()
            if query and not query.startswith("#"):
                found.setdefault(query.split()[0].lower(), []).append(query)
    return found


@lru_cache(maxsize=1)
def examples() -> dict[str, tuple[str, ...]]:
    """Examples by statement word: the docs' where they have some, else the built-in table."""
    path = docs_path()
    documented = docs_examples(path.read_text(encoding="utf-8")) if path.is_file() else {}
    merged = {word: tuple(lines) for word, lines in documented.items()}
    for word, lines in BUILTIN_EXAMPLES.items():
        merged.setdefault(word, lines)
    return merged


def topics() -> list[str]:
    """The words ``\\help`` takes: every statement's first word."""
    words = {form.split()[0].lower() for form, _ in statement_forms()} | set(examples())
    return sorted(words)


def help_text(topic: str = "") -> str:
    """All statements, or one statement's forms and examples."""
    if not topic:
        return _overview()
    word = topic.split()[0].lower()
    forms = [(f, d) for f, d in statement_forms() if f.split()[0].lower() == word]
    found = examples().get(word, ())
    if not forms and not found:
        return f"no statement starts with {word!r}; statements: {', '.join(topics())}\n"
    return _forms_block(forms) + "".join(f"  npql> {e}\n" for e in found)


def _overview() -> str:
    return (
        "Statements (\\help WORD shows examples, e.g. \\help who):\n"
        + _forms_block(statement_forms())
        + "Endpoints: SELECTOR [in ns NAME | in ns with SELECTOR], pod NS/NAME, ns NAME,\n"
        + "  svc NS/NAME, any pod [with SELECTOR], ip ADDR, cidr NET, internet, $var\n"
        + "Ports: :80  :8000-8080  :http  :*  (optionally /tcp /udp /sctp)\n"
        + "Backslash commands: \\?    Exit: \\q, exit or Ctrl-D\n"
    )


def _forms_block(forms: Sequence[tuple[str, str]]) -> str:
    width = min(max((len(f) for f, _ in forms), default=0), FORM_WIDTH)
    return "".join(_form_line(form, text, width) for form, text in forms)


def _form_line(form: str, text: str, width: int) -> str:
    if len(form) > width and text:
        return f"  {form}\n  {'':{width}}  {text}\n"
    return f"  {form:{width}}  {text}".rstrip() + "\n"
