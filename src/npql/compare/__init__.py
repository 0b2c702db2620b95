"""Comparing and cleaning up policy sets.

* :mod:`npql.compare.diff` — the semantic difference of two versions (existing workload pairs
  and address ranges by the bitset engine; every possible pod by Z3);
* :mod:`npql.compare.contain` — containment ("the new version allows nothing the old one did
  not") and equivalence, as CI gates;
* :mod:`npql.compare.safe` — whether a change does what an intent says and nothing else;
* :mod:`npql.compare.redundancy` — policies, rules, peers and ports removable without changing
  what is allowed, and shadowed rules;
* :mod:`npql.compare.lint` — findings with a code, a severity and file:line;
* :mod:`npql.compare.revision` — a folder as it was at a git revision.

Nothing here imports z3: the solver work lives in :mod:`npql.encode.link` and
:mod:`npql.solve.compare`. Import the submodules themselves (this package imports nothing, so
the API layer can import them without cycles).
"""
