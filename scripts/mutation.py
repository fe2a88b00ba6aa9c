"""`make mutation`: mutation testing of the sync rules with cosmic-ray, a score per module.

The modules, the tests that guard each one, the operators left out and the mutants judged
equivalent are configured in pyproject.toml under [tool.cosmic-ray]. Each module is mutated in
its own copy of the tree (cosmic-ray edits the file in place), so the checkout is never touched
and modules run side by side. Prints, per module, the mutants, the caught ones (a failing test or
a time-out), the equivalent ones, the score, and every surviving mutant as a diff.

    python scripts/mutation.py                   # every configured module
    python scripts/mutation.py shared/due.py     # one module

The tests run on SQLite. Modules listed in ``postgresql`` (their code branches on the database)
are also tested on PostgreSQL when KNOCKDOOR_MUTATION_DATABASE_URL names a database the suite
may empty; without it their PostgreSQL-only mutants survive.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COSMIC_RAY = [sys.executable, "-m", "cosmic_ray.cli"]


@dataclass
class Outcome:
    module: str
    total: int = 0
    killed: int = 0
    timed_out: int = 0
    not_applied: int = 0
    equivalent: list[str] = field(default_factory=list)
    survivors: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def score(self) -> float:
        counted = self.total - len(self.equivalent)
        return 100.0 * (self.killed + self.timed_out) / counted if counted else 100.0


def settings() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["cosmic-ray"]


def copy_tree(destination: Path) -> None:
    """The checkout as it is now (tracked and new files), without the venv or caches."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def mutant_id(diff: str, item: dict | None = None) -> str:
    """A mutant named by the line it changes, before → after: stable when other lines move.

    A mutant whose diff shows no changed line (the operator rewrote the code to the same text)
    is named by its operator and place instead, so it can still be found and judged."""
    removed = [line[1:].strip() for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    if not removed and not added and item:
        places = [f"{m['operator_name']} at line {m['start_pos'][0]}"
                  for m in item.get("mutations", [])]
        return f"(no textual change) {', '.join(places)}"
    return f"{' '.join(removed)} → {' '.join(added)}"


def test_command(tests: list[str]) -> str:
    # -p no:randomly keeps runs comparable; SQLite only: the PostgreSQL URL is taken away below.
    return f"{sys.executable} -m pytest -x -q -p no:cacheprovider --timeout=120 " + " ".join(tests)


def run_module(module: str, tests: list[str], config: dict) -> Outcome:
    outcome = Outcome(module)
    equivalent = {entry["mutant"]: entry["why"]
                  for entry in config.get("equivalent", {}).get(module, [])}
    with tempfile.TemporaryDirectory(prefix="knockdoor-mutation-") as workdir:
        tree = Path(workdir)
        copy_tree(tree)
        cr_config = {"cosmic-ray": {
            "module-path": module, "timeout": float(config.get("timeout", 60)),
            "excluded-modules": [], "test-command": test_command(tests),
            "distributor": {"name": "local"},
            "filters": {"operators-filter": {
                "exclude-operators": config.get("exclude-operators", [])}}}}
        (tree / "cr.toml").write_text(toml_dump(cr_config))
        env = {k: v for k, v in os.environ.items() if k != "KNOCKDOOR_TEST_DATABASE_URL"}
        # Modules with a PostgreSQL-only path are also tested there when a database is given
        # (one such module at a time: the suite empties the database it is given).
        postgresql = os.environ.get("KNOCKDOOR_MUTATION_DATABASE_URL")
        if postgresql and module in config.get("postgresql", []):
            env["KNOCKDOOR_TEST_DATABASE_URL"] = postgresql
        env["PYTHONPATH"] = str(tree)

        def run(*args, check=True):
            return subprocess.run(list(args), cwd=tree, env=env, check=check,
                                  capture_output=True, text=True)

        baseline = run(*test_command(tests).split(), check=False)
        if baseline.returncode != 0:
            outcome.error = "the tests fail without any mutation:\n" + baseline.stdout[-2000:]
            return outcome
        run(*COSMIC_RAY, "init", "cr.toml", "session.sqlite")
        run(sys.executable, "-m", "cosmic_ray.tools.filters.operators_filter",
            "session.sqlite", "cr.toml")
        run(*COSMIC_RAY, "exec", "cr.toml", "session.sqlite")
        dump = run(*COSMIC_RAY, "dump", "session.sqlite").stdout
    for line in dump.splitlines():
        item, result = json.loads(line)
        if result is None or result["worker_outcome"] == "skipped":
            continue
        if result["test_outcome"] == "incompetent":
            # cosmic-ray could not make this mutant (e.g. an operator that fails on a dotted
            # exception name): there is nothing to test, so it is not counted.
            outcome.not_applied += 1
            continue
        outcome.total += 1
        ident = mutant_id(result.get("diff") or "", item)
        if ident in equivalent:
            outcome.equivalent.append(f"{ident}: {equivalent[ident]}")
        elif result["worker_outcome"] == "abnormal":
            outcome.timed_out += 1
        elif result["test_outcome"] == "killed":
            outcome.killed += 1
        else:
            outcome.survivors.append(ident)
    return outcome


def run_safely(module: str, tests: list[str], config: dict) -> Outcome:
    """One module's outcome; a module whose run breaks is reported, not the end of the others."""
    try:
        return run_module(module, tests, config)
    except subprocess.CalledProcessError as error:
        return Outcome(module, error=f"{' '.join(map(str, error.cmd[:4]))} failed "
                                     f"({error.returncode}):\n{(error.stderr or '')[-2000:]}")


def toml_dump(value: dict, prefix: str = "") -> str:
    """Just enough TOML for cosmic-ray's config: tables of strings, numbers and lists."""
    lines, tables = [], []
    for key, item in value.items():
        if isinstance(item, dict):
            tables.append((key, item))
        else:
            lines.append(f"{json.dumps(key)} = {json.dumps(item)}")
    text = "\n".join(lines) + "\n"
    for key, item in tables:
        name = f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key)
        text += f"\n[{name}]\n" + toml_dump(item, name)
    return text


