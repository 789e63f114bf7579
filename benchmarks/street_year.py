"""The benchmark of the batch and of one file (run it with ``benchmarks/run``). In one run,
on the same files, each figure the README's table gives:

  1. a street-year (1,920 registers): ``qianfen-xl consolidate --period 2026`` (b), the
     whole command with its worker processes, against the read floor (c): python-calamine
     reading the same sheets (登记, 人员, 得分) of the same files in as many processes, and
     nothing else; and against the naive path (a) a user would write:
     pandas.read_excel(engine="openpyxl") per sheet and pandera per file, one process;
  2. one file: ``qianfen-xl validate FILE``, the whole process, against
     ``python -c "import openpyxl"``;
  3. ten streets: (b) again, its rate and memory, and the time to write their ranking
     workbook; from these the city-year (300 streets × 40 departments × 52 weeks).

Ratios compare CPU time (user + system, of the process and the processes it waited for):
the machine is shared, and CPU time is what a run costs whatever else runs beside it.
The runs being compared take turns (a, b, c, a, b, c …), so a busy spell falls on all of
them alike; each figure is the median over ``--runs``. Wall time is printed beside it.
Data are generated once into ``--data`` (benchmarks/generate.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ("登记", "人员", "得分")
BIN = Path(sys.executable).parent
# The city-year the README states: 300 streets × 40 departments × 52 weekly registers, ten
# people a department (as the generated streets have): 12 months of 个人明细 a person.
CITY_REGISTERS = 300 * 40 * 52
CITY_ROWS = 300 * 40 * 10 * 12 + CITY_REGISTERS  # 个人明细 and 数据来源


class Cost(NamedTuple):
    cpu: float   # seconds of CPU, user + system, every process of the run
    wall: float


def files_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xlsx"))


def ensure_data(data: Path, streets: int) -> None:
    """The generated streets, made again when there are too few or they were made from
    other templates or standards than today's (``generate.stamp``)."""
    from generate import STAMP, stamp

    have = len([p for p in data.glob("街道*") if p.is_dir()]) if data.exists() else 0
    current = (data / STAMP).exists() and (data / STAMP).read_text() == stamp()
    if have < streets or not current:
        print(f"generating {streets} street(s) into {data} (once) …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(data),
                        "--streets", str(streets)], check=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_children(fn: Callable[[], object]) -> Cost:
    """The cost of ``fn``, whose work is done by processes it starts and waits for."""
    cpu, t0 = _children_cpu(), time.perf_counter()
    fn()
    return Cost(_children_cpu() - cpu, time.perf_counter() - t0)


def in_process(fn: Callable[[], object]) -> Cost:
    cpu, t0 = time.process_time(), time.perf_counter()
    fn()
    return Cost(time.process_time() - cpu, time.perf_counter() - t0)


def taking_turns(runs: int, measures: dict[str, Callable[[], Cost]]) -> dict[str, Cost]:
    """Each measure run ``runs`` times, in turn round after round; the median of each."""
    costs: dict[str, list[Cost]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            costs[name].append(measure())
    return {name: Cost(statistics.median(c.cpu for c in cs), statistics.median(c.wall for c in cs))
            for name, cs in costs.items()}


# ------------------------------------------------------------------ (a) the naive path

def naive(files: list[Path]) -> None:
    import pandas as pd

    from qianfen_xl.contract.standards import load_standards
    from qianfen_xl.intake.reading import find_table
    from qianfen_xl.intake.validation import Tables, check_many
    from qianfen_xl.schemas.columns import INCIDENT_COLUMNS, ROSTER_COLUMNS

    standards = load_standards()
    for path in files:
        frames = pd.read_excel(path, sheet_name=list(SHEETS), engine="openpyxl", header=None)
        rows = {s: frames[s].astype(object).where(frames[s].notna(), None).values.tolist()
                for s in SHEETS}
        roster, _ = find_table(rows["人员"], "人员", ROSTER_COLUMNS, path.name)
        log, _ = find_table(rows["登记"], "登记", INCIDENT_COLUMNS, path.name)
        # the declared pandera schemas, this file alone
        check_many(standards, [Tables(path.name, roster, log)], declared=True)


# ------------------------------------------------------------------ (c) the read floor

def read_floor(files: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        for sheet in SHEETS:
            cells += len(book.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
    return cells


def read_floor_parallel(files: list[Path], workers: int) -> None:
    chunks = [files[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(read_floor, chunks))


# ------------------------------------------------------------------ (b) the command

def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _tree_memory_kb(root: int) -> tuple[int, int]:
    """(RSS, PSS) of a process and all its descendants, from /proc. Forked workers share
    the parent's pages: RSS counts a shared page in every process, PSS divides it among
    them, so the PSS sum is the memory the run really takes."""
    tree, frontier = [root], [root]
    while frontier:
        kids = _children(frontier.pop())
        tree += kids
        frontier += kids
    rss = pss = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            key, _, rest = line.partition(":")
            if key == "Rss":
                rss += int(rest.split()[0])
            elif key == "Pss":
                pss += int(rest.split()[0])
    return rss, pss


def consolidate_cmd(inbox: Path, out: Path, workers: int) -> list[str]:
    return [str(BIN / "qianfen-xl"), "consolidate", str(inbox), "--period", "2026",
            "--out", str(out), "--workers", str(workers)]


def run_command(cmd: list[str]) -> None:
    code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:2])} exited with {code}")


def peak_memory(cmd: list[str]) -> tuple[int, int]:
    """(peak RSS summed over the process tree, peak PSS) in MB of one run of ``cmd``,
    sampled every 50 ms (a run of its own: reading /proc costs CPU)."""
    peak = peak_pss = 0
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        rss, pss = _tree_memory_kb(proc.pid)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.05)
    return peak // 1024, peak_pss // 1024


