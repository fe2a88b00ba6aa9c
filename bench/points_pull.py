"""What the duty points member costs a pull's last page (server/points_pull.py), on a server
database that already holds a district (e.g. a copy of bench/points.py's):

    .venv/bin/python -m bench.points_pull postgresql+psycopg://postgres@127.0.0.1:5432/DB

For the first representative: rule versions, their adjustments and their entries in grids
their tablet does not hold, with the ranking off, then on (the community's standings this month
and this year from the stored ledger). Each is warmed once (the stored ledger catches up), then
timed 7 times in a transaction of its own, as a pull does; the median, the fastest and the
slowest are printed. The ranking setting is put back as it was. No budget: for context (every
sync of every tablet pays it once).
"""
from __future__ import annotations

import statistics
import sys
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import create_app, points
from server.db import make_engine
from server.models import Person
from server.points_pull import pull_member
from shared.clock import utcnow


def timed(engine, person_id: int, runs: int) -> tuple[list[float], dict]:
    times, member = [], {}
    for _ in range(runs):
        with Session(engine) as pull:
            start = time.perf_counter()
            member = pull_member(pull, engine, person_id, utcnow())
            times.append(time.perf_counter() - start)
            pull.commit()
    return times, member


def main(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench"})
    engine = make_engine(url)
    with app.app_context():
        with Session(engine) as session:
            person_id = session.scalar(select(Person.id).where(
                Person.role == "representative").order_by(Person.id))
            was = points.show_ranking(session)
        try:
            for shown in (False, True):
                with Session(engine) as session:
                    points.set_show_ranking(session, shown, person_id)
                    session.commit()
                timed(engine, person_id, 1)
                times, member = timed(engine, person_id, 7)
                ranked = sum(len(r["month"]) for r in member["rankings"])
                print(f"points member, ranking {'on' if shown else 'off'}: median "
                      f"{statistics.median(times) * 1000:.0f} ms (fastest "
                      f"{min(times) * 1000:.0f}, slowest {max(times) * 1000:.0f}); "
                      f"{len(member['rankings'])} community, {ranked} people ranked this month, "
                      f"{len(member['elsewhere'])} entries elsewhere")
        finally:
            with Session(engine) as session:
                points.set_show_ranking(session, was, person_id)
                session.commit()
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
