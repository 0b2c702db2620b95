"""Start-up cost: list answers never load Z3, and the CLI module does not load it either.

Z3's import costs 70-110 ms of a one-second connectivity command (docs/performance.md), so
it loads with the first question that needs the solver, not with npql.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import npql, npql.cli
cluster = npql.load("examples/shop")
for text in ("connectivity", "who can reach app=api", "what can app=web reach", "show pods"):
    cluster.query(text)
assert not any(m == "z3" or m.startswith("z3.") for m in sys.modules), "z3 loaded"
cluster.query("can app=web reach app=api:8443")
assert "z3" in sys.modules, "can-questions use Z3"
print("ok")
"""


def test_list_answers_do_not_import_z3() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
