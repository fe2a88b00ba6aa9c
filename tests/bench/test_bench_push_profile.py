"""bench/push_profile.py works: a tiny in-process push and re-push, on SQLite (counts, not
timings)."""
from __future__ import annotations

from bench import push_profile


def test_a_first_push_is_applied_and_every_re_push_answered_duplicate(capsys):
    assert push_profile.main(["--batches", "2", "--size", "5", "--rounds", "2",
                              "--profile", "3"], freeze=False) == 0
    out = capsys.readouterr().out
    assert "first push:" in out and "{'applied': 10}" in out
    assert out.count("{'duplicate': 10}") == 2
    assert "(profiled)" in out and "Ordered by: internal time" in out
