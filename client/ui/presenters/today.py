"""The Today list: one row per resident, its badge, its order and its heading."""
from __future__ import annotations

from shared.due import DUE_THIS_WEEK, DUE_TODAY, INACTIVE, NOT_DUE, OVERDUE

from ..i18n import _
from .common import STATUS_LABELS, N_, categories_text, format_day, label, today_in_district

#: The Today list's groups, in its order, each under a header with its count (not in a search:
#: there the best matches come first).
GROUPS = (("follow_up", N_("To follow up")), ("overdue", N_("Overdue")),
          ("today", N_("Due today")), ("week", N_("Due this week")), ("later", N_("Later")))
_GROUP_OF_STATUS = {OVERDUE: "overdue", DUE_TODAY: "today", DUE_THIS_WEEK: "week"}


def today_group(summary) -> str:
    if summary.follow_up_since is not None:
        return "follow_up"
    return _GROUP_OF_STATUS.get(summary.due.status, "later")


def group_header(group: str, count: int) -> str:
    return _("{group} · {count}").format(group=_(dict(GROUPS)[group]), count=count)


def group_rows(rows: list[dict]) -> list[dict]:
    """The first row of each group carries its header (the others none); rows whose header
    did not change are kept as they are."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["group"]] = counts.get(row["group"], 0) + 1
    grouped, previous = [], None
    for row in rows:
        header = group_header(row["group"], counts[row["group"]]) \
            if row["group"] != previous else ""
        previous = row["group"]
        grouped.append(row if row.get("header", "") == header else {**row, "header": header})
    return grouped


def due_badge(summary) -> tuple[str, str]:
    """(text, tone) for a resident's due state; tone names a colour in the theme."""
    due = summary.due
    if summary.follow_up_since is not None:
        return _("Follow up: no answer"), "alert"
    if due.status == OVERDUE:
        return _("Overdue {days} days").format(days=due.days_overdue), "alert"
    if due.status == DUE_TODAY:
        return _("Due today"), "warn"
    if due.status == DUE_THIS_WEEK:
        return _("Due this week"), "info"
    if due.status == NOT_DUE:
        when = format_day(due.next_due, today_in_district()) if due.next_due else ""
        return _("Next {date}").format(date=when), "muted"
    if due.status == INACTIVE:
        return label(STATUS_LABELS, summary.status), "muted"
    return "", "muted"


def today_row(summary) -> dict:
    """One RecycleView row: plain values only, so rows are recycled, never rebuilt."""
    badge, tone = due_badge(summary)
    facts = [summary.name]
    if summary.age:
        facts.append(_("{age} yrs").format(age=summary.age))
    categories = categories_text(summary.care_categories, summary.age)  # 高龄 from the age
    if categories:
        facts.append(categories)
    return {
        "resident_id": summary.id,
        "title": "  ".join(facts),
        "subtitle": summary.address or "",
        "badge": badge,
        "tone": tone,
        "group": today_group(summary),
        "header": "",
        "unsent_text": _("{count} unsent").format(count=summary.unsent) if summary.unsent
        else "",
    }


def today_sort_key(summary) -> tuple:
    """The Today list's order (the same as ``FieldService.today_list``): in a search, the
    exact name first, then the initials, then the rest; then open follow-ups, due state, name.
    Used to move a just-visited resident to its new place before the worker's exact list
    arrives."""
    return (summary.match, summary.follow_up_since is None, summary.due.sort_key, summary.name)


def today_rows(summaries, grouped: bool = False) -> list[dict]:
    rows = [today_row(summary) for summary in summaries]
    return group_rows(rows) if grouped else rows


def today_heading(rows: list[dict], query: str) -> str:
    if query.strip():
        return _("{count} found for “{query}”").format(count=len(rows), query=query.strip())
    due = sum(1 for row in rows if row["tone"] in ("alert", "warn"))
    return _("{due} to visit today · {count} in my grids").format(due=due, count=len(rows))
