"""``-o html``: one self-contained page (inline CSS, SVG and JS; nothing fetched) with the
script's assertions, the connectivity table and a connectivity graph laid out here.

Layout: two columns, senders on the left and receivers on the right, each grouped in namespace
boxes in the same order (address ranges sending in on top left, receiving at the bottom right,
so most edges slope the same way). A workload that both sends and receives appears once per
column. Every edge runs left to right and crosses no box; its ends are spread over each node's
height in the order of the far ends, and its ports label sits where it overlaps least.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from npql import __version__
from npql.render.report import (
    ERROR,
    Edge,
    Graph,
    Node,
    Outcome,
    connectivity_graph,
    counts_text,
    outcomes,
    succeeded,
)
from npql.solve.results import ConnectivityResult, ScriptReport, Status

MAX_GRAPH_WORKLOADS = 50

MARGIN = 16.0
TOP = 40.0  # room for the column headings
NODE_H = 38.0
NODE_GAP = 10.0
BOX_PAD = 10.0
BOX_HEADER = 26.0
GROUP_GAP = 18.0
MIN_GAP = 300.0
MAX_GAP = 640.0
NAME_CHAR_W = 8.2
TITLE_CHAR_W = 7.6
LABEL_CHAR_W = 6.3
LABEL_H = 15.0
ALL_PORTS = "All Connections"


# --- geometry -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        """The right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """The bottom edge."""
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        """True when the two rectangles share any area."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


Point = tuple[float, float]
Curve = tuple[Point, Point, Point, Point]


def bezier(c: Curve, t: float) -> Point:
    """The point at ``t`` on a cubic Bezier curve."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = c
    a, b, d, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
    return (a * x0 + b * x1 + d * x2 + e * x3, a * y0 + b * y1 + d * y2 + e * y3)


# --- layout ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """A titled box drawn behind nodes: a namespace, or a group of address ranges."""

    title: str
    box: Box
    external: bool


@dataclass(slots=True)
class Layout:
    """Where everything goes: frames, nodes by drawing key (``src:`` / ``dst:`` + node key)."""

    width: float = 0.0
    height: float = 0.0
    columns: tuple[float, float] = (0.0, 0.0)
    frames: list[Frame] = field(default_factory=list)
    nodes: dict[str, tuple[Node, Box]] = field(default_factory=dict)


Group = tuple[str, list[Node], bool]  # title, nodes, external


def _node_width(node: Node) -> float:
    return 22.0 + NAME_CHAR_W * max(len(node.label), len(node.kind) * 0.8, 8)


def _column_width(groups: list[Group]) -> float:
    nodes = [_node_width(n) for _, ns, _ in groups for n in ns]
    titles = [TITLE_CHAR_W * len(title) for title, _, _ in groups]
    return max(nodes + titles + [120.0]) + 2 * BOX_PAD


def _groups(graph: Graph, keys: set[str], external_title: str) -> list[Group]:
    """The namespaces, then the address ranges, with only the nodes among ``keys``."""
    groups: list[Group] = []
    for ns, nodes in graph.namespaces:
        chosen = [n for n in nodes if n.key in keys]
        if chosen:
            groups.append((f"namespace {ns}", chosen, False))
    outside = [n for n in graph.externals if n.key in keys]
    return groups + ([(external_title, outside, True)] if outside else [])


def _place_column(layout: Layout, groups: list[Group], x: float, prefix: str) -> float:
    """Stack the groups from the top at ``x``; returns the column's bottom."""
    width, y = _column_width(groups), MARGIN + TOP
    for title, nodes, external in groups:
        h = BOX_HEADER + len(nodes) * (NODE_H + NODE_GAP) - NODE_GAP + BOX_PAD
        layout.frames.append(Frame(title, Box(x, y, width, h), external))
        ny = y + BOX_HEADER
        for node in nodes:
            layout.nodes[prefix + node.key] = (
                node,
                Box(x + BOX_PAD, ny, width - 2 * BOX_PAD, NODE_H),
            )
            ny += NODE_H + NODE_GAP
        y += h + GROUP_GAP
    return y - GROUP_GAP


