"""visits: no foreign keys on ``grid_id`` and ``author_id``

Revision ID: 0008b_visit_reference_checks
Revises: 0008a_resident_facts_hot
Create Date: 2026-12-02

PostgreSQL checks a foreign key row by row: for each inserted visit, a ``SELECT 1 FROM areas
… FOR KEY SHARE`` and the same of ``people``, each a query of its own, run after the COPY of a
pushed batch. Measured on the push path (bench/pg_statements.py), the three checks of a visit
cost about half of its COPY (17 of 34 µs of backend CPU), the grid's and the author's about
12 of them. And they lock: every push of a grid takes a share lock on the grid's one ``areas``
row and its author's ``people`` row, so concurrent pushes of one grid share those row locks
through a MultiXact each.

The two keys guard nothing a push could get wrong. A visit's grid is copied from its resident
(whose ``grid_id`` keeps its own foreign key), its author is the signed-in person, and no area
or person is ever deleted (people are deactivated, areas kept with their history). The key on
``resident_id`` stays: that row is already locked by the push (``FOR NO KEY UPDATE``), so its
check is the cheapest, and it ties each visit to the record it is about.
"""
from alembic import op

revision = "0008b_visit_reference_checks"
down_revision = "0008a_resident_facts_hot"
branch_labels = None
depends_on = None

DROPPED = (("fk_visits_grid_id_areas", "grid_id", "areas"),
           ("fk_visits_author_id_people", "author_id", "people"))


def upgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        for name, _column, _table in DROPPED:
            batch.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        for name, column, table in DROPPED:
            batch.create_foreign_key(name, table, [column], ["id"])