def report(outcomes: list[Outcome], goal: float) -> bool:
    print(f"\n{'module':34} {'mutants':>7} {'caught':>6} {'timeout':>7} {'equiv':>5} {'score':>7}"
          f" {'not made':>8}")
    ok = True
    for o in outcomes:
        if o.error:
            print(f"{o.module:34} ERROR: {o.error}")
            ok = False
            continue
        mark = "" if o.score >= goal else "  < goal"
        ok = ok and o.score >= goal
        print(f"{o.module:34} {o.total:7d} {o.killed:6d} {o.timed_out:7d} "
              f"{len(o.equivalent):5d} {o.score:6.1f}% {o.not_applied:8d}{mark}")
    for o in outcomes:
        if o.equivalent:
            print(f"\n== {o.module}: equivalent mutants (not counted)")
            print("\n".join(f"  {line}" for line in o.equivalent))
        if o.survivors:
            print(f"\n== {o.module}: {len(o.survivors)} surviving mutants")
            print("\n".join(f"  {ident}" for ident in o.survivors))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all configured)")
    parser.add_argument("--jobs", type=int, default=None, help="modules mutated side by side")
    args = parser.parse_args(argv)
    config = settings()
    configured = config["modules"]
    chosen = args.modules or list(configured)
    unknown = [m for m in chosen if m not in configured]
    if unknown:
        parser.error(f"not configured in [tool.cosmic-ray.modules]: {', '.join(unknown)}")
    jobs = args.jobs or int(config.get("jobs", 2))
    with ThreadPoolExecutor(jobs) as pool:
        outcomes = list(pool.map(lambda m: run_safely(m, configured[m], config), chosen))
    return 0 if report(outcomes, float(config.get("goal", 90))) else 1


if __name__ == "__main__":
    sys.exit(main())
