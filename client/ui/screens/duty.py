"""我的履职: my duty points this month and this year and what earned them, offline (computed
on the database worker from the records the tablet holds: client/ui/presenters/duty.py)."""
from __future__ import annotations

from kivy.properties import StringProperty

from shared.clock import utcnow

from ..i18n import _
from ..presenters import common
from ..presenters import duty as pr
from .base import AppScreen


class DutyScreen(AppScreen):
    LISTENS = {"on_synced": "synced"}
    month = StringProperty("")
    year = StringProperty("")
    sources = StringProperty("")
    recent = StringProperty("")

    def load(self, **_params) -> None:
        self.refresh()

    def synced(self, *_args) -> None:
        if self.manager and self.manager.current == self.name:
            self.refresh()

    def refresh(self) -> None:
        service = self.app.service

        def job():
            account = service.account
            if account is None:
                return None
            from client.points import held_points, held_records
            residents, visits = held_records(service.store)
            return pr.my_duty(account.person_id, residents, visits, common._district_zone,
                              utcnow(), held_points(service.store, account.person_id))
        self.app.local.submit(job, self.show)

    def show(self, mine: pr.MyDuty | None) -> None:
        if mine is None:
            return
        self.month = _("Points this month: {points}").format(points=mine.month)
        self.year = _("Points this year: {points}").format(points=mine.year)
        self.sources = "\n".join(_("{rule}: {points}").format(
                                     rule=_(pr.KIND_WORDS.get(kind, kind)), points=points)
                                 for kind, points in sorted(mine.month_sources.items(),
                                                            key=lambda kv: -abs(kv[1]))) \
            or _("No points yet this month.")
        self.recent = "\n".join(
            f"{common.format_day(entry.day, common.today_in_district())} · {_(pr.KIND_WORDS.get(entry.kind, entry.kind))}"
            f" · {entry.points}" for entry in mine.recent[:12])
