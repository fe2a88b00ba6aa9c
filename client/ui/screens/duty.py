"""我的履职: my duty points this month and this year and what earned them, my open tasks (a tap
opens one on the Requests screen), my three rates and, when the district shows it, where I
stand in my community. Offline: read and computed on the database worker from what the tablet
holds (client/points.py, client/ui/presenters/duty.py)."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import StringProperty

from shared.clock import utcnow
from shared.requests import OPEN_STATES

from ..i18n import _
from ..presenters import common
from ..presenters import duty as pr
from .base import AppScreen


def read_duty(service):
    """Worker side: my figures and my open tasks, or None when nobody is signed in."""
    from client.points import duty_facts
    facts = duty_facts(service)
    if facts is None:
        return None
    mine = pr.my_duty(facts.person_id, facts.residents, facts.visits, common._district_zone,
                      utcnow(), facts.held, facts.request_records)
    tasks = pr.my_tasks([view for view in facts.requests if view.state.state in OPEN_STATES
                         and view.state.owner_id == facts.person_id])
    return (mine, tasks, pr.rates_text(mine.rates), pr.ranking_text(mine),
            pr.recent_text(mine, common.today_in_district()))


class DutyScreen(AppScreen):
    LISTENS = {"on_synced": "synced"}
    month = StringProperty("")
    year = StringProperty("")
    sources = StringProperty("")
    rates = StringProperty("")
    ranking = StringProperty("")
    recent = StringProperty("")

    def load(self, **_params) -> None:
        self.refresh()

    def synced(self, *_args) -> None:
        if self.is_current():
            self.refresh()

    def refresh(self) -> None:
        service = self.app.service
        self.app.local.submit(lambda: read_duty(service), self.show)

    def show(self, result) -> None:
        if result is None:
            return
        mine, tasks, rates, ranking, recent = result
        self.month = _("Points this month: {points}").format(points=mine.month)
        self.year = _("Points this year: {points}").format(points=mine.year)
        self.sources = "\n".join(_("{rule}: {points}").format(
                                     rule=_(pr.KIND_WORDS.get(kind, kind)), points=points)
                                 for kind, points in sorted(mine.month_sources.items(),
                                                            key=lambda kv: -abs(kv[1]))) \
            or _("No points yet this month.")
        box = self.ids.tasks
        box.clear_widgets()
        for task in tasks:
            box.add_widget(Factory.TaskButton(text=task["text"], on_release=lambda _b, rid=task[
                "request_id"]: self.open_task(rid)))
        if not tasks:
            box.add_widget(Factory.Muted(text=_("No open tasks of mine.")))
        self.rates, self.ranking = rates, ranking
        self.recent = recent

    def open_task(self, request_id: str) -> None:
        """A tap on one of my tasks: the Requests screen, my list, that request first."""
        self.app.open_screen("requests", which="mine", focus=request_id)
