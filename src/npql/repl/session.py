"""The state of one REPL (or batch) session, and answering an entry: no prompt_toolkit here.

An entry is either a backslash command or statements (a script: ``;`` or new lines between
them). Both the interactive REPL and ``run_batch`` go through ``execute``.
"""

from __future__ import annotations

import inspect
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TextIO, TypeVar

from npql.api import Answer, Cluster, Options, load
from npql.api.reuse import EncodingReuse, Reloaded, Reuse
from npql.api.reuse import carry_over as carry_warm_state
from npql.errors import NpqlError, UsageError
from npql.loader import FileChanges, ParseCache
from npql.model.cluster import Cluster as ClusterModel
from npql.query import Statement, parse
from npql.render.connlist import render_connlist
from npql.render.json import render_json
from npql.repl.catalog import Catalog, count
from npql.repl.config import Settings
from npql.solve.results import ConnectivityResult

if TYPE_CHECKING:
    from npql.repl.watch import Watcher

T = TypeVar("T")
EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 2, 3
EXIT_WORDS = frozenset({"exit", "quit", ":q"})
#: Session definitions a reload keeps (``let`` variables, ``assume`` facts).
CARRIED_OVER = ("variables", "assumptions")

Runner = Callable[[Callable[[], Answer]], Answer]


class ExitRepl(Exception):
    """Raised by ``\\q``, ``exit`` and ``quit``."""


@dataclass(frozen=True, slots=True)
class LoadNote:
    """What the last ``\\load`` or ``\\reload`` read again and kept (``\\reload`` says it)."""

    files: FileChanges
    reuse: Reuse


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one entry produced: output text, or an error message and its exit code."""

    text: str = ""
    error: str = ""
    exit_code: int = EXIT_OK
    seconds: float | None = None


def direct(fn: Callable[[], T]) -> T:
    """The runner without threads (batch mode)."""
    return fn()


class SessionState:
    """The loaded cluster, where it came from, the settings and what the toolbar shows."""

    def __init__(
        self,
        cluster: Cluster,
        paths: list[str],
        settings: Settings,
        parse_cache: ParseCache | None = None,
    ) -> None:
        self.paths = list(paths)
        self.settings = settings
        self.status = ""
        self.last_seconds: float | None = None
        self.last_verdict: str | None = None
        self.watcher: Watcher | None = None
        self.on_change: Callable[[], None] = lambda: None
        self._lock = threading.Lock()
        self.engine_lock = threading.Lock()  # held while a query runs (see worker.py)
        self._loading = threading.Lock()  # the watcher and a command may reload at once
        # The first load's parses, when the caller made them with this cache (repl.run does).
        self.parse_cache = parse_cache if parse_cache is not None else ParseCache()
        self.last_load: LoadNote | None = None
        self.cluster = cluster
        self.catalog = Catalog()
        self.install(cluster)

    # ------------------------------------------------------------------------------ cluster

    def install(self, cluster: Cluster, previous: Cluster | None = None) -> None:
        """Make ``cluster`` current, keeping the session definitions of ``previous``."""
        if previous is not None:
            carry_over(previous, cluster)
        self.cluster = cluster
        self.apply_timeout()
        self.refresh_catalog()

    def refresh_catalog(self) -> None:
        """Rebuild completion data (after a load, or when ``let`` bound a variable)."""
        self.catalog = Catalog.from_model(self.cluster.model, self.cluster.variables)

    def apply_timeout(self) -> None:
        """Give the cluster the session's timeout (``\\set timeout`` takes effect at once)."""
        self.cluster.set_timeout(self.settings.timeout_ms)

    def load(self, paths: list[str]) -> Cluster:
        """Load ``paths`` with the session's options and make them current.

        Files whose text did not change are not parsed again, and what the current cluster
        computed (policies, pod groups, Z3 encodings) is kept where it still holds.
        """
        with self._loading:
            fresh = load(
                paths,
                ipblocks_match_pod_ips=self.settings.ipblocks_match_pod_ips,
                strict=self.settings.strict,
                timeout_ms=self.settings.timeout_ms,
                parse_cache=self.parse_cache,
            )
            reloaded = self._warm(fresh)
            with self._lock:
                self.install(reloaded.cluster, self.cluster)
                self.paths = list(paths)
                self.last_load = LoadNote(self.parse_cache.changes, reloaded.reuse)
        return reloaded.cluster

    def _warm(self, fresh: Cluster) -> Reloaded:
        """``fresh`` with the current cluster's warm state; cold while a query is running
        (its engine is in use, and an abandoned query may run on for a long time)."""
        if not self.engine_lock.acquire(blocking=False):
            return Reloaded(fresh, Reuse(EncodingReuse.REBUILT))
        try:
            return carry_warm_state(self.cluster, fresh)
        finally:
            self.engine_lock.release()

    def reload(self) -> Cluster:
        """Read the same paths again."""
        if not self.paths or "-" in self.paths:
            raise UsageError("nothing to reload: the manifests did not come from files")
        return self.load(self.paths)

    def size(self) -> str:
        """``3 ns · 41 pods · 12 policies``."""
        return cluster_size(self.cluster.model)

    def note(self, status: str) -> None:
        """Show ``status`` in the toolbar."""
        self.status = status
        self.on_change()


