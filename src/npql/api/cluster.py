"""The public API: ``npql.load`` / ``npql.loads`` return a ``Cluster``; ``Cluster.query`` answers.

One engine for every way in: the CLI, the REPL and scripts all call ``Cluster.query``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, TextIO

from npql.api.answer import Answerer
from npql.api.notes import cluster_warnings
from npql.errors import QuerySemanticError
from npql.fastpath import BitsetEngine
from npql.ir.groups import Grouping, group_pods
from npql.ir.policies import PolicySet, compile_policies
from npql.ir.sides import Forbidden
from npql.loader import ParseCache, load_paths, load_text
from npql.model.cluster import Cluster as ClusterModel
from npql.query import ast, parse_statement
from npql.render.json import to_dict
from npql.solve.results import Result

if TYPE_CHECKING:  # Z3 loads with the first question that needs it, not with npql
    from npql.solve.engine import IncrementalSolver

SLICE_ABOVE = 400  # pod groups: up to this the whole-cluster encoding is built once and kept warm
# Sliced questions answered before that whole-cluster encoding is built. On 1,000 pods a
# slice costs 25-50 ms, the whole encoding 0.2-0.35 s, a warm check on it ~5 ms: one or two
# questions (the command line, a CI check) are answered sooner from slices, and a session
# that keeps asking pays the whole encoding at its third question to answer in milliseconds.
WHOLE_AFTER = 2
MAX_SLICES = 32


@dataclass(frozen=True, slots=True)
class Options:
    """Engine options that change answers; every one is named in answers that depend on it."""

    ipblocks_match_pod_ips: bool = False
    timeout_ms: int | None = None
    strict: bool = False


class Answer:
    """A result plus its JSON form; ``.allowed`` for can-queries."""

    def __init__(self, result: Result) -> None:
        self.result = result

    @property
    def allowed(self) -> bool | None:
        """For a can-query: True, False, or None when unknown. None for other statements."""
        return getattr(self.result, "allowed", None)

    @property
    def verdict(self) -> str | None:
        """For a can-query: "allowed", "denied" or "unknown"."""
        verdict = getattr(self.result, "verdict", None)
        return None if verdict is None else str(verdict.value)

    def to_dict(self) -> dict[str, object]:
        """Exactly the document ``-o json`` prints."""
        return to_dict(self.result)

    def __str__(self) -> str:
        from npql.render.text import render_text

        return render_text(self.result)


class Cluster:
    """A loaded cluster with its compiled policies, ready to answer queries."""

    def __init__(self, model: ClusterModel, options: Options | None = None) -> None:
        self.model = model
        self.options = options or Options()
        self.variables: dict[str, ast.Endpoint] = {}
        self.assumptions: list[Forbidden] = []
        self._slices: dict[frozenset[int], IncrementalSolver] = {}

    @cached_property
    def policies(self) -> PolicySet:
        """The intermediate form every engine reads."""
        return compile_policies(self.model)

    @cached_property
    def grouping(self) -> Grouping:
        """Pods grouped by what policies can observe."""
        return group_pods(
            self.model, self.policies, with_addresses=self.options.ipblocks_match_pod_ips
        )

    @cached_property
    def bitsets(self) -> BitsetEngine:
        """The bulk evaluator."""
        return BitsetEngine(
            self.grouping, self.policies, ipblocks_match_pod_ips=self.options.ipblocks_match_pod_ips
        )

    @cached_property
    def solver(self) -> IncrementalSolver:
        """The Z3 engine of record, kept warm between queries."""
        from npql.encode.encoding import Encoding
        from npql.solve.engine import IncrementalSolver

        encoding = Encoding(
            self.model,
            self.policies,
            self.grouping,
            ipblocks_match_pod_ips=self.options.ipblocks_match_pod_ips,
        )
        return IncrementalSolver(encoding, self.options.timeout_ms)

    def solver_for(self, groups: frozenset[int] | None) -> IncrementalSolver:
        """The Z3 engine for a question: sliced to the pod groups it names when it names only
        existing pods (``groups``), else the shared encoding of the whole cluster.

        A slice keeps the cluster-scoped rules and the NetworkPolicies of the groups'
        namespaces, which are the only ones that can select those pods: the same semantics on
        a formula a hundred times smaller. Up to SLICE_ABOVE groups, the first WHOLE_AFTER
        such questions are sliced, and the whole-cluster encoding answers from then on
        (slices a reload kept still answer their own questions until it is built).
        """
        if groups is None:
            return self.solver
        small = len(self.grouping.groups) <= SLICE_ABOVE
        if small and "solver" in self.__dict__:
            return self.solver
        cached = self._slices.get(groups)  # e.g. kept by a reload that left its namespaces alone
        if cached is None and small and len(self._slices) >= WHOLE_AFTER:
            return self.solver
        if cached is None:
            cached = self._slice(groups)
            if len(self._slices) >= MAX_SLICES:
                self._slices.pop(next(iter(self._slices)))
            self._slices[groups] = cached
        return cached

    def _slice(self, groups: frozenset[int]) -> IncrementalSolver:
        from npql.encode.encoding import Encoding
        from npql.solve.engine import IncrementalSolver

        members = tuple(self.grouping.groups[i] for i in sorted(groups))
        namespaces = {g.namespace for g in members}
        policies = tuple(p for p in self.policies.policies if p.namespace in namespaces)
        by_ns = {ns: ps for ns, ps in self.policies.by_namespace.items() if ns in namespaces}
        sliced = PolicySet(policies, by_ns, self.policies.tiers)
        grouping = Grouping(members, self.grouping.group_of)
        encoding = Encoding(
            self.model,
            sliced,
            grouping,
            ipblocks_match_pod_ips=self.options.ipblocks_match_pod_ips,
            existing_only=True,
        )
        return IncrementalSolver(encoding, self.options.timeout_ms)

    @cached_property
    def policies_have_domains(self) -> bool:
        """Whether some cluster-scoped rule names domainNames peers."""
        return any(r.undecidable for r in self.policies.tiers)

    @cached_property
    def self_groups(self) -> list[int]:
        """Groups that are one bare Pod: the only ones where src == dst is the same pod."""
        return [
            g.index for g in self.grouping.groups if len(g.pods) == 1 and g.pods[0].kind == "Pod"
        ]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings every answer carries (unmodelled policy kinds, loader notes)."""
        return cluster_warnings(self.model, self.options.ipblocks_match_pod_ips)

    def set_timeout(self, timeout_ms: int | None) -> None:
        """Change the per-check time limit, for the warm solver and its slices too."""
        self.options = replace(self.options, timeout_ms=timeout_ms)
        if "solver" in self.__dict__:
            self.solver.timeout_ms = timeout_ms
        for sliced in self._slices.values():
            sliced.timeout_ms = timeout_ms

    def interrupt(self) -> None:
        """Interrupt a query running in another thread (its answer becomes UNKNOWN)."""
        if "solver" in self.__dict__:
            self.solver.interrupt()
        for sliced in list(self._slices.values()):
            sliced.interrupt()

    def query(self, text: str | ast.Statement) -> Answer:
        """Answer one statement (text or AST)."""
        statement = parse_statement(text) if isinstance(text, str) else text
        try:
            return Answer(Answerer(self).answer(statement))
        except QuerySemanticError as exc:
            raise exc.located(text if isinstance(text, str) else str(statement)) from None