def _gap(graph: Graph) -> float:
    """Room between the columns: more edges, more room for their labels side by side."""
    longest = max((len(e.ports) for e in graph.edges), default=0)
    room = max(MIN_GAP, 240 + 6 * len(graph.edges), 3 * (LABEL_CHAR_W * longest + 16))
    return min(room, MAX_GAP)


def layout_graph(graph: Graph) -> Layout:
    """Place every frame and node: senders left, receivers right."""
    senders = _groups(graph, {e.source for e in graph.edges}, "from outside the cluster")
    receivers = _groups(graph, {e.target for e in graph.edges}, "to outside the cluster")
    # address ranges that send go on top of the left column
    senders = senders[-1:] + senders[:-1] if senders and senders[-1][2] else senders
    layout = Layout()
    left_x = MARGIN
    right_x = left_x + _column_width(senders) + _gap(graph)
    left_bottom = _place_column(layout, senders, left_x, "src:")
    right_bottom = _place_column(layout, receivers, right_x, "dst:")
    layout.columns = (left_x, right_x)
    layout.width = right_x + _column_width(receivers) + MARGIN
    layout.height = max(left_bottom, right_bottom) + MARGIN
    return layout


# --- edges ----------------------------------------------------------------------------------


def _anchor_ys(layout: Layout, edges: tuple[Edge, ...]) -> list[tuple[float, float]]:
    """Each edge's end heights: ends on one node are spread, ordered by the far end's height."""
    slots: dict[str, list[tuple[float, int, int]]] = {}
    for i, e in enumerate(edges):
        s, t = layout.nodes["src:" + e.source][1], layout.nodes["dst:" + e.target][1]
        slots.setdefault("src:" + e.source, []).append((t.y, i, 0))
        slots.setdefault("dst:" + e.target, []).append((s.y, i, 1))
    ys = [[0.0, 0.0] for _ in edges]
    for key, ends in slots.items():
        box = layout.nodes[key][1]
        for k, (_, i, end) in enumerate(sorted(ends)):
            ys[i][end] = box.y + 5 + (box.h - 10) * (k + 1) / (len(ends) + 1)
    return [(a, b) for a, b in ys]


def edge_curve(s: Box, t: Box, sy: float, ty: float) -> Curve:
    """A cubic curve from the sender's right side to the receiver's left side (arrow room)."""
    x0, x3 = s.right, t.x - 7
    pull = (x3 - x0) / 2
    return ((x0, sy), (x0 + pull, sy), (x3 - pull, ty), (x3, ty))


def _label_box(c: Curve, t: float, text: str) -> Box:
    x, y = bezier(c, t)
    w = LABEL_CHAR_W * len(text) + 8
    return Box(x - w / 2, y - LABEL_H / 2, w, LABEL_H)


LABEL_POSITIONS = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8, 0.45, 0.55, 0.33, 0.67)


def place_label(c: Curve, text: str, taken: list[Box]) -> Box:
    """The label's box at the first free point of the curve (its middle if none is)."""
    for t in LABEL_POSITIONS:
        box = _label_box(c, t, text)
        if not any(box.overlaps(other) for other in taken):
            taken.append(box)
            return box
    box = _label_box(c, 0.5, text)
    taken.append(box)
    return box


# --- SVG ------------------------------------------------------------------------------------


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _path(c: Curve) -> str:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = c
    return f"M{_f(x0)},{_f(y0)} C{_f(x1)},{_f(y1)} {_f(x2)},{_f(y2)} {_f(x3)},{_f(y3)}"


