"""The duty report (履职报告, issue 15) of a person or an area for a period, as a printable PDF.

The figures come from the same ledger as the points pages (server.points, shared.points) and
from the visits themselves; the PDF is drawn with reportlab and embeds the CJK font the tablet
ships (WenQuanYi Micro Hei), so a Chinese report prints the same on every machine.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from shared import protocol as p
from shared.points import rules as pr
from shared.points.requests import Rates, three_rates

from .i18n import current_locale
from .i18n import gettext as _

FONT_NAME = "KnockdoorCJK"
#: The font the tablet ships (client/ui/fonts), then the Debian package's copy.
FONT_PLACES = (Path(__file__).resolve().parents[2] / "client" / "ui" / "fonts" / "wqy-microhei.ttc",
               Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
#: How many cases the report lists (the most recent that moved the points).
CASES_SHOWN = 15


@dataclass
class DutyFigures:
    title: str                 # the person's name, or the area's
    subtitle: str              # role, or level; and where
    first: date
    last: date
    visits_made: int = 0
    residents_reached: int = 0
    follow_ups_closed: int = 0
    requests_raised: int = 0
    tasks_resolved: int = 0
    rates: Rates = field(default_factory=Rates)
    points: int = 0
    sources: list[tuple[str, int]] = field(default_factory=list)  # (rule, points)
    cases: list[tuple[date, str, str, int, str]] = field(default_factory=list)


def figures(title: str, subtitle: str, person_ids: set[str], entries, visits, residents,
            first: date, last: date, zone, kinds: dict[str, str], notes: dict[str, str],
            events=(), today: date | None = None, owner: str | None = None,
            response_hours: int = 24) -> DutyFigures:
    """The report's figures for the people ``person_ids`` (one person, or an area's people):
    ``entries`` the ledger of the period, ``visits`` the effective visits (corrections applied:
    shared.due.effective_visits, done once by the caller for a batch). The three rates are
    those of ``events`` (the requests of the area, or with ``owner`` those whose task that
    person holds: shared.points.requests.three_rates, the tablet's own)."""
    from shared.district_day import local_date
    mine = [e for e in entries if e.person_id in person_ids and first <= e.day <= last]
    kept = [v for v in visits
            if v.author_id in person_ids and first <= local_date(v.visited_at, zone) <= last]
    summed: dict[str, int] = {}
    for entry in mine:
        summed[entry.kind] = summed.get(entry.kind, 0) + entry.points
    count = lambda kind: sum(1 for e in mine if e.kind == kind and e.points)  # noqa: E731
    cases = [e for e in mine if e.points or e.note]
    cases.sort(key=lambda e: (e.at, e.source_id), reverse=True)
    return DutyFigures(
        title, subtitle, first, last, visits_made=len(kept),
        residents_reached=len({v.resident_id for v in kept if v.outcome == p.MET}),
        follow_ups_closed=count(pr.FOLLOW_UP_CLOSED),
        requests_raised=sum(1 for e in mine if e.kind == pr.REQUEST_RAISED),
        tasks_resolved=sum(1 for e in mine if e.kind == pr.TASK_ON_TIME),
        rates=three_rates(events, first, last, zone, today or last, response_hours, owner),
        points=sum(e.points for e in mine),
        sources=sorted(((kinds.get(k, k), v) for k, v in summed.items() if v),
                       key=lambda kv: -abs(kv[1])),
        cases=[(e.day, residents[e.resident_id].name if e.resident_id in residents else "",
                kinds.get(e.kind, e.kind), e.points, notes.get(e.note, e.note))
               for e in cases[:CASES_SHOWN]])


def font_path() -> Path:
    chosen = os.environ.get("KNOCKDOOR_CJK_FONT")
    for place in ([Path(chosen)] if chosen else []) + list(FONT_PLACES):
        if place.is_file():
            return place
    raise FileNotFoundError("no CJK font: set KNOCKDOOR_CJK_FONT to wqy-microhei.ttc")


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path()), subfontIndex=0))


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def render_pdf(data: DutyFigures) -> bytes:
    """The report as PDF bytes (A4, one page for a person, in the page's language)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    chinese = current_locale() != "en"
    base = ParagraphStyle("body", fontName=FONT_NAME, fontSize=10, leading=14,
                          wordWrap="CJK" if chinese else None)
    heading = ParagraphStyle("h1", parent=base, fontSize=18, leading=24, spaceAfter=4)
    sub = ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                       ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    period = _("%(first)s to %(last)s", first=data.first.isoformat(), last=data.last.isoformat())
    story = [Paragraph(_("Duty report"), heading),
             Paragraph(f"{data.title} · {data.subtitle}", sub), Paragraph(period, base),
             Spacer(1, 4 * mm)]
    figures_table = [[_("What"), _("Count")],
                     [_("Visits made"), str(data.visits_made)],
                     [_("Residents reached"), str(data.residents_reached)],
                     [_("Follow-ups closed"), str(data.follow_ups_closed)],
                     [_("Requests raised"), str(data.requests_raised)],
                     [_("Tasks resolved"), str(data.tasks_resolved)],
                     [_("Response rate"), _rate(data.rates.response)],
                     [_("Resolution rate"), _rate(data.rates.resolution)],
                     [_("Satisfaction rate"), _rate(data.rates.satisfaction)],
                     [_("Duty points"), str(data.points)]]
    story += [Table(figures_table, colWidths=(70 * mm, 40 * mm), style=grid, hAlign="LEFT"),
              Paragraph(_("Points by source"), sub)]
    sources = [[_("Rule"), _("Points")]] + [[kind, str(value)] for kind, value in data.sources]
    if len(sources) == 1:
        sources.append([_("No points in this period."), ""])
    story += [Table(sources, colWidths=(110 * mm, 30 * mm), style=grid, hAlign="LEFT"),
              Paragraph(_("Cases behind the points (the latest %(n)s)", n=CASES_SHOWN), sub)]
    cases = [[_("Day"), _("Resident"), _("Rule"), _("Points"), _("Note")]]
    cases += [[day.isoformat(), name, Paragraph(kind, base), str(points), Paragraph(note, base)]
              for day, name, kind, points, note in data.cases]
    if len(cases) == 1:
        cases.append([_("No points in this period."), "", "", "", ""])
    story.append(Table(cases, colWidths=(24 * mm, 26 * mm, 62 * mm, 16 * mm, 42 * mm),
                       style=grid, repeatRows=1))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"{_('Duty report')} {data.title}",
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, lang="zh-CN" if chinese else "en")
    doc.build(story)
    return buffer.getvalue()
