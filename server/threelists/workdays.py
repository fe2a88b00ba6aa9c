"""China's official working days, from the maintained ``chinesecalendar`` package.

It knows public holidays and the weekend days worked instead (调休) for the years the State
Council has announced. For a year it does not know yet (the next year's schedule is published
in the autumn), Monday to Friday are taken as working days until the package is updated.
"""
from __future__ import annotations

from datetime import date

import chinese_calendar

from shared.requests import add_working_days, weekdays_only


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not cover yet
        return weekdays_only(day)


def due_after(start: date, working_days: int) -> date:
    """The deadline ``working_days`` official working days after ``start``."""
    return add_working_days(start, working_days, is_workday)