def _svg_frame(frame: Frame) -> str:
    b = frame.box
    cls = "frame external" if frame.external else "frame"
    return (
        f'<g class="{cls}"><rect x="{_f(b.x)}" y="{_f(b.y)}" width="{_f(b.w)}" '
        f'height="{_f(b.h)}" rx="8"/><text x="{_f(b.x + BOX_PAD)}" y="{_f(b.y + 17)}">'
        f"{escape(frame.title)}</text></g>"
    )


def _svg_node(node: Node, b: Box) -> str:
    cls = "node external" if node.external else "node"
    kind = "address range" if node.external else node.kind
    return (
        f'<g class="{cls}" data-key="{escape(node.key)}"><title>{escape(node.key)}</title>'
        f'<rect x="{_f(b.x)}" y="{_f(b.y)}" width="{_f(b.w)}" height="{_f(b.h)}" rx="6"/>'
        f'<text class="kind" x="{_f(b.x + 10)}" y="{_f(b.y + 13)}">{escape(kind)}</text>'
        f'<text class="name" x="{_f(b.x + 10)}" y="{_f(b.y + 30)}">{escape(node.label)}</text>'
        "</g>"
    )


def _svg_label(label: Box, text: str) -> str:
    return (
        f'<rect x="{_f(label.x)}" y="{_f(label.y)}" width="{_f(label.w)}" '
        f'height="{_f(label.h)}" rx="3"/>'
        f'<text x="{_f(label.x + label.w / 2)}" y="{_f(label.y + 11)}">{escape(text)}</text>'
    )


def _svg_edge(edge: Edge, c: Curve, label: Box | None) -> str:
    """One edge; unlabelled (dashed, see the legend) when every port is allowed."""
    is_open = edge.ports == ALL_PORTS
    title = f"{edge.source} → {edge.target} : {edge.ports}"
    return (
        f'<g class="{"edge open" if is_open else "edge"}" data-src="{escape(edge.source)}" '
        f'data-dst="{escape(edge.target)}"><title>{escape(title)}</title>'
        f'<path d="{_path(c)}" marker-end="url(#{"arrow-open" if is_open else "arrow"})"/>'
        f"{'' if label is None else _svg_label(label, edge.ports)}</g>"
    )


