"""Charts drawn on the server as inline SVG: bar, line and pie, with no script and no library.

A chart is an ``<svg role="img">`` whose ``aria-label`` reads out every number (the page also
shows them in a table), so nothing is only visible. It scales with its box (``viewBox``, width
100%), which keeps it legible from 360 px wide. Every colour of :data:`PALETTE` has a contrast
of at least 4.5:1 against white, more than the 3:1 WCAG asks of graphics; pie slices are also
parted by white lines and named in a legend, so colour is never the only cue. Every text is
escaped here, since the result is markup the template does not escape again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

PALETTE: Final = ("#0b5cad", "#b3400a", "#1b7837", "#7b3294", "#a4161a", "#0f6e6e",
                  "#8a6d00", "#4d5761")
WIDTH: Final = 320
LABEL_CHARS: Final = 40
"""Longer labels are cut in the drawing (the table and the summary keep them whole)."""
KINDS: Final = {"bar": "Bar chart", "line": "Line chart", "pie": "Pie chart"}


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    value: float
    """The size drawn; values below zero are drawn as zero."""
    text: str
    """The value as written beside it."""


def chart(kind: str, title: str, points: Sequence[Point]) -> Markup:
    """The chart of ``kind`` (bar, line or pie) for ``points``; a bar chart for anything else."""
    draw = {"line": _line, "pie": _pie}.get(kind, _bar)
    return draw(title, points)


def summary(kind: str, title: str, points: Sequence[Point]) -> str:
    """What the chart shows, in words: its kind, title and every point."""
    values = "; ".join(f"{p.label}: {p.text}" for p in points) or "no data"
    return f"{KINDS.get(kind, KINDS['bar'])}, {title}. {values}."


def _svg(kind: str, title: str, points: Sequence[Point], height: float, body: str,
         width: float = WIDTH) -> Markup:
    label = escape(summary(kind, title, points))
    return Markup(
        f'<svg class="chart-{kind}" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width:g} {height:g}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>")


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def _scale(points: Sequence[Point]) -> float:
    largest = max((p.value for p in points), default=0.0)
    return largest if largest > 0 else 1.0


def _bar(title: str, points: Sequence[Point]) -> Markup:
    """Horizontal bars, each under its label, so long labels and phones both fit."""
    row, room = 34, WIDTH - 80
    top = _scale(points)
    parts = []
    for i, p in enumerate(points):
        y = i * row
        length = max(p.value, 0) / top * room
        parts.append(
            f'<g><title>{escape(p.label)}: {escape(p.text)}</title>'
            f'<text x="0" y="{y + 12}" class="label">{escape(_cut(p.label))}</text>'
            f'<rect x="0" y="{y + 16}" width="{length:.1f}" height="13" rx="2" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{length + 6:.1f}" y="{y + 27}" class="value">{escape(p.text)}</text></g>')
    return _svg("bar", title, points, max(len(points) * row, row), "".join(parts))


def _line(title: str, points: Sequence[Point]) -> Markup:
    """Points in the given (time) order, joined; the first and last are named on the axis."""
    height, left, right, top, bottom = 190, 10, 10, 24, 34
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    peak = _scale(points)
    step = inner_w / (len(points) - 1) if len(points) > 1 else 0.0

    def x(i: int) -> float:
        return left + (i * step if len(points) > 1 else inner_w / 2)

    def y(p: Point) -> float:
        return top + inner_h - max(p.value, 0) / peak * inner_h

    peak_text = next((p.text for p in points if p.value == peak), "")
    parts = [f'<line x1="{left}" y1="{top + inner_h}" x2="{WIDTH - right}" '
             f'y2="{top + inner_h}" class="axis"/>',
             f'<line x1="{left}" y1="{top}" x2="{WIDTH - right}" y2="{top}" class="grid"/>',
             f'<text x="{left}" y="{top - 8}" class="value">{escape(peak_text)}</text>']
    if points:
        path = " ".join(f"{x(i):.1f},{y(p):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" '
                     'stroke-width="2.5" stroke-linejoin="round"/>')
        for i, p in enumerate(points):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p):.1f}" r="3.5" fill="{PALETTE[0]}">'
                         f"<title>{escape(p.label)}: {escape(p.text)}</title></circle>")
        first, last = points[0], points[-1]
        base = top + inner_h + 20
        parts.append(f'<text x="{left}" y="{base}" class="label">{escape(_cut(first.label))}'
                     "</text>")
        if len(points) > 1:
            parts.append(f'<text x="{WIDTH - right}" y="{base}" class="label" '
                         f'text-anchor="end">{escape(_cut(last.label))}</text>')
    return _svg("line", title, points, height, "".join(parts))


def _pie(title: str, points: Sequence[Point]) -> Markup:
    """Slices clockwise from the top, in the order given; the legend is the page's table."""
    size, r = 200, 96
    c = size / 2
    shown = [(i, p) for i, p in enumerate(points) if p.value > 0]
    total = sum(p.value for _, p in shown)
    parts: list[str] = []
    if len(shown) == 1:
        i, p = shown[0]
        parts.append(f'<circle cx="{c}" cy="{c}" r="{r}" fill="{colour(i)}">'
                     f"<title>{escape(p.label)}: {escape(p.text)}</title></circle>")
    elif shown:
        angle = 0.0
        for i, p in shown:
            sweep = p.value / total * 2 * math.pi
            x1, y1 = c + r * math.sin(angle), c - r * math.cos(angle)
            angle += sweep
            x2, y2 = c + r * math.sin(angle), c - r * math.cos(angle)
            large = 1 if sweep > math.pi else 0
            parts.append(
                f'<path d="M{c},{c} L{x1:.2f},{y1:.2f} A{r},{r} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
                f'fill="{colour(i)}" stroke="#fff" stroke-width="1.5">'
                f"<title>{escape(p.label)}: {escape(p.text)}</title></path>")
    else:
        parts.append(f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" class="axis"/>')
    return _svg("pie", title, points, size, "".join(parts), width=size)


def colour(index: int) -> str:
    """The colour of the point at ``index`` (as in the chart, for legends)."""
    return PALETTE[index % len(PALETTE)]


def swatch(index: int) -> Markup:
    """A small square in the colour of point ``index``, for a legend (hidden from readers)."""
    return Markup(f'<svg class="swatch" width="12" height="12" aria-hidden="true" '
                  f'focusable="false"><rect width="12" height="12" rx="2" '
                  f'fill="{colour(index)}"/></svg>')
