"""search keys of any length, made anew in the format of shared/search.py

Revision ID: 0003_search_keys
Revises: 0003_web_sessions
Create Date: 2026-12-01

The keys now hold every reading of each character of the name (polyphonic characters,
surnames), the building-unit-room of the address and the phone's last four digits: longer
than 200 characters for a long name, so the column becomes text. Existing keys are of the old
format and are made anew here, in batches.
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_search_keys"
down_revision = "0003_web_sessions"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    from shared.search import search_keys

    with op.batch_alter_table("residents") as batch:
        batch.alter_column("search_keys", existing_type=sa.String(200), type_=sa.Text(),
                           existing_nullable=False)
    residents = sa.table("residents", sa.column("id", sa.String), sa.column("name", sa.String),
                         sa.column("address", sa.String), sa.column("phone", sa.String),
                         sa.column("search_keys", sa.Text))
    bind = op.get_bind()
    last_id = ""
    while True:
        rows = bind.execute(sa.select(residents.c.id, residents.c.name, residents.c.address,
                                      residents.c.phone).where(residents.c.id > last_id)
                            .order_by(residents.c.id).limit(BATCH)).all()
        if not rows:
            break
        bind.execute(residents.update().where(residents.c.id == sa.bindparam("rid"))
                     .values(search_keys=sa.bindparam("keys")),
                     [{"rid": r.id, "keys": search_keys(r.name, r.address or "", r.phone)}
                      for r in rows])
        last_id = rows[-1].id


def downgrade() -> None:
    # Old-format keys are recomputed by the code of that version; cut to fit the old column.
    residents = sa.table("residents", sa.column("search_keys", sa.Text))
    op.get_bind().execute(residents.update().values(search_keys=""))
    with op.batch_alter_table("residents") as batch:
        batch.alter_column("search_keys", existing_type=sa.Text(), type_=sa.String(200),
                           existing_nullable=False)
