"""No id is used twice on a page (issue 11, screens 8): the conflicts page once gave every
card's corrected-value field the same id."""
from __future__ import annotations

import re
import uuid
from collections import Counter

from server.models import Conflict


def duplicate_ids(html: str) -> list[str]:
    return [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]


def test_two_conflicts_of_one_field_have_their_own_ids(as_user, scenario, db_session):
    first = scenario.conflict
    second = Conflict(id=str(uuid.uuid4()), grid_id=first.grid_id,
                      resident_id=scenario.residents["wang"].id, field=first.field,
                      kept_value="13800000003", lost_value="13900000004",
                      kept_by=first.kept_by, lost_by=first.lost_by,
                      detected_at=first.detected_at, status="open")
    db_session.add(second)
    db_session.commit()
    html = as_user("kunwu_sup").get("/conflicts").get_data(as_text=True)
    assert html.count('name="value_phone"') == 2
    assert duplicate_ids(html) == []
    # each corrected-value field is named for screen readers
    assert len(re.findall(r'name="value_phone" id="value_phone-[0-9a-f-]{36}" aria-label="', html)) == 2
