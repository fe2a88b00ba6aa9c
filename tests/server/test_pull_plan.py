"""A pull page is read through an index in position order, whatever PostgreSQL's statistics say.

On a change log PostgreSQL had not analysed yet (a busy day, a restore), a page was planned for a
handful of rows: a bitmap scan of every remaining row of the device's grids, then a sort of all
of them for the first 5,000 (355 ms a page over 268,000 rows; 3 ms read in order). A page's cost
must not grow with the log: the plan, made on a large never-analysed log, must read in order and
stop at the page's end.
"""
from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import text

from server.models import ChangeLogEntry
from server.sync.bulk import insert_rows
from server.sync.pull import index_ordered, page_query

LOG = 30_000
# PostgreSQL only: the planner whose statistics are in question is PostgreSQL's (SQLite's
# tablets and single-process servers pull from a log they analyse on their own terms).
postgres_only = pytest.mark.skipif(
    not os.environ.get("KNOCKDOOR_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (KNOCKDOOR_TEST_DATABASE_URL; make test sets it)")


@pytest.fixture
def long_log(db_session):
    """A change log of 30,000 rows over grids 1-3, never analysed."""
    insert_rows(db_session, ChangeLogEntry.__table__, [
        {"entity": "visit", "entity_id": f"{n:036d}", "position": n, "grid_id": 1 + n % 3,
         "payload": "{}", "row_hash": n} for n in range(1, LOG + 1)])
    db_session.flush()
    return db_session


def _plan_nodes(session, query) -> list[dict]:
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect,
                             compile_kwargs={"render_postcompile": True})
    with index_ordered(session):
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled),
                                          compiled.params).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes, todo = [], [plan[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def _reads_in_order(nodes: list[dict]) -> None:
    kinds = [node["Node Type"] for node in nodes]
    assert "Sort" not in kinds and "Incremental Sort" not in kinds, kinds
    assert not any(kind.startswith("Bitmap") for kind in kinds), kinds
    assert "Seq Scan" not in kinds, kinds
    assert kinds[0] == "Limit" and "Index Scan" in kinds, kinds


@postgres_only
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_page_of_several_grids_is_read_in_position_order(long_log):
    _reads_in_order(_plan_nodes(long_log, page_query([1, 2], 0, LOG, 5000)))


@postgres_only
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_page_of_one_grid_is_read_from_its_grid_index_in_order(long_log):
    nodes = _plan_nodes(long_log, page_query([1], 0, LOG, 5000))
    _reads_in_order(nodes)
    assert {node.get("Index Name") for node in nodes} >= {"ix_change_log_grid_position"}


@postgres_only
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_rest_of_the_pull_is_planned_as_usual(long_log):
    _plan_nodes(long_log, page_query([1, 2], 0, LOG, 5000))
    settings = long_log.execute(text("SELECT current_setting('enable_sort'), "
                                     "current_setting('enable_bitmapscan')")).one()
    assert tuple(settings) == ("on", "on")
