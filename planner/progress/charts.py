"""Geometry for the server-rendered SVG charts.

Coordinates leave here as strings formatted with a dot, so that a German page (which
writes 2,5) can never break an SVG attribute; templates only place them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.progress.standing import BurnUp


def _n(value: float) -> str:
    return f"{value:.1f}"


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class BurnUpChart:
    width: int
    height: int
    expected: str
    done: str
    scope_y: str
    today_x: str | None
    done_end: tuple[str, str] | None
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_bottom: int


def burn_up_chart(
    burn: BurnUp, phase_starts: Sequence[int], day: int, *, width: int = 640, height: int = 240
) -> BurnUpChart:
    left, right, top, bottom = 44, width - 12, 12, height - 28
    top_value = max(burn.scope, max(burn.expected, default=0), 1.0) * 1.05

    def x(d: float) -> float:
        return left + (right - left) * d / max(burn.length, 1)

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / top_value

    expected = _points([(x(d), y(v)) for d, v in enumerate(burn.expected)])
    done = _points([(x(d), y(v)) for d, v in enumerate(burn.done)])
    done_end = None
    if burn.done:
        last = len(burn.done) - 1
        done_end = (_n(x(last)), _n(y(burn.done[last])))
    y_ticks = [
        Tick(_n(y(value)), f"{value:g}")
        for value in sorted({0.0, round(burn.scope / 2), round(burn.scope)})
    ]
    x_ticks = [Tick(_n(x(start - 1)), str(start)) for start in phase_starts]
    x_ticks.append(Tick(_n(x(burn.length)), str(burn.length)))
    today = _n(x(min(max(day, 0), burn.length))) if 1 <= day <= burn.length else None
    return BurnUpChart(
        width=width,
        height=height,
        expected=expected,
        done=done,
        scope_y=_n(y(burn.scope)),
        today_x=today,
        done_end=done_end,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot_left=left,
        plot_right=right,
        plot_bottom=bottom,
    )


@dataclass(frozen=True)
class Segment:
    number: int
    x: str
    width: str
    label_x: str
    state: str


@dataclass(frozen=True)
class TimelineChart:
    width: int
    segments: list[Segment]
    today_x: str | None


def timeline_chart(
    phases: Sequence[Sequence[int]],
    length: int,
    day: int,
    states: Sequence[str],
    *,
    width: int = 640,
) -> TimelineChart:
    scale = width / length
    segments = [
        Segment(
            number=number,
            x=_n((first - 1) * scale),
            width=_n((last - first + 1) * scale - 2),
            label_x=_n((first - 1) * scale + 6),
            state=state,
        )
        for number, ((first, last), state) in enumerate(zip(phases, states, strict=True), 1)
    ]
    today = _n((day - 0.5) * scale) if 1 <= day <= length else None
    return TimelineChart(width=width, segments=segments, today_x=today)


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str
    last: tuple[str, str] | None
    target_y: str
    baseline_y: str


def sparkline(
    values: Sequence[float], baseline: float, target: float, *, width: int = 160, height: int = 44
) -> Sparkline:
    pad = 4
    everything = [*values, baseline, target]
    low, high = min(everything), max(everything)
    span = (high - low) or 1.0

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - low) / span

    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = [(pad + index * step, y(value)) for index, value in enumerate(values)]
    last = (_n(points[-1][0]), _n(points[-1][1])) if points else None
    return Sparkline(width, height, _points(points), last, _n(y(target)), _n(y(baseline)))
