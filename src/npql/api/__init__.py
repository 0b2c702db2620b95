"""The public Python API."""

from npql.api.cluster import Answer, Cluster, Options, load, loads

__all__ = ["Answer", "Cluster", "Options", "load", "loads"]
