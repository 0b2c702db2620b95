"""``-o dot`` / ``-o svg`` / ``-o png``: the connectivity map as a Graphviz digraph."""

from __future__ import annotations

import shutil
import subprocess

from npql.errors import InternalError, UsageError
from npql.render.report import Edge, Graph, Node, connectivity_graph
from npql.solve.results import ConnectivityResult

IMAGE_FORMATS = ("svg", "png")
FONT = "Helvetica,Arial,sans-serif"


def quote(text: str) -> str:
    """A DOT double-quoted id: backslashes and quotes escaped, newlines as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _label(node: Node) -> str:
    # Each line escaped on its own, joined by DOT's centred line break.
    return "\\n".join(quote(part)[1:-1] for part in (node.label, node.kind))


def _workload(node: Node) -> str:
    return f'{quote(node.key)} [label="{_label(node)}"];'


def _external(node: Node) -> str:
    style = 'style="filled,dashed", fillcolor="#fff4e5"'
    return f"{quote(node.key)} [label={quote(node.label)}, {style}];"


def _cluster(namespace: str, nodes: tuple[Node, ...]) -> list[str]:
    lines = [
        f"  subgraph {quote('cluster_' + namespace)} {{",
        f"    label={quote('namespace ' + namespace)};",
        '    style="rounded,filled"; fillcolor="#f6f8fa"; color="#8c959f";',
    ]
    lines += [f"    {_workload(n)}" for n in nodes]
    return [*lines, "  }"]


def _edge(edge: Edge) -> str:
    return f"  {quote(edge.source)} -> {quote(edge.target)} [label={quote(edge.ports)}];"


def dot_lines(graph: Graph, title: str) -> list[str]:
    """The digraph, line by line: header, one cluster per namespace, addresses, edges."""
    lines = [
        "digraph npql {",
        f"  graph [rankdir=LR, label={quote(title)}, labelloc=t, fontname={quote(FONT)}];",
        f'  node [shape=box, style="rounded,filled", fillcolor="#ddf4ff", fontname={quote(FONT)}];',
        f"  edge [fontname={quote(FONT)}, fontsize=10];",
    ]
    for namespace, nodes in graph.namespaces:
        lines += _cluster(namespace, nodes)
    lines += [f"  {_external(n)}" for n in graph.externals]
    lines += [_edge(e) for e in graph.edges]
    return [*lines, "}"]


def render_dot(result: ConnectivityResult) -> str:
    """The connectivity map as DOT text, in a stable order."""
    return "\n".join(dot_lines(connectivity_graph(result), result.query)) + "\n"


def render_image(result: ConnectivityResult, fmt: str) -> bytes:
    """The connectivity map drawn by Graphviz's ``dot`` as SVG or PNG bytes."""
    if fmt not in IMAGE_FORMATS:
        raise UsageError(f"image format {fmt!r}: choose one of {', '.join(IMAGE_FORMATS)}")
    binary = shutil.which("dot")
    if binary is None:
        raise UsageError(
            f"-o {fmt} needs Graphviz's 'dot' program: install graphviz "
            "(apt-get install graphviz, brew install graphviz), or use -o dot / -o html"
        )
    done = subprocess.run(
        [binary, f"-T{fmt}"], input=render_dot(result).encode(), capture_output=True, check=False
    )
    if done.returncode != 0:
        raise InternalError(f"dot -T{fmt} rejected npql's graph: {done.stderr.decode().strip()}")
    return done.stdout
