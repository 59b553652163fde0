"""Geometry for the server-rendered SVG charts (no JavaScript): a radar of the five capital
scores and horizontal bars. Templates draw the shapes; this module only does the arithmetic."""

import math
from dataclasses import dataclass

LEVEL_COLOURS = {1: "#a1162b", 2: "#d9822b", 3: "#c9b400", 4: "#0b6e4f", None: "#aab4bf"}


@dataclass
class RadarAxis:
    label: str
    value: float | None
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    point_x: float | None
    point_y: float | None


def _polar(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar(
    values: list[tuple[str, float | None]],
    *,
    low: float = 1,
    high: float = 4,
    rings: tuple[float, ...] = (1, 2, 3, 4),
    size: int = 340,
    pad: int = 60,
) -> dict:
    """Axes start at the top and go clockwise; a missing value sits at the centre (`low`).

    Labels beside the left and right axes run outwards from their anchor: the drawing keeps
    `pad` units of room on each side (`view_box`, `width`) so a long capital's name is not
    clipped at the edge (issue 15: "างสังคม 1.75"); each label's value goes on a second line."""
    cx = cy = size / 2
    radius = size / 2 - 70
    count = max(len(values), 3)

    def scale(v: float) -> float:
        return radius * (min(max(v, low), high) - low) / (high - low)

    angles = [-math.pi / 2 + 2 * math.pi * i / count for i in range(len(values))]
    axes = []
    shape = []
    for (label, value), angle in zip(values, angles, strict=True):
        x, y = _polar(cx, cy, radius, angle)
        lx, ly = _polar(cx, cy, radius + 16, angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        px, py = _polar(cx, cy, scale(value if value is not None else low), angle)
        shape.append((px, py))
        axes.append(
            RadarAxis(
                label=label,
                value=value,
                x=x,
                y=y,
                label_x=lx,
                # Two lines (name, value): the top label rises one line clear of the axis.
                label_y=ly + (10 if math.sin(angle) > 0.3 else -8 if math.sin(angle) < -0.3 else 0),
                anchor=anchor,
                point_x=px if value is not None else None,
                point_y=py if value is not None else None,
            )
        )
    ring_shapes = [
        {"value": r, "points": _points([_polar(cx, cy, scale(r), a) for a in angles])}
        for r in rings
    ]
    return {
        "size": size,
        "pad": pad,
        "width": size + 2 * pad,
        "view_box": f"{-pad} 0 {size + 2 * pad} {size}",
        "cx": cx,
        "cy": cy,
        "axes": axes,
        "rings": ring_shapes,
        "shape": _points(shape),
    }


def bars(items: list[tuple[str, float]], *, maximum: float | None = None) -> list[dict]:
    """[{label, value, width (0–100, share of the largest or of `maximum`)}]."""
    top = maximum if maximum is not None else max((v for _, v in items), default=0)
    return [
        {"label": label, "value": value, "width": 100 * value / top if top else 0}
        for label, value in items
    ]


def stacked(counts: dict, order: list) -> list[dict]:
    """Segments of a 100%-wide stacked bar: [{key, count, share, x, width, colour}]."""
    total = sum(counts.get(k, 0) for k in order)
    segments, x = [], 0.0
    for key in order:
        count = counts.get(key, 0)
        width = 100 * count / total if total else 0
        segments.append(
            {
                "key": key,
                "count": count,
                "share": width,
                "x": x,
                "width": width,
                "colour": LEVEL_COLOURS.get(key, "#aab4bf"),
            }
        )
        x += width
    return segments
