"""Backslash commands: a decorator registry with aliases; ``\\?`` lists it.

A handler takes the session state and the argument text and returns the text to print; it
raises ``UsageError`` for a user error and ``ExitRepl`` to leave. No prompt_toolkit here.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from npql.api.resolve import Resolver
from npql.api.reuse import EncodingReuse, Reuse
from npql.errors import QueryError, UsageError
from npql.loader import FileChanges
from npql.model.objects import Pod
from npql.query import parse_statement
from npql.repl.catalog import count
from npql.repl.config import ALIASES, OUTPUT_FORMATS, PARSERS, parse_bool
from npql.repl.helptext import help_text
from npql.repl.session import ExitRepl, LoadNote, SessionState
from npql.repl.suggest import LIST_PREFIX, CommandHint
from npql.repl.tables import labels_text, table
from npql.repl.watch import Watcher, file_mtimes

Handler = Callable[[SessionState, str], str]


@dataclass(frozen=True, slots=True)
class Command:
    """One registered command."""

    name: str
    usage: str
    summary: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    argument: str = ""
    choices: tuple[str, ...] = ()


COMMANDS: dict[str, Command] = {}
_LOOKUP: dict[str, Command] = {}


def command(
    name: str,
    usage: str,
    summary: str,
    *,
    aliases: tuple[str, ...] = (),
    argument: str = "",
    choices: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """Register ``handler`` under ``name`` and its aliases."""

    def register(handler: Handler) -> Handler:
        entry = Command(name, usage, summary, handler, aliases, argument, choices)
        COMMANDS[name] = entry
        for key in (name, *aliases):
            _LOOKUP[key.lower()] = entry
        return handler

    return register


def find(word: str) -> Command | None:
    """The command a word names (its name or an alias), if any."""
    return _LOOKUP.get(word.lower())


def run_command(state: SessionState, text: str) -> str:
    """Run one command line; unknown commands are a UsageError with the list."""
    word, _, arg = text.strip().partition(" ")
    entry = find(word)
    if entry is None:
        raise UsageError(f"unknown command '{word}'; \\? lists the commands")
    return entry.handler(state, arg.strip())


def hints() -> list[CommandHint]:
    """What completion needs: every name and alias that starts with a backslash."""
    return [
        CommandHint(key, entry.summary, entry.argument, entry.choices)
        for entry in COMMANDS.values()
        for key in (entry.name, *entry.aliases)
        if key.startswith("\\")
    ]


# ---------------------------------------------------------------------------------- session


@command("\\?", "\\?", "List the backslash commands.", aliases=("\\commands",))
def list_commands(state: SessionState, arg: str) -> str:
    """The registry as a table."""
    rows = [[entry.usage, ", ".join(entry.aliases), entry.summary] for entry in COMMANDS.values()]
    return table(["command", "aliases", "description"], rows)


@command(
    "\\help",
    "\\help [STATEMENT]",
    "Statements, or one statement's forms and examples.",
    aliases=("\\h", "help"),
    argument="statement",
)
def show_help(state: SessionState, arg: str) -> str:
    """Help about the language."""
    return help_text(arg)


@command("\\q", "\\q", "Leave (also exit, quit, Ctrl-D).", aliases=("\\quit", "exit", "quit", ":q"))
def leave(state: SessionState, arg: str) -> str:
    """Leave the REPL."""
    raise ExitRepl


@command(
    "\\o",
    "\\o text|json|connlist",
    "Set the output format.",
    aliases=("\\T", "\\format"),
    choices=OUTPUT_FORMATS,
)
def output_format(state: SessionState, arg: str) -> str:
    """Show or set the output format."""
    if arg:
        state.settings.set("output", arg)
    return f"output format: {state.settings.output}\n"


@command("\\timing", "\\timing [on|off]", "Print how long each answer took.", choices=("on", "off"))
def timing(state: SessionState, arg: str) -> str:
    """Toggle (or set) timing."""
    state.settings.timing = parse_bool(arg) if arg else not state.settings.timing
    return f"timing is {'on' if state.settings.timing else 'off'}\n"


@command(
    "\\set",
    "\\set [NAME [VALUE]]",
    "Show or change a setting (timeout SECONDS, witnesses N, ...).",
    choices=tuple(sorted(set(PARSERS) | set(ALIASES))),
)
def set_setting(state: SessionState, arg: str) -> str:
    """``\\set`` lists, ``\\set NAME`` shows, ``\\set NAME VALUE`` changes."""
    if not arg:
        return table(["setting", "value"], [[k, _shown(v)] for k, v in state.settings.items()])
    name, _, value = arg.partition(" ")
    key = ALIASES.get(name, name)
    if value:
        state.settings.set(name, value)
        _apply(state, key)
    if not hasattr(state.settings, key):
        raise UsageError(f"unknown setting {name!r}; \\set lists them")
    return f"{name} = {_shown(getattr(state.settings, key))}\n"


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _apply(state: SessionState, key: str) -> None:
    """Make a changed setting take effect."""
    if key == "timeout":
        state.apply_timeout()
    elif key == "watch":
        _set_watch(state, state.settings.watch)
    elif key == "watch_interval" and state.watcher is not None:
        state.watcher.interval = state.settings.watch_interval


# ---------------------------------------------------------------------------------- loading


@command("\\load", "\\load PATH...", "Load manifests (files or folders).", argument="path")
def load_paths(state: SessionState, arg: str) -> str:
    """Replace the cluster with the manifests at the given paths."""
    paths = shlex.split(arg)
    if not paths:
        raise UsageError("\\load takes one or more paths")
    state.load(paths)
    _restart_watch(state)
    state.note("loaded")
    return f"loaded {state.size()} from {' '.join(paths)}\n"


@command("\\reload", "\\reload", "Read the loaded manifests again.", aliases=("\\refresh",))
def reload(state: SessionState, arg: str) -> str:
    """Reload from the same paths, saying what was read again and what was kept."""
    state.reload()
    state.note("reloaded")
    return f"reloaded {state.size()}{reload_note(state.last_load)}\n"


def reload_note(note: LoadNote | None) -> str:
    """`` (1 of 14 files changed; encoding kept)``: why a reload was quick, or was not."""
    if note is None:
        return ""
    parts = [part for part in (files_note(note.files), encoding_note(note.reuse)) if part]
    return f" ({'; '.join(parts)})" if parts else ""


def files_note(files: FileChanges) -> str:
    """``1 of 14 files changed``; ``14 files read`` when there was nothing to compare with."""
    if not files.compared:
        return f"{count(files.files, 'file')} read"
    if not files.any:
        return "no file changed"
    removed = f", {files.removed} removed" if files.removed else ""
    return f"{files.changed} of {count(files.files, 'file')} changed{removed}"


def encoding_note(reuse: Reuse) -> str:
    """What became of the Z3 encoding, and how many namespaces changed."""
    total = count(reuse.namespaces, "namespace")
    if reuse.encoding is EncodingReuse.KEPT:
        return "encoding kept"
    if reuse.encoding is EncodingReuse.PARTIAL:
        return f"{len(reuse.reencoded)} of {total} re-encoded"
    if reuse.encoding is EncodingReuse.REBUILT and reuse.changed:
        return f"{len(reuse.changed)} of {total} changed, encoding rebuilt"
    if reuse.encoding is EncodingReuse.REBUILT:
        return "encoding rebuilt"
    return ""


@command(
    "\\watch",
    "\\watch on|off",
    "Reload automatically when the manifests change.",
    choices=("on", "off"),
)
def watch(state: SessionState, arg: str) -> str:
    """Start or stop the file watcher."""
    if arg:
        _set_watch(state, parse_bool(arg))
    running = state.watcher is not None and state.watcher.running
    return f"watch is {'on' if running else 'off'}\n"


def _set_watch(state: SessionState, on: bool) -> None:
    state.settings.watch = on
    if not on:
        if state.watcher is not None:
            state.watcher.stop()
        state.watcher = None
        return
    if not state.paths or "-" in state.paths:
        state.settings.watch = False
        raise UsageError("nothing to watch: the manifests did not come from files")
    if state.watcher is None:
        state.watcher = Watcher(
            lambda: file_mtimes(state.paths),
            lambda: auto_reload(state),
            state.settings.watch_interval,
        )
    state.watcher.start()


def _restart_watch(state: SessionState) -> None:
    if state.settings.watch:
        _set_watch(state, False)
        _set_watch(state, True)


def auto_reload(state: SessionState) -> None:
    """What the watcher does on a change: reload, and say so in the toolbar."""
    state.note("reloading…")
    try:
        state.reload()
    except Exception as exc:  # shown in the toolbar; the old cluster stays
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        state.note(f"reload failed: {first}")
        return
    state.note("reloaded")


# ---------------------------------------------------------------------------------- listings


@command(
    "\\pods",
    "\\pods [SELECTOR]",
    "List pods and workloads (any endpoint works: app=x in ns y, ns y, svc a/b).",
    aliases=("\\workloads",),
    argument="selector",
)
def list_pods(state: SessionState, arg: str) -> str:
    """Pods (workloads) an endpoint denotes; all of them without an argument."""
    pods = endpoint_pods(state, arg) if arg else list(state.cluster.model.pods)
    rows = [
        [p.namespace, p.name, p.kind, labels_text(p.labels), _ports(p)]
        for p in sorted(pods, key=lambda p: (p.namespace, p.name))
    ]
    return table(["namespace", "name", "kind", "labels", "ports"], rows, "(no pods)")


def endpoint_pods(state: SessionState, text: str) -> list[Pod]:
    """The existing pods an endpoint written as in a query denotes."""
    try:
        statement = parse_statement(LIST_PREFIX + text)
    except QueryError as exc:
        raise _shifted(exc, text, len(LIST_PREFIX)) from None
    cluster = state.cluster
    target = getattr(statement, "target", None)
    if target is None:
        raise UsageError(f"not an endpoint: {text!r}")
    resolver = Resolver(cluster.model, cluster.grouping, cluster.variables)
    return list(resolver.side(target).pods)


def _shifted(exc: QueryError, text: str, offset: int) -> QueryError:
    column = exc.column - offset if exc.line == 1 else exc.column
    return type(exc)(exc.message, text, exc.line, max(column, 1), exc.expected, exc.hint)


def _ports(pod: Pod) -> str:
    return ",".join(
        f"{p.name + ':' if p.name else ''}{p.port}/{p.protocol.value}" for p in pod.ports
    )


@command(
    "\\policies",
    "\\policies [NS]",
    "List NetworkPolicies, of one namespace or all.",
    aliases=("\\np",),
    argument="namespace",
)
def list_policies(state: SessionState, arg: str) -> str:
    """Policies with their types and pod selectors."""
    policies = [p for p in state.cluster.model.policies if not arg or p.namespace == arg]
    rows = [
        [
            p.namespace,
            p.name,
            ",".join(sorted(d.value for d in p.policy_types)),
            str(p.pod_selector) or "{}",
        ]
        for p in sorted(policies, key=lambda p: (p.namespace, p.name))
    ]
    return table(["namespace", "name", "types", "pod selector"], rows, "(no policies)")


@command("\\ns", "\\ns", "List namespaces with their labels.", aliases=("\\namespaces",))
def list_namespaces(state: SessionState, arg: str) -> str:
    """Namespaces, their labels and how many pods and policies each has."""
    model = state.cluster.model
    pods = Counter(p.namespace for p in model.pods)
    policies = Counter(p.namespace for p in model.policies)
    names = sorted(set(model.namespaces) | set(pods))
    rows = [
        [n, str(pods[n]), str(policies[n]), labels_text(model.namespace_labels(n))] for n in names
    ]
    return table(["name", "pods", "policies", "labels"], rows, "(no namespaces)")


@command(
    "\\labels",
    "\\labels [KEY]",
    "Label keys in use, or the values of one key.",
    argument="label key",
)
def list_labels(state: SessionState, arg: str) -> str:
    """Keys with their values (pods and namespaces), or one key's values with counts."""
    catalog = state.catalog
    sources = (("pod", catalog.pod_labels), ("namespace", catalog.namespace_labels))
    if not arg:
        rows = [[k, on, _some(v)] for on, index in sources for k, v in index.items()]
        return table(["key", "on", "values"], rows, "(no labels)")
    rows = [[value, on, str(n)] for on, index in sources for value, n in index.get(arg, {}).items()]
    return table(["value", "on", "count"], rows, f"(no label {arg!r})")


def _some(values: Iterable[str], limit: int = 6) -> str:
    shown = list(values)
    more = f", ... ({len(shown)} values)" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more
