"""The compiled bulk evaluator: bitsets over pod groups, derived from the intermediate form.

Z3 is the engine of record; this path exists because a connectivity map of 1,000 pods has
about 160,000 lines and Z3 cannot print them in a second. Tests check it against the Z3
engine on every pair of random clusters.
"""

from npql.fastpath.engine import BitsetEngine

__all__ = ["BitsetEngine"]
