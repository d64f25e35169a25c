"""The compliance charts as Plotly figures: the application treemap, the score trend, failures per environment.

Colours follow the seed console's palettes (compliance.api.ts): resilience red → yellow (50) → green,
security red → amber (50) → blue, and a translucent grey for "no score". Every number a chart shows is
also on the page as text (tables), so the charts are never the only way to read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import plotly.graph_objects as go

Rgb = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Palette:
    low: Rgb
    middle: Rgb  # at 50
    high: Rgb
    legend_low: str  # what the low end means, e.g. "High risk"
    legend_high: str


RESILIENCE = Palette((220, 38, 38), (234, 179, 8), (22, 163, 74), "Failing", "Passing")
SECURITY = Palette((220, 38, 38), (245, 158, 11), (37, 99, 235), "High risk", "Low risk")
NO_SCORE = "rgba(125,125,125,0.45)"


def score_colour(total: int | None, palette: Palette) -> str:
    """The colour of a score on the palette; grey for no score."""
    if total is None:
        return NO_SCORE
    value = max(0, min(100, total))
    start, end, fraction = (
        (palette.low, palette.middle, value / 50) if value <= 50 else (palette.middle, palette.high, (value - 50) / 50)
    )
    channels = (round(a + (b - a) * fraction) for a, b in zip(start, end, strict=True))
    return "rgb({},{},{})".format(*channels)


def _layout(**extra: object) -> dict[str, object]:
    # Transparent backgrounds: the page's light or dark theme shows through; Reflex picks the template.
    return {
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "autosize": True,
        **extra,
    }


@dataclass(frozen=True, slots=True)
class TreemapTile:
    label: str  # the application's name
    parent: str  # its environment ("" for none)
    weight: int  # size: policy weight evaluated
    total: int | None  # colour: its score
    href: str  # where a click leads


def treemap_figure(tiles: Sequence[TreemapTile], palette: Palette) -> go.Figure:
    """Applications grouped by environment, sized by policy weight, coloured by score."""
    environments = sorted({tile.parent or "no environment" for tile in tiles})
    ids = [f"env:{name}" for name in environments]
    labels: list[str] = list(environments)
    parents: list[str] = [""] * len(environments)
    values: list[int] = [
        sum(tile.weight for tile in tiles if (tile.parent or "no environment") == name) for name in environments
    ]
    colours: list[str] = ["rgba(0,0,0,0)"] * len(environments)
    texts: list[str] = [""] * len(environments)
    links: list[str] = [""] * len(environments)
    for tile in tiles:
        environment = tile.parent or "no environment"
        ids.append(f"app:{environment}/{tile.label}")
        labels.append(tile.label)
        parents.append(f"env:{environment}")
        values.append(tile.weight)
        colours.append(score_colour(tile.total, palette))
        texts.append("—" if tile.total is None else f"{tile.total}%")
        links.append(tile.href)
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            text=texts,
            customdata=links,
            marker={"colors": colours, "line": {"width": 1}},
            texttemplate="%{label}<br>%{text}",
            hovertemplate="%{label}: %{text} (policy weight %{value})<extra></extra>",
            pathbar={"visible": False},
            tiling={"pad": 2},
        )
    )
    figure.update_layout(**_layout(height=320))
    return figure


@dataclass(frozen=True, slots=True)
class TrendSeries:
    name: str
    times: Sequence[float]  # seconds since the epoch
    totals: Sequence[int | None]


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


def trend_figure(series: Sequence[TrendSeries], window: tuple[float, float]) -> go.Figure:
    """One line per series over the whole window (since, until); gaps where a point had no score (never
    drawn as 0)."""
    figure = go.Figure()
    for index, line in enumerate(series):
        figure.add_trace(
            go.Scatter(
                x=[_iso(at) for at in line.times],
                y=list(line.totals),
                mode="lines+markers",
                name=line.name,
                line={"width": 3 if index == 0 else 1.5},
                connectgaps=False,
                hovertemplate="%{y}% at %{x}<extra>" + line.name + "</extra>",
            )
        )
    figure.update_layout(
        **_layout(height=260, margin={"l": 40, "r": 8, "t": 8, "b": 30}),
        yaxis={"range": [0, 100], "ticksuffix": "%"},
        xaxis={"type": "date", "range": [_iso(window[0]), _iso(window[1])]},
        legend={"orientation": "h", "y": -0.2},
        showlegend=len(series) > 1,
    )
    return figure


def failures_figure(failures: Sequence[tuple[str, int]]) -> go.Figure:
    """Failures per environment as bars."""
    figure = go.Figure(
        go.Bar(
            x=[environment or "no environment" for environment, _ in failures],
            y=[count for _, count in failures],
            marker={"color": "rgb(220,38,38)"},
            hovertemplate="%{x}: %{y} failing<extra></extra>",
        )
    )
    figure.update_layout(
        **_layout(height=220, margin={"l": 40, "r": 8, "t": 8, "b": 40}), yaxis={"rangemode": "tozero"}
    )
    return figure