def write_cost(inbox: Path, out: Path, workers: int, runs: int) -> tuple[Cost, int]:
    """The median cost of writing the ranking workbook for the inbox, and its rows."""
    from qianfen_xl.batch.consolidation import consolidation_period
    from qianfen_xl.batch.inbox import run_consolidation
    from qianfen_xl.contract.standards import load_standards
    from qianfen_xl.reports.ranking import write_ranking_workbook

    standards = load_standards()
    result = run_consolidation(inbox, consolidation_period("2026"), standards, workers=workers,
                               progress=False)
    rows = (sum(len(r.score.people) for m in result.requested for r in m.scored() if r.score)
            + len(result.sources))
    cost = taking_turns(runs, {"w": lambda: in_process(
        lambda: write_ranking_workbook(result, standards, out))})["w"]
    return cost, rows


# ------------------------------------------------------------------ the run

def line(label: str, cost: Cost, note: str = "") -> None:
    print(f"  {label:44s} {cost.cpu:7.2f} s CPU  {cost.wall:7.2f} s wall  {note}")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--validate-runs", type=int, default=15)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--streets", type=int, default=10,
                        help="also run (b) on this many streets (1 = skip)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out (a) (slow)")
    args = parser.parse_args()
    ensure_data(args.data, max(1, args.streets))
    one = args.data / "街道01"
    files = files_under(one)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"qianfen-bench-{os.getpid()}-排名.xlsx"
    n, w = len(files), args.workers
    print(f"{n} registers in {one}; {w} processes; median of {args.runs} runs taking turns; "
          f"load average {load()} on {os.cpu_count()} cores")

    # 1. the street-year
    measures = {
        "b": lambda: in_children(lambda: run_command(consolidate_cmd(one, out, w))),
        "c": lambda: in_children(lambda: read_floor_parallel(files, w)),
        "c1": lambda: in_process(lambda: read_floor(files)),
    }
    if not args.skip_naive:
        import pandas  # noqa: F401 (imported once, before it is timed)
        measures["a"] = lambda: in_process(lambda: naive(files))
    got = taking_turns(args.runs, measures)
    b, c, c1 = got["b"], got["c"], got["c1"]
    rss, pss = peak_memory(consolidate_cmd(one, out, w))
    print("1. a street-year")
    line(f"(b) qianfen-xl consolidate, {w} processes", b,
         f"{n / b.cpu:.0f} registers a CPU-second; peak {pss} MB PSS ({rss} MB RSS summed)")
    line(f"(c) read floor, {w} processes", c, f"(b)/(c) = {b.cpu / c.cpu:.2f} in CPU time "
         f"({b.wall / c.wall:.2f} in wall time)")
    line("    read floor, 1 process", c1, f"(b)/(c, 1 process) = {b.cpu / c1.cpu:.2f} in CPU")
    if "a" in got:
        a = got["a"]
        line("(a) naive path, 1 process", a,
             f"(a)/(b) = {a.cpu / b.cpu:.1f} in CPU time ({a.wall / b.wall:.1f} in wall time)")

    # 2. one file
    sample = next(p for p in files if "W10" in p.name)
    cmd = [str(BIN / "qianfen-xl"), "validate", str(sample)]
    base = [sys.executable, "-c", "import openpyxl"]
    one_file = taking_turns(args.validate_runs, {
        "v": lambda: in_children(lambda: run_command(cmd)),
        "o": lambda: in_children(lambda: run_command(base))})
    v, o = one_file["v"], one_file["o"]
    print(f"2. one file (median of {args.validate_runs} runs taking turns)")
    line("qianfen-xl validate FILE, the whole process", v,
         f"= {v.cpu / o.cpu:.2f}x in CPU time ({v.wall / o.wall:.2f}x in wall time) of")
    line('python -c "import openpyxl"', o)

    # 3. ten streets, and the city-year
    if args.streets > 1:
        many = files_under(args.data)
        t = in_children(lambda: run_command(consolidate_cmd(args.data, out, w)))
        rss10, pss10 = peak_memory(consolidate_cmd(args.data, out, w))
        wrote, rows = write_cost(args.data, out, w, args.runs)
        print(f"3. {args.streets} streets")
        line(f"(b) on {len(many)} registers, {w} processes", t,
             f"{len(many) / t.cpu:.0f} registers a CPU-second "
             f"({len(many) / t.cpu / (n / b.cpu):.0%} of one street's); "
             f"peak {pss10} MB PSS ({rss10} MB RSS summed)")
        line(f"    their ranking workbook ({rows:,} rows of 个人明细 and 数据来源)", wrote,
             f"{rows / wrote.cpu:,.0f} rows a CPU-second")
        per_register = max(0.0, (pss10 - pss) / (len(many) - n))  # MB the parent keeps
        city_cpu = CITY_REGISTERS / (len(many) / t.cpu)
        city_mb = pss10 + per_register * (CITY_REGISTERS - len(many))
        print(f"   a city-year at these rates: {CITY_REGISTERS:,} registers (300 streets × 40 "
              f"departments × 52 weeks) in {city_cpu / 3600:.1f} CPU-hours, "
              f"{city_cpu * t.wall / t.cpu / 3600:.1f} hours on {w} cores; about "
              f"{city_mb / 1024:.1f} GB PSS ({per_register * 1024:.0f} KB more a register); "
              f"its ranking workbook {CITY_ROWS:,} rows, "
              f"{CITY_ROWS / (rows / wrote.cpu) / 60:.0f} min to write")
    out.unlink(missing_ok=True)
    print(f"load average at the end {load()}")


if __name__ == "__main__":
    main()
