"""The schema comes from Alembic only, and the migrations match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.models import Base


def test_the_migrated_database_matches_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(
            connection, opts={"compare_type": True}), Base.metadata)
    assert differences == []


def test_search_keys_of_the_old_format_are_made_anew_by_the_migration(tmp_path):
    """A server updated in place: every resident's keys in the new format, long ones fitting."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.migrate import alembic_config, upgrade
    from shared.search import keys_are_current, rank
    from testkit.factories import make_district, make_resident

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        grid = make_district(session, communities=1, grids=1).grids[0]
        make_resident(session, grid, name="翟秀英", phone="13812345678",
                      address="建设路51号院3号楼2单元401")
        make_resident(session, grid, name="行长乐重" * 4, address="长庆路17号")  # polyphonic
        session.commit()
    command.downgrade(alembic_config(url), "0003_web_sessions")
    with engine.begin() as db:
        db.execute(text("UPDATE residents SET search_keys = 'dxy dixiuying'"))
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as db:
        rows = db.execute(text("SELECT name, address, search_keys FROM residents")).all()
    engine.dispose()
    assert all(keys_are_current(keys) for _name, _address, keys in rows)
    assert max(len(keys) for *_rest, keys in rows) > 200  # longer than the old column
    zhai = next(row for row in rows if row.name == "翟秀英")
    assert rank("5678", *zhai) is not None and rank("3-2-401", *zhai) is not None
