"""Solving: the only place that calls the Z3 solver, and the result values it produces."""
