"""The monthly report (issue 12, point 14): a page for a month and an area, its Chinese .xlsx,
and the card on the dashboard. The figures are :mod:`shared.monthly`'s; this module reads,
names and lays them out."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Response, render_template, request

from shared import protocol as p
from shared import punctuation
from shared.district_rules import method_counts
from shared.monthly import (DOOR, UNASSESSED, UNTIERED, MonthlyFigures, Rate, month_bounds,
                            monthly_figures, months_back)

from ...audit import audit
from ...db import db
from ...district import district_zone
from ...district import rules as district_rules
from ...errors import ApiError
from .. import exports
from ..access import Scope, current_person, current_scope, not_found, sign_in_required
from ..exports import NUMBER, PERCENT, TEXT, Column, Sheet
from ..i18n import current_locale
from ..i18n import gettext as _
from ..labels import category_word as labels_category_word
from ..labels import word
from ..queries.areas import areas_for_choice
from ..queries.reports import (met_rates, month_visits, report_areas, report_root,
                               resident_facts)
from ..timeutil import local_today
from .blueprint import bp

TREND_MONTHS = 6
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class TrendPoint:
    label: str
    rate: Rate
    x: float = 0
    y: float = 0
    height: float = 0


@dataclass
class Report:
    year: int
    month: int
    root: int | None
    figures: MonthlyFigures
    trend: list[TrendPoint]
    area_names: dict[str, str]

    @property
    def title(self) -> str:
        return month_text(self.year, self.month)

    # What the trend chart's template reads (the dashboard's card draws it too).
    chart_w, chart_h, chart_left, chart_top = 640, 200, 44, 10
    chart_base = 200 - 26
    percent = staticmethod(lambda rate: percent_text(rate))


def month_text(year: int, month: int) -> str:
    return f"{year}-{month:02d}" if current_locale() == "en" else f"{year}年{month}月"


# ---- the words of the report's codes ----------------------------------------------------------

def category_word(code: str) -> str:
    return labels_category_word(code)


def tier_word(code: str) -> str:
    return _("No tier set") if code == UNTIERED else word("risk_tier", code)


def ability_word(code: str) -> str:
    if code == UNASSESSED:
        return _("Not assessed")
    return word("ability_level", code)


def method_word(code: str) -> str:
    known = {DOOR: _("Door visit"), "phone": _("Phone call"), "video": _("Video call")}
    return known.get(code) or word("method", code)


def percent_text(rate: Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent:.1f}%"


# ---- building ---------------------------------------------------------------------------------

def _chosen() -> tuple[Scope, int, int, int | None]:
    scope = current_scope()
    today = local_today()
    text = request.args.get("month") or f"{today.year}-{today.month:02d}"
    found = _MONTH.match(text)
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise ApiError(400, p.ERR_INVALID_BODY,
                       _("Month: not a month; choose one such as 2026-11."))
    area_id = request.args.get("area", type=int)
    if area_id is not None and (area_id not in scope.areas or not scope.allows_area(area_id)):
        raise not_found()
    return scope, int(found.group(1)), int(found.group(2)), area_id


def build_report(scope: Scope, year: int, month: int, area_id: int | None) -> Report:
    session, zone = db.session, district_zone()
    root = report_root(scope, area_id)
    under = report_areas(scope, root)
    grid_ids = set(under)
    first, last = month_bounds(year, month)
    months = months_back(year, month, TREND_MONTHS)
    earliest, _last = month_bounds(*months[0])
    residents = resident_facts(session, grid_ids, under, last)
    visits = month_visits(session, grid_ids, earliest, last)
    counts = counted_by_district_rules()
    figures = monthly_figures(residents, visits, first, last, zone, counts)
    # Every area of the report is listed, in code order, also one with nobody to visit yet.
    reported = sorted(set(under.values()), key=lambda a: (scope.areas[a].code, a))
    figures.by_area = {str(a): figures.by_area.get(str(a), Rate()) for a in reported}
    trend = []
    for trend_year, trend_month in months:
        bounds = month_bounds(trend_year, trend_month)
        rate = figures.total if (trend_year, trend_month) == (year, month) else \
            monthly_figures(residents, visits, *bounds, zone, counts).total
        trend.append(TrendPoint(month_text(trend_year, trend_month), rate))
    _place(trend)
    names = {str(a): scope.areas[a].name for a in set(under.values())}
    return Report(year, month, root, figures, trend, names)


def counted_by_district_rules():
    """Whether a meeting by a method counts for a tier's monthly rate, as the district's rules
    say (a phone call may count for routine residents and not for high-risk ones)."""
    district = district_rules()
    return lambda tier, method: method_counts(method, tier, district)


def _place(points: list[TrendPoint]) -> None:
    plot_w = Report.chart_w - Report.chart_left - 8
    plot_h = Report.chart_base - Report.chart_top
    slot = plot_w / max(len(points), 1)
    for index, point in enumerate(points):
        share = (point.rate.percent or 0) / 100
        point.height = plot_h * share
        point.x = Report.chart_left + index * slot + slot * 0.2
        point.y = Report.chart_top + plot_h - point.height


# ---- the spreadsheet --------------------------------------------------------------------------

def _rate_columns(first_header: tuple[str, str]) -> tuple[Column, ...]:
    return (Column("what", *first_header, TEXT, 20),
            Column("residents", "应访人数", "Residents", NUMBER, 10),
            Column("visited", "已探访人数", "Visited", NUMBER, 10),
            Column("rate", "月探访率", "Monthly visit rate", PERCENT, 10))


def _rate_rows(rates: dict[str, Rate], name) -> list[list]:
    return [[name(key), rate.residents, rate.visited,
             None if rate.percent is None else rate.visited / rate.residents]
            for key, rate in rates.items()]


def report_sheets(report: Report, area_name: str) -> list[Sheet]:
    english = current_locale() == "en"
    figures = report.figures

    def zh_en(zh: str, en: str) -> str:
        return en if english else zh

    summary = Sheet((Column("item", "项目", "Item", TEXT, 28), Column("value", "数值", "Value",
                                                                        TEXT, 30)), [
        [zh_en("月份", "Month"), report.title],
        [zh_en("区域", "Area"), area_name],
        [zh_en("月探访率", "Monthly visit rate"), percent_text(figures.total)],
        [zh_en("应访人数（位）", "Residents"), figures.total.residents],
        [zh_en("已探访人数（位）", "Residents visited"), figures.total.visited],
        [zh_en("走访记录（条）", "Visits (records)"), figures.visits],
        [zh_en("新增待回访（项）", "Follow-ups opened"), figures.follow_ups_opened],
        [zh_en("已回访（项）", "Follow-ups closed"), figures.follow_ups_closed],
        [zh_en("月底仍待回访（项）", "Follow-ups open at the month's end"),
         figures.follow_ups_open_at_end],
    ], zh_en("总览", "Summary"))
    by_area = Sheet(_rate_columns(("区域", "Area")),
                    _rate_rows(figures.by_area, lambda key: report.area_names.get(key, key)),
                    zh_en("按区域", "By area"))
    by_category = Sheet(_rate_columns(("关爱类别", "Care category")),
                        _rate_rows(figures.by_category, category_word),
                        zh_en("按关爱类别", "By category"))
    by_tier = Sheet(_rate_columns(("风险等级", "Risk tier")),
                    _rate_rows(figures.by_tier, tier_word), zh_en("按风险等级", "By tier"))
    levels = list(figures.ability)
    ability = Sheet(
        (Column("category", "关爱类别", "Care category", TEXT, 18),
         *(Column(level or "unassessed", ability_word(level), ability_word(level), NUMBER, 12)
           for level in levels),
         Column("total", "合计（位）", "Total", NUMBER, 10)),
        [[category_word(category), *(counts.get(level, 0) for level in levels),
          sum(counts.values())] for category, counts in figures.category_ability.items()]
        + [[zh_en("全部居民", "All residents"), *(figures.ability[level] for level in levels),
            figures.total.residents]],
        zh_en("关爱类别与能力等级", "Category and ability"))
    methods = Sheet((Column("method", "走访方式", "Method", TEXT, 14),
                     Column("visits", "走访记录（条）", "Visits", NUMBER, 14)),
                    [[method_word(m), n] for m, n in figures.visits_by_method.items()],
                    zh_en("走访方式", "Methods"))
    outcomes = Sheet((Column("outcome", "走访结果", "Outcome", TEXT, 14),
                      Column("visits", "走访记录（条）", "Visits", NUMBER, 14)),
                     [[word("outcome", o) if o else "—", n]
                      for o, n in figures.visits_by_outcome.items()],
                     zh_en("走访结果", "Outcomes"))
    needs = Sheet((Column("need", "需求", "Need", TEXT, 16),
                   Column("found", "发现（次）", "Found (visits)", NUMBER, 12),
                   Column("referred", "已上报转办（次）", "Referred (visits)", NUMBER, 16)),
                  [[word("needs", need), found, referred]
                   for need, (found, referred) in sorted(figures.needs.items(),
                                                         key=lambda item: -item[1][0])],
                  zh_en("需求", "Needs"))
    return [summary, by_area, by_category, by_tier, ability, methods, outcomes, needs]


def file_name(report: Report, area_name: str) -> str:
    english = current_locale() == "en"
    title = "Monthly report" if english else "月度走访报表"
    parts = [title, f"{report.year}-{report.month:02d}", area_name]
    return "_".join(part.replace(" ", "_") for part in parts if part) + ".xlsx"


def _area_name(scope: Scope, root: int | None) -> str:
    return scope.areas[root].name if root is not None else _("All my areas")


# ---- pages ------------------------------------------------------------------------------------

def _month_choices(year: int, month: int) -> list[tuple[str, str]]:
    """The last 24 months (and the one shown, if older), newest first, in the reader's words:
    a list the page writes itself, not the browser's month picker in the browser's language."""
    today = local_today()
    months = months_back(today.year, today.month, 24)
    if (year, month) not in months:
        months.insert(0, (year, month))
    return [(f"{y}-{m:02d}", month_text(y, m)) for y, m in reversed(months)]


@bp.get("/reports/monthly")
@sign_in_required
def monthly_report():
    scope, year, month, area_id = _chosen()
    report = build_report(scope, year, month, area_id)
    return render_template("web/report.html", report=report, area_id=area_id,
                           area_name=_area_name(scope, report.root),
                           area_choices=areas_for_choice(scope),
                           month_value=f"{year}-{month:02d}",
                           month_choices=_month_choices(year, month), category_word=category_word, tier_word=tier_word,
                           ability_word=ability_word, method_word=method_word,
                           percent_text=percent_text, items=punctuation.items,
                           locale=current_locale())


@bp.get("/reports/monthly/download")
@sign_in_required
def monthly_report_download():
    scope, year, month, area_id = _chosen()
    report = build_report(scope, year, month, area_id)
    area_name = _area_name(scope, report.root)
    body = exports.to_xlsx(*report_sheets(report, area_name))
    audit(db.session, "export", person_id=current_person().id,
          detail={"kind": "monthly_report", "format": "xlsx", "area": area_id,
                  "month": f"{year}-{month:02d}", "rows": report.figures.total.residents})
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet", headers={
        "Content-Disposition": exports.content_disposition(
            file_name(report, area_name), f"knockdoor-monthly-{year}-{month:02d}.xlsx"),
        "Cache-Control": "no-store"})


def dashboard_card(scope: Scope) -> Report:
    """This month so far and the months before, for the dashboard's card (the whole of the
    person's area), counted by the database: the dashboard stays quick for a district."""
    today = local_today()
    months = months_back(today.year, today.month, TREND_MONTHS)
    grid_ids = None if scope.is_admin else scope.grid_ids
    rates = met_rates(db.session, grid_ids, [month_bounds(*month) for month in months])
    trend = [TrendPoint(month_text(*month), Rate(residents, met))
             for month, (residents, met) in zip(months, rates)]
    _place(trend)
    figures = MonthlyFigures(*month_bounds(today.year, today.month), total=trend[-1].rate)
    return Report(today.year, today.month, None, figures, trend, {})
