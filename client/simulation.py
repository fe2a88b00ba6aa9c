"""``knockdoor simulate``: tablets built on the real client core, over HTTP, in bad weather.

Each tablet signs in as one field worker, goes offline, records visits and notes, edits the
same residents as its neighbours (to provoke conflicts), comes back in random order, and
finally everybody syncs until nothing moves. Convergence is then proved by digest: every
tablet's copy of every grid must equal the server's.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from shared import protocol as p

from .service import FieldService, SignInError

PHONE_PREFIXES = ("138", "139", "150", "186")


@dataclass
class SimulationReport:
    tablets: int = 0
    grids: int = 0
    visits: int = 0
    notes: int = 0
    edits: int = 0
    request_moves: int = 0  # raised, claimed, progressed, done, verdicts (the three lists)
    syncs: int = 0
    failed_syncs: int = 0
    conflicts: int = 0
    rejected: int = 0
    seconds: float = 0.0
    diverged: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def converged(self) -> bool:
        return not self.diverged

    def lines(self) -> list[str]:
        out = [f"tablets          {self.tablets}",
               f"grids            {self.grids}",
               f"visits recorded  {self.visits}",
               f"notes added      {self.notes}",
               f"resident edits   {self.edits}",
               f"request moves    {self.request_moves}",
               f"syncs            {self.syncs} ({self.failed_syncs} cut short and retried)",
               f"conflicts        {self.conflicts}",
               f"rejected ops     {self.rejected}",
               f"time             {self.seconds:.1f} s"]
        out.extend(f"  {problem}" for problem in self.diverged)
        if self.converged:
            out.append(f"converged: {self.tablets} tablets agree with the server on "
                       f"{self.grids} grids (digests equal, nothing unsent)")
        else:
            out.append(f"DIVERGED: {len(self.diverged)} problems")
        return out


class Tablet:
    def __init__(self, name: str, data_dir: Path, rng: random.Random,
                 **service_options) -> None:
        self.name = name
        self.service = FieldService(data_dir, **service_options)
        self.rng = rng

    def work_offline(self, visits: int, report: SimulationReport, shared_targets: dict) -> None:
        residents = self.service.today_list()
        if not residents:
            return
        for _ in range(visits):
            resident = self.rng.choice(residents)
            outcome = self.rng.choices([p.MET, p.NO_ANSWER, p.AWAY], [8, 2, 1])[0]
            if outcome == p.MET:
                systolic = self.rng.randint(110, 175)
                self.service.record_visit(
                    resident.id, outcome,
                    readings={"systolic": systolic, "diastolic": systolic - self.rng.randint(35, 60),
                              "pulse": self.rng.randint(58, 96)},
                    mood=self.rng.choice(p.MOODS), needs=self.rng.sample(p.NEEDS, 1),
                    services=["chat"], note=self.rng.choice(["一切安好", "精神不错", "说腿疼"]))
            elif outcome == p.AWAY:
                self.service.record_visit(resident.id, outcome, away_reason="去女儿家住几天")
            else:
                self.service.record_visit(resident.id, outcome)
            report.visits += 1
        target = self.rng.choice(residents)
        self.service.add_note(target.id, f"{self.name}: 需要帮忙买药")
        report.notes += 1
        # Edit the same field of the same resident as the other tablets of this grid.
        contested = shared_targets.get(residents[0].grid_id, residents[0].id)
        shared_targets.setdefault(residents[0].grid_id, contested)
        phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        self.service.edit_resident(contested, {"phone": phone})
        self.service.edit_resident(self.rng.choice(residents).id,
                                   {"care_notes": f"{self.name} 记录: 独自在家, 需每周探访"})
        report.edits += 2
        from .requests import simulate_work  # the three lists (issue 14)
        report.request_moves += simulate_work(self.service, self.rng, residents)

    def sync(self, report: SimulationReport) -> bool:
        """One sync; True when something moved (pushed or pulled)."""
        result = self.service.sync()
        with report.lock:
            report.syncs += 1
            if not result.ok:
                report.failed_syncs += 1
                return True
            report.conflicts += result.conflicts
            report.rejected += result.rejected
        return bool(result.pushed or result.pulled)


def run_simulation(server_url: str, usernames: list[str], password: str, *, rounds: int = 3,
                   visits_per_round: int = 5, seed: int = 1, concurrency: int = 8,
                   work_dir: Path | None = None, say=print,
                   service_options: dict | None = None) -> SimulationReport:
    """``service_options``: passed to each tablet's FieldService (a transport, a sleep)."""
    rng = random.Random(seed)
    report = SimulationReport(tablets=len(usernames))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="knockdoor-sim-") as scratch:
        base = Path(work_dir or scratch)
        tablets = [Tablet(name, base / name, random.Random(rng.random()),
                          **(service_options or {})) for name in usernames]
        try:
            for tablet in tablets:
                tablet.service.sign_in(server_url, tablet.name, password, f"sim {tablet.name}")
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(lambda t: t.sync(report), tablets))
                for round_number in range(1, rounds + 1):
                    targets: dict = {}
                    for tablet in tablets:
                        tablet.work_offline(visits_per_round, report, targets)
                    order = tablets[:]
                    rng.shuffle(order)
                    list(pool.map(lambda t: t.sync(report), order))
                    say(f"round {round_number}: {report.visits} visits, "
                        f"{report.conflicts} conflicts so far")
                for _attempt in range(10):  # sync until quiet
                    if not any(list(pool.map(lambda t: t.sync(report), tablets))):
                        break
            verify(tablets, report)
        finally:
            for tablet in tablets:
                tablet.service.close()
    report.seconds = time.monotonic() - started
    return report


def verify(tablets: list[Tablet], report: SimulationReport) -> None:
    copies: dict[int, set[str]] = {}
    for tablet in tablets:
        store = tablet.service.store
        unsent = tablet.service.unsent_count()
        if unsent:
            report.diverged.append(f"{tablet.name}: {unsent} ops still unsent")
        local, server = store.local_digests(), store.server_digests()
        for grid_id, digest in server.items():
            if local.get(grid_id) != digest:
                report.diverged.append(f"{tablet.name}: grid {grid_id} digest "
                                       f"{local.get(grid_id)} != server {digest}")
            copies.setdefault(grid_id, set()).add(local.get(grid_id))
    report.grids = len(copies)
    for grid_id, digests in copies.items():
        if len(digests) > 1:
            report.diverged.append(f"grid {grid_id}: tablets hold {len(digests)} different copies")


def main(args: argparse.Namespace) -> int:
    """``knockdoor simulate`` (knockdoor/tablets.py): ``args.usernames`` (comma-separated) and
    ``args.password`` name the accounts; the CLI fills in the demo's when none are given."""
    usernames, password = args.usernames.split(","), args.password
    print(f"simulating {len(usernames)} tablets against {args.server} "
          f"({args.rounds} rounds)", flush=True)
    try:
        report = run_simulation(args.server, usernames, password, rounds=args.rounds,
                                seed=args.random_seed)
    except SignInError as error:
        print(f"DIVERGED: could not sign a tablet in ({error.code}: {error.message})")
        return 2
    for line in report.lines():
        print(line)
    sys.stdout.flush()
    return 0 if report.converged else 1