def _marker(ident: str, colour: str) -> str:
    return (
        f'<marker id="{ident}" viewBox="0 0 10 10" refX="2" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    )


def _svg_edges(layout: Layout, edges: tuple[Edge, ...]) -> list[str]:
    taken: list[Box] = []
    out = []
    for edge, (sy, ty) in zip(edges, _anchor_ys(layout, edges), strict=True):
        s, t = layout.nodes["src:" + edge.source][1], layout.nodes["dst:" + edge.target][1]
        curve = edge_curve(s, t, sy, ty)
        label = None if edge.ports == ALL_PORTS else place_label(curve, edge.ports, taken)
        out.append(_svg_edge(edge, curve, label))
    return out


def _headings(layout: Layout) -> list[str]:
    y = _f(MARGIN + 18)
    return [
        f'<text class="heading" x="{_f(x)}" y="{y}">{text}</text>'
        for x, text in zip(layout.columns, ("sources", "destinations"), strict=True)
    ]


def render_svg(graph: Graph) -> str:
    """The connectivity graph as one inline ``<svg>`` element."""
    layout = layout_graph(graph)
    w, h = _f(layout.width), _f(layout.height)
    parts = [
        f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="connectivity graph">',
        f"<defs>{_marker('arrow', '#0969da')}{_marker('arrow-open', '#bc4c00')}</defs>",
        *_headings(layout),
        *[_svg_frame(f) for f in layout.frames],
        *_svg_edges(layout, graph.edges),
        *[_svg_node(n, b) for n, b in layout.nodes.values()],
        "</svg>",
    ]
    return "\n".join(parts)


# --- page -----------------------------------------------------------------------------------

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --ok:#1a7f37; --bad:#cf222e;
  --warn:#9a6700; --port:#0969da; --open:#bc4c00; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0; }
.summary { display: inline-block; margin-top: 14px; padding: 8px 14px; border-radius: 6px;
  font-weight: 600; border: 1px solid var(--line); }
.summary.ok { color: var(--ok); background: #dafbe1; border-color: #aceebb; }
.summary.bad { color: var(--bad); background: #ffebe9; border-color: #ffcecb; }
table { border-collapse: collapse; width: 100%; max-width: 1200px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; color: var(--muted); width: 4em; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, "DejaVu Sans Mono", monospace; }
.status { font-weight: 600; white-space: nowrap; }
.passed { color: var(--ok); } .failed, .error { color: var(--bad); }
.unknown { color: var(--warn); }
details { margin: 6px 0; } summary { cursor: pointer; }
pre { background: #f6f8fa; padding: 10px; border-radius: 6px; overflow-x: auto; margin: 6px 0; }
.note { color: var(--muted); font-style: italic; }
.legend span { margin-right: 18px; } .legend i { display: inline-block; width: 26px;
  height: 0; border-top: 2px solid var(--port); vertical-align: middle; margin-right: 6px; }
.legend i.open { border-top: 2px dashed var(--open); }
.graph { overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: 4px; }
#graph { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", sans-serif; }
#graph .frame rect { fill: #f6f8fa; stroke: #afb8c1; }
#graph .frame.external rect { fill: #fff8f0; stroke: #e3b48a; stroke-dasharray: 5 3; }
#graph .heading { font-size: 13px; font-weight: 700; fill: var(--fg); }
#graph .frame text { font-size: 12px; font-weight: 600; fill: var(--muted); }
#graph .node rect { fill: #ddf4ff; stroke: #54aeff; }
#graph .node.external rect { fill: #fff1e5; stroke: #fb8f44; }
#graph .node .name { font-size: 13px; font-weight: 600; fill: var(--fg); }
#graph .node .kind { font-size: 10px; fill: var(--muted); }
#graph .edge path { fill: none; stroke: var(--port); stroke-width: 1.4; }
#graph .edge.open path { stroke: var(--open); stroke-dasharray: 6 3; }
#graph .edge rect { fill: #fff; fill-opacity: .9; stroke: none; }
#graph .edge text { font-size: 10.5px; text-anchor: middle; fill: var(--port); }
#graph .edge.open text { fill: var(--open); }
#graph.focus .edge:not(.on), #graph.focus .node:not(.on) { opacity: .15; }
#graph .edge.on path { stroke-width: 2.6; }
#filter { margin: 4px 0 8px; padding: 4px 8px; width: 320px; max-width: 100%; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"""

_JS = """
(() => {
  const svg = document.getElementById("graph");
  if (svg) {
    const edges = [...svg.querySelectorAll(".edge")];
    svg.querySelectorAll(".node").forEach((node) => {
      const key = node.dataset.key;
      node.addEventListener("mouseenter", () => {
        svg.classList.add("focus");
        svg.querySelectorAll(`.node[data-key="${CSS.escape(key)}"]`)
          .forEach((n) => n.classList.add("on"));
        edges.forEach((e) => {
          if (e.dataset.src !== key && e.dataset.dst !== key) return;
          e.classList.add("on");
          const other = e.dataset.src === key ? e.dataset.dst : e.dataset.src;
          svg.querySelectorAll(`.node[data-key="${CSS.escape(other)}"]`)
            .forEach((n) => n.classList.add("on"));
        });
      });
      node.addEventListener("mouseleave", () => {
        svg.classList.remove("focus");
        svg.querySelectorAll(".on").forEach((e) => e.classList.remove("on"));
      });
    });
  }
  const filter = document.getElementById("filter");
  if (filter) {
    const rows = [...document.querySelectorAll("#connections tbody tr")];
    filter.addEventListener("input", () => {
      const q = filter.value.toLowerCase();
      rows.forEach((r) => { r.hidden = !r.textContent.toLowerCase().includes(q); });
    });
  }
})();
"""

_STATUS_TEXT = {
    Status.PASSED.value: "✔ passed",
    Status.FAILED.value: "✘ failed",
    Status.UNKNOWN.value: "? unknown",
    ERROR: "! error",
}


def _summary(report: ScriptReport) -> str:
    cls = "ok" if succeeded(report) else "bad"
    mark = "✔" if succeeded(report) else "✘"
    return f'<div class="summary {cls}">{mark} {escape(counts_text(report))}</div>'


def _assertion_row(o: Outcome) -> str:
    detail = escape(o.message)
    if o.detail and not o.ok:
        detail += f"<details><summary>details</summary><pre>{escape(o.detail)}</pre></details>"
    return (
        f'<tr><td class="num">{o.line}</td><td><code>{escape(o.text)}</code></td>'
        f'<td class="status {o.status}">{_STATUS_TEXT[o.status]}</td><td>{detail}</td></tr>'
    )


def _assertions(report: ScriptReport) -> list[str]:
    rows = outcomes(report)
    if not rows:
        return ["<h2>Assertions</h2>", '<p class="note">No assertions in this script.</p>']
    return [
        "<h2>Assertions</h2>",
        "<table><thead><tr><th>Line</th><th>Assertion</th><th>Status</th><th>Detail</th>"
        "</tr></thead><tbody>",
        *[_assertion_row(o) for o in rows],
        "</tbody></table>",
    ]


def _graph(graph: Graph) -> list[str]:
    count = len(graph.workloads)
    head = ["<h2>Connectivity graph</h2>"]
    if count > MAX_GRAPH_WORKLOADS:
        return [
            *head,
            f'<p class="note">The graph is drawn for up to {MAX_GRAPH_WORKLOADS} workloads; '
            f"this answer has {count}. See the table below, or draw it with "
            "<code>-o svg</code> (Graphviz).</p>",
        ]
    if not graph.edges:
        return [*head, '<p class="note">No connection is allowed: nothing to draw.</p>']
    legend = (
        '<p class="legend"><span><i></i>specific ports</span>'
        '<span><i class="open"></i>all connections (unlabelled)</span>'
        "<span>hover a workload to highlight its connections</span></p>"
    )
    return [*head, legend, '<div class="graph">', render_svg(graph), "</div>"]


def _connections(result: ConnectivityResult) -> list[str]:
    head = f"<h2>Connectivity ({len(result.connections)} allowed)</h2>"
    if not result.connections:
        return [head, '<p class="note">No connection is allowed.</p>']
    rows = [
        f"<tr><td>{escape(str(c.source))}</td><td>{escape(str(c.target))}</td>"
        f"<td>{escape(str(c.ports))}</td></tr>"
        for c in result.connections
    ]
    return [
        head,
        '<input id="filter" type="search" placeholder="filter connections" '
        'aria-label="filter connections">',
        '<table id="connections"><thead><tr><th>Source</th><th>Destination</th><th>Ports</th>'
        "</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _warnings(warnings: tuple[str, ...]) -> list[str]:
    return [f'<p class="note">⚠ {escape(w)}</p>' for w in warnings]


def render_html(report: ScriptReport | None, connectivity: ConnectivityResult) -> str:
    """The whole report as one HTML page that needs nothing from the network."""
    title = f"npql report: {report.path}" if report is not None else "npql connectivity"
    body = [f"<h1>{escape(title)}</h1>", f'<p class="meta">{escape(connectivity.query)}</p>']
    if report is not None:
        body += [_summary(report), *_assertions(report)]
    body += _graph(connectivity_graph(connectivity))
    body += _connections(connectivity) + _warnings(connectivity.warnings)
    body.append(f"<footer>generated by npql {escape(__version__)}</footer>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            *body,
            f"<script>{_JS}</script>",
            "</body>",
            "</html>",
        ]
    )
