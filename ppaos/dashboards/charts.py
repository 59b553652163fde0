"""Geometry for the trend charts, drawn as server-side SVG (no JavaScript): monthly columns
with a running-total line. Templates draw the shapes; this module only does the arithmetic."""

from django.utils.translation import gettext as _

from ppaos.assessment import charts as assessment_charts
from ppaos.lib.i18n import is_thai
from ppaos.lib.suppression import is_hidden
from ppaos.lib.thaidate import BE_OFFSET, THAI_MONTHS_SHORT

WIDTH, HEIGHT = 600, 180
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 14, 26
ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"] + [
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


def month_label(period) -> str:
    """`2026-01-01` → "ม.ค. 69" in Thai (Buddhist era), "Jan 26" in English."""
    if is_thai():
        return f"{THAI_MONTHS_SHORT[period.month - 1]} {(period.year + BE_OFFSET) % 100:02d}"
    return f"{ENGLISH_MONTHS[period.month - 1]} {period.year % 100:02d}"


_SUM = object()


def monthly_chart(months, key: str, *, total=_SUM) -> dict | None:
    """Columns for `key` per month (a suppressed month draws no column and is flagged) and
    the running total as a polyline scaled to its own maximum. None when there is nothing.

    `total` is the protected total over the months (ppaos.lib.disclosure); without it the sum
    of the months. With a month hidden, the running total is not drawn: it would show the
    hidden months (or, leaving them out, a false line)."""
    values = [m.values.get(key) for m in months]
    if not months or not any(values) and not any(is_hidden(v) for v in values):
        return None
    hidden = any(is_hidden(v) for v in values)
    top = max((v for v in values if v), default=0)
    running, totals = 0, []
    for v in values:
        running += v or 0
        totals.append(running)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(months)
    every = max(1, len(months) // 8)
    columns, points = [], []
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        h = plot_h * (value or 0) / top if top else 0
        x = LEFT + i * step
        columns.append(
            {
                "x": x + step * 0.15,
                "y": TOP + plot_h - h,
                "width": step * 0.7,
                "height": h,
                "value": value,
                "suppressed": is_hidden(value),
                "label": month_label(month.period),
                "show_label": i % every == 0,
                "label_x": x + step / 2,
            }
        )
        total_y = TOP + plot_h - (plot_h * totals[i] / running if running else 0)
        points.append(f"{x + step / 2:.1f},{total_y:.1f}")
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "columns": columns,
        "running": "" if hidden else " ".join(points),
        "total": running if total is _SUM else total,
        "top": top,
        "axis_y": TOP + plot_h,
        "label_y": HEIGHT - 8,
        "any_suppressed": hidden,
    }


def level_blocks(rounds: dict, *, names: dict) -> list[dict]:
    """Per survey round: the level bar (the analysis pages' stacked bar), its legend with the
    counts as shown (None: suppressed), households assessed and poor."""
    order = [1, 2, 3, 4, None]
    blocks = []
    for round_name, values in rounds.items():
        counts = {
            (None if k == "level_none" else int(k.removeprefix("level_"))): v or 0
            for k, v in values.items()
            if k.startswith("level_")
        }
        segments = [
            {
                **s,
                "name": names.get(s["key"]) or (s["key"] or _("no score")),
                "shown": values.get(f"level_{s['key'] if s['key'] is not None else 'none'}", 0),
            }
            for s in assessment_charts.stacked(counts, order)
            if s["key"] is not None or s["count"]
        ]
        blocks.append(
            {
                "round": round_name,
                "assessed": values.get("assessed", 0),
                "poor": values.get("poor", 0),
                "segments": segments,
                "suppressed": any(is_hidden(v) for v in values.values()),
            }
        )
    return blocks