def load(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    ipblocks_match_pod_ips: bool = False,
    strict: bool = False,
    timeout_ms: int | None = None,
    stdin: TextIO | None = None,
    max_file_bytes: int | None = None,
    max_objects: int | None = None,
    parse_cache: ParseCache | None = None,
) -> Cluster:
    """Load manifests from files, folders or ``-`` (stdin): one path (``str`` or ``Path``)
    or a sequence of them.

    ``max_file_bytes`` / ``max_objects`` raise (or, with 0, lift) the loader's safety limits.
    ``parse_cache`` (a ``ParseCache`` kept between loads) parses again only the files that
    changed; ``npql.api.reuse.carry_over`` then keeps what the previous Cluster computed.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    path_list = [os.fspath(p) for p in paths]
    limits = {
        k: v
        for k, v in (("max_file_bytes", max_file_bytes), ("max_objects", max_objects))
        if v is not None
    }
    model = load_paths(path_list, strict=strict, stdin=stdin, parse_cache=parse_cache, **limits)
    return Cluster(model, Options(ipblocks_match_pod_ips, timeout_ms, strict))


def loads(
    text: str,
    *,
    ipblocks_match_pod_ips: bool = False,
    strict: bool = False,
    timeout_ms: int | None = None,
) -> Cluster:
    """Load manifests from a YAML (or JSON) string."""
    model = load_text(text, strict=strict)
    return Cluster(model, Options(ipblocks_match_pod_ips, timeout_ms, strict))
