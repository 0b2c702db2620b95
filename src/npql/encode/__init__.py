"""Z3 encoding of NetworkPolicy semantics."""
