"""Tiny inline-SVG charts, so the nightly report is one self-contained HTML file (no server, no CDN)."""

from __future__ import annotations

from html import escape

W, H, PAD = 560, 240, 44
COLORS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#c53030", "#718096")


def _frame(body: str, title: str) -> str:
    return (
        f'<figure><figcaption>{escape(title)}</figcaption>'
        f'<svg viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">{body}</svg></figure>'
    )


def bars(labels: list[str], series: dict[str, list[float]], title: str, fmt: str = "{:,.0f}") -> str:
    """Grouped vertical bars: one group per label, one bar per series."""
    peak = max((abs(v) for vals in series.values() for v in vals), default=1.0) or 1.0
    n_groups, n_series = max(len(labels), 1), max(len(series), 1)
    group_w = (W - 2 * PAD) / n_groups
    bar_w = group_w * 0.8 / n_series
    base = H - PAD
    parts = [f'<line x1="{PAD}" y1="{base}" x2="{W - PAD}" y2="{base}" stroke="#999"/>']
    for s, (name, vals) in enumerate(series.items()):
        for g, v in enumerate(vals):
            h = (H - 2 * PAD) * abs(v) / peak
            x = PAD + g * group_w + group_w * 0.1 + s * bar_w
            y = base - h if v >= 0 else base
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLORS[s % 6]}">'
                f"<title>{escape(name)} {escape(labels[g])}: {fmt.format(v)}</title></rect>"
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">'
                f"{escape(fmt.format(v))}</text>"
            )
    for g, label in enumerate(labels):
        x = PAD + g * group_w + group_w / 2
        parts.append(f'<text x="{x:.1f}" y="{base + 14}" font-size="11" text-anchor="middle">{escape(label)}</text>')
    parts.append(_legend(list(series)))
    return _frame("".join(parts), title)


def lines(points: dict[str, list[tuple[float, float]]], title: str, diagonal: bool = False) -> str:
    """Line chart on [0, max] axes; `diagonal` draws y = x (perfect calibration)."""
    xs = [x for pts in points.values() for x, _ in pts] or [1.0]
    ys = [y for pts in points.values() for _, y in pts] or [1.0]
    top = max(max(xs), max(ys), 1e-9) if diagonal else max(ys) or 1.0
    right = top if diagonal else max(xs) or 1.0

    def sx(x: float) -> float:
        return PAD + (W - 2 * PAD) * x / right

    def sy(y: float) -> float:
        return H - PAD - (H - 2 * PAD) * y / top

    parts = [f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - 2 * PAD}" fill="none" stroke="#ccc"/>']
    if diagonal:
        parts.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(top)}" y2="{sy(top)}" stroke="#999" stroke-dasharray="4"/>')
    for s, (_name, pts) in enumerate(points.items()):
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{COLORS[s % 6]}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{COLORS[s % 6]}"/>' for x, y in pts)
    parts.append(f'<text x="{PAD}" y="{H - 8}" font-size="10">0</text>')
    parts.append(f'<text x="{W - PAD}" y="{H - 8}" font-size="10" text-anchor="end">{right:.2g}</text>')
    parts.append(f'<text x="4" y="{PAD + 4}" font-size="10">{top:.2g}</text>')
    parts.append(_legend(list(points)))
    return _frame("".join(parts), title)


def _legend(names: list[str]) -> str:
    if len(names) < 2:
        return ""
    return "".join(
        f'<rect x="{PAD + i * 130}" y="8" width="10" height="10" fill="{COLORS[i % 6]}"/>'
        f'<text x="{PAD + i * 130 + 14}" y="17" font-size="11">{escape(n)}</text>'
        for i, n in enumerate(names)
    )


def table(headers: list[str], rows: list[tuple], title: str) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<h3>{escape(title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)