def empty_cluster(settings: Settings) -> Cluster:
    """A cluster with nothing loaded (``\\load`` fills it)."""
    options = Options(settings.ipblocks_match_pod_ips, settings.timeout_ms, settings.strict)
    return Cluster(ClusterModel(), options)


def cluster_size(model: ClusterModel) -> str:
    """``3 ns · 41 pods · 12 policies``."""
    namespaces = set(model.namespaces) | {p.namespace for p in model.pods}
    return (
        f"{len(namespaces)} ns · {count(len(model.pods), 'pod')} · "
        f"{len(model.policies)} {'policy' if len(model.policies) == 1 else 'policies'}"
    )


def carry_over(previous: Cluster, cluster: Cluster) -> None:
    """Copy ``let`` variables and ``assume`` facts to a newly loaded cluster."""
    for name in CARRIED_OVER:
        old, new = getattr(previous, name, None), getattr(cluster, name, None)
        if isinstance(old, dict) and isinstance(new, dict):
            new.update(old)
        elif isinstance(old, list) and isinstance(new, list):
            new.extend(old)


# ---------------------------------------------------------------------------------- entries


def is_command(text: str) -> bool:
    """Backslash commands and the exit words bypass the query parser."""
    stripped = text.strip()
    return stripped.startswith("\\") or stripped.lower() in EXIT_WORDS


def execute(state: SessionState, text: str, runner: Runner = direct) -> Iterator[Outcome]:
    """Answer one entry, statement by statement as they are answered.

    User errors and bugs become Outcomes; ``ExitRepl`` and Ctrl-C propagate.
    """
    from npql.repl.commands import run_command

    if is_command(text):
        yield _guard(lambda: Outcome(run_command(state, text.strip())))
        return
    try:
        script = parse(text)
    except NpqlError as exc:
        yield Outcome(error=str(exc), exit_code=exc.exit_code)
        return
    for statement in script.statements:
        yield _guard(partial(answer, state, statement, runner))


def _guard(produce: Callable[[], Outcome]) -> Outcome:
    try:
        return produce()
    except (ExitRepl, KeyboardInterrupt):
        raise
    except NpqlError as exc:
        return Outcome(error=str(exc), exit_code=exc.exit_code)
    except Exception:  # a bug in npql, never the user's fault
        trace = traceback.format_exc()
        return Outcome(error="internal error (please report it):\n" + trace, exit_code=3)


def answer(state: SessionState, statement: Statement, runner: Runner = direct) -> Outcome:
    """Answer one statement and render it in the session's output format."""
    cluster = state.cluster
    kwargs = witness_kwargs(cluster, state.settings.max_witnesses)
    query: Callable[..., Answer] = cluster.query
    started = time.perf_counter()
    result = runner(lambda: query(statement, **kwargs))
    seconds = time.perf_counter() - started
    state.last_seconds, state.last_verdict = seconds, result.verdict
    if cluster.variables.keys() != set(state.catalog.variables):
        state.refresh_catalog()
    return Outcome(render(result, state.settings.output), seconds=seconds)


def witness_kwargs(cluster: Cluster, witnesses: int) -> dict[str, int]:
    """Pass ``\\set witnesses N`` on when ``Cluster.query`` takes it (not every version does)."""
    parameters = inspect.signature(cluster.query).parameters
    for name in ("max_witnesses", "witnesses"):
        if name in parameters:
            return {name: witnesses}
    return {}


def render(answer: Answer, output: str) -> str:
    """The answer in an output format (the same renderers as the CLI)."""
    if output == "json":
        return render_json(answer.result) + "\n"
    if output == "connlist":
        if not isinstance(answer.result, ConnectivityResult):
            raise UsageError("output connlist prints the answer to 'connectivity' only")
        return render_connlist(answer.result)
    return str(answer)


def write_outcome(outcome: Outcome, stdout: TextIO, stderr: TextIO, timing: bool) -> None:
    """Plain output (batch mode): answers to stdout, errors to stderr."""
    if outcome.text:
        stdout.write(outcome.text if outcome.text.endswith("\n") else outcome.text + "\n")
    if outcome.error:
        stderr.write(error_text(outcome))
    if timing and outcome.seconds is not None:
        stdout.write(f"Time: {outcome.seconds:.3f}s\n")


def error_text(outcome: Outcome) -> str:
    """``error: ...`` for user errors; internal errors carry their own heading."""
    prefix = "" if outcome.exit_code == EXIT_INTERNAL else "error: "
    return f"{prefix}{outcome.error.rstrip()}\n"
