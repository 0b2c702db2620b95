"""``-o mermaid``: the connectivity map as a Mermaid flowchart (renders in GitHub comments)."""

from __future__ import annotations

import re

from npql.render.report import Graph, Node, connectivity_graph
from npql.solve.results import ConnectivityResult

# What would end a quoted label or be stripped as markup, as look-alikes: Mermaid 11 leaves its
# own entity codes (#quot;, #lt;) undecoded in flowchart labels.
_LOOK_ALIKES = str.maketrans({'"': "'", "<": "\u2039", ">": "\u203a"})


def label(text: str) -> str:
    """A quoted Mermaid label on one line, with quotes and angle brackets as look-alikes."""
    return '"' + " ".join(text.split()).translate(_LOOK_ALIKES) + '"'


class _Ids:
    """Readable, unique, Mermaid-safe ids: ``shop_web``, ``shop_web_2`` on a clash."""

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.used: set[str] = set()

    def new(self, key: str, seed: str) -> str:
        base = re.sub(r"[^A-Za-z0-9]+", "_", seed).strip("_")
        ident, n = base, 1
        while ident in self.used:
            n += 1
            ident = f"{base}_{n}"
        self.used.add(ident)
        self.by_key[key] = ident
        return ident


def _node_text(node: Node) -> str:
    return node.label if node.external else f"{node.label} ({node.kind})"


def _subgraph(ids: _Ids, namespace: str, nodes: tuple[Node, ...]) -> list[str]:
    head = f"  subgraph {ids.new('namespace ' + namespace, 'ns_' + namespace)}"
    lines = [f"{head}[{label('namespace ' + namespace)}]"]
    for n in nodes:
        lines.append(f"    {ids.new(n.key, f'w_{namespace}_{n.label}')}[{label(_node_text(n))}]")
    return [*lines, "  end"]


def mermaid_lines(graph: Graph) -> list[str]:
    """The flowchart, line by line: a subgraph per namespace, addresses, edges."""
    ids = _Ids()
    lines = ["flowchart LR"]
    for namespace, nodes in graph.namespaces:
        lines += _subgraph(ids, namespace, nodes)
    for i, n in enumerate(graph.externals, start=1):
        lines.append(f"  {ids.new(n.key, f'ext_{i}')}[/{label(n.label)}/]")
    for e in graph.edges:
        lines.append(f"  {ids.by_key[e.source]} -->|{label(e.ports)}| {ids.by_key[e.target]}")
    return lines


def render_mermaid(result: ConnectivityResult) -> str:
    """The connectivity map as Mermaid text, in a stable order."""
    return "\n".join(mermaid_lines(connectivity_graph(result))) + "\n"
