"""Bar charts drawn on the server as SVG: no script, no charting library.

A chart is geometry computed here and drawn by a template (`charts.svg.html`); each
chart has a title and a table of the same figures beside it, for those who cannot see
it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from interfaces.web.formatting import swedish_amount

WIDTH = 720
BAR_AREA = 220  # the height of the tallest bar
TOP, BOTTOM, LEFT = 20, 60, 110
COLOURS = {
    "committed": "#2f4f6f",
    "used": "#0b5cad",
    "released": "#8a6d00",
    "remaining": "#6c8ebf",
}
NAMES = {
    "committed": "Beslutat",
    "used": "Utnyttjat",
    "released": "Återfört",
    "remaining": "Kvar",
}


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # said by the rectangle's <title>


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    width: int
    height: int
    rects: list[Rect]
    ticks: list[Tick]
    labels: list[Label]
    series: list[str]
    left: int = LEFT
    baseline: float = TOP + BAR_AREA


def _scale(largest: Decimal) -> tuple[Decimal, list[Decimal]]:
    """A round top for the axis and its ticks (0 and four more)."""
    if largest <= 0:
        return Decimal(1), [Decimal(0)]
    step = Decimal(1)
    while largest / step > 10:
        step *= 10
    for nice in (1, 2, 5, 10):
        if largest <= step * nice * 4:
            top = step * nice * 4
            return top, [step * nice * i for i in range(5)]
    return largest, [largest]


def _ticks(top: Decimal, values: list[Decimal]) -> list[Tick]:
    return [Tick(TOP + BAR_AREA - float(v / top) * BAR_AREA, swedish_amount(v)) for v in values]


def grouped_bars(
    chart_id: str, title: str, groups: list[tuple[str, dict[str, Decimal]]], series: list[str]
) -> Chart:
    """Bars side by side for each group (e.g. committed and used per year)."""
    largest = max(
        (v for _, figures in groups for k, v in figures.items() if k in series), default=Decimal(0)
    )
    top, values = _scale(largest)
    slot = (WIDTH - LEFT - 10) / max(len(groups), 1)
    bar = min(slot * 0.8 / len(series), 40)
    rects, labels = [], []
    for i, (name, figures) in enumerate(groups):
        start = LEFT + i * slot + (slot - bar * len(series)) / 2
        for j, key in enumerate(series):
            height = float(figures[key] / top) * BAR_AREA
            rects.append(
                Rect(
                    start + j * bar,
                    TOP + BAR_AREA - height,
                    bar - 2,
                    height,
                    COLOURS[key],
                    f"{name}: {NAMES[key]} {swedish_amount(figures[key])}",
                )
            )
        labels.append(Label(LEFT + i * slot + slot / 2, name))
    return Chart(
        chart_id, title, WIDTH, TOP + BAR_AREA + BOTTOM, rects, _ticks(top, values), labels, series
    )


def stacked_bars(
    chart_id: str, title: str, groups: list[tuple[str, dict[str, Decimal]]], series: list[str]
) -> Chart:
    """One bar per group, its parts stacked (used, released and remaining of committed)."""
    largest = max(
        (sum((figures[k] for k in series), Decimal(0)) for _, figures in groups), default=Decimal(0)
    )
    top, values = _scale(largest)
    slot = (WIDTH - LEFT - 10) / max(len(groups), 1)
    bar = min(slot * 0.6, 80)
    rects, labels = [], []
    for i, (name, figures) in enumerate(groups):
        x = LEFT + i * slot + (slot - bar) / 2
        y = float(TOP + BAR_AREA)
        for key in series:
            height = float(max(figures[key], Decimal(0)) / top) * BAR_AREA
            y -= height
            rects.append(
                Rect(
                    x,
                    y,
                    bar,
                    height,
                    COLOURS[key],
                    f"{name}: {NAMES[key]} {swedish_amount(figures[key])}",
                )
            )
        labels.append(Label(LEFT + i * slot + slot / 2, name))
    return Chart(
        chart_id, title, WIDTH, TOP + BAR_AREA + BOTTOM, rects, _ticks(top, values), labels, series
    )
