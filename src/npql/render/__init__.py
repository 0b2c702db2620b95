"""Renderers: one module per output format; none imports a solver or a parser."""
