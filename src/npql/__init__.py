"""npql: ask questions about Kubernetes NetworkPolicies, answered by Z3.

>>> import npql
>>> cluster = npql.loads('''
... apiVersion: v1
... kind: Pod
... metadata: {name: web, labels: {app: web}}
... ''')
>>> cluster.query("can pod default/web reach pod default/web:80").allowed
True
"""

__version__ = "0.1.0"

from npql.api import Answer, Cluster, Options, load, loads  # noqa: E402

__all__ = ["Answer", "Cluster", "Options", "__version__", "load", "loads"]
