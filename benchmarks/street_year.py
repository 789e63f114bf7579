"""The street-year benchmark (run it with ``benchmarks/run``): on the same files, in one run,

  (a) the naive path a user would write: pandas.read_excel(engine="openpyxl") per sheet and
      pandera validation per file, one process;
  (b) ``qianfen-xl consolidate --period 2026`` over the whole year (the command, timed from
      outside, peak RSS summed over its process tree);
  (c) the read floor: python-calamine reading the same sheets and nothing else, one process
      (and, for reference, split over the same number of processes as (b)).

(b) and (c) take turns, run after run, so that their ratio compares runs made under the
same load. Prints medians over ``--runs`` runs, the ratios (b)/(a) and (b)/(c), files per second and
peak RSS; then (b) on ``--streets`` streets for flatness, and the time to write the ranking
workbook for them. Data are generated once into ``--data`` (benchmarks/generate.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from timing import interleaved_medians, median_time

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ("登记", "人员", "得分")


def files_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xlsx"))


def ensure_data(data: Path, streets: int) -> None:
    have = len([p for p in data.glob("街道*") if p.is_dir()]) if data.exists() else 0
    if have < streets:
        print(f"generating {streets} street(s) into {data} (once) …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(data),
                        "--streets", str(streets)], check=True)


# ------------------------------------------------------------------ (a) the naive path

def naive(files: list[Path]) -> None:
    import pandas as pd

    from qianfen_xl.contract.standards import load_standards
    from qianfen_xl.intake.reading import find_table
    from qianfen_xl.intake.validation import check_tables
    from qianfen_xl.schemas.columns import INCIDENT_COLUMNS, ROSTER_COLUMNS

    standards = load_standards()
    for path in files:
        frames = pd.read_excel(path, sheet_name=list(SHEETS), engine="openpyxl", header=None)
        rows = {s: frames[s].astype(object).where(frames[s].notna(), None).values.tolist()
                for s in SHEETS}
        roster, _ = find_table(rows["人员"], "人员", ROSTER_COLUMNS, path.name)
        log, _ = find_table(rows["登记"], "登记", INCIDENT_COLUMNS, path.name)
        check_tables(standards, path.name, roster, log)  # pandera, this file alone


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


def consolidate_command(inbox: Path, out: Path, workers: int,
                        memory: bool = False) -> tuple[float, int, int]:
    """(seconds, peak RSS, peak PSS in MB) of one `qianfen-xl consolidate --period 2026`.
    Memory is sampled only when asked (reading smaps costs CPU): time it on other runs."""
    exe = Path(sys.executable).parent / "qianfen-xl"
    cmd = [str(exe), "consolidate", str(inbox), "--period", "2026", "--out", str(out),
           "--workers", str(workers)]
    peak, peak_pss = 0, 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = _tree_memory_kb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.05)  # light: the sampler must not slow what it measures
    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - t0
    done.set()
    if memory:
        sampler.join()
    if code not in (0, 1):
        raise RuntimeError(f"consolidate exited with {code}")
    return elapsed, peak // 1024, peak_pss // 1024


def write_time(inbox: Path, out: Path, workers: int, runs: int) -> float:
    """Median time to write the ranking workbook for the inbox's results."""
    from qianfen_xl.batch.consolidation import consolidation_period
    from qianfen_xl.batch.inbox import run_consolidation
    from qianfen_xl.contract.standards import load_standards
    from qianfen_xl.reports.ranking import write_ranking_workbook

    standards = load_standards()
    result = run_consolidation(inbox, consolidation_period("2026"), standards, workers=workers,
                               progress=False)
    return median_time(lambda: write_ranking_workbook(result, standards, out), runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--streets", type=int, default=10,
                        help="also run (b) on this many streets (1 = skip)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out (a) (slow)")
    args = parser.parse_args()
    ensure_data(args.data, max(1, args.streets))
    one = args.data / "街道01"
    files = files_under(one)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / "qianfen-bench-排名.xlsx"
    n, runs = len(files), args.runs
    print(f"street-year: {n} files in {one}; {args.workers} workers; median of {runs} runs")

    # (b) and (c) take turns, so that the ratio compares runs made under the same load.
    medians = interleaved_medians({
        "b": lambda: consolidate_command(one, out, args.workers),
        "c": lambda: read_floor(files),
        "cp": lambda: read_floor_parallel(files, args.workers),
    }, runs)
    b, c, cp = medians["b"], medians["c"], medians["cp"]
    _, b_rss, b_pss = consolidate_command(one, out, args.workers, memory=True)
    print(f"(b) qianfen-xl consolidate: {b:6.2f} s  {n / b:7.0f} files/s  "
          f"peak memory {b_pss} MB PSS ({b_rss} MB RSS summed over processes)")
    print(f"(c) read floor, 1 process:  {c:6.2f} s  {n / c:7.0f} files/s   (b)/(c) = {b / c:.2f}")
    print(f"    read floor, {args.workers} processes: {cp:5.2f} s  {n / cp:7.0f} files/s   "
          f"(b)/(c∥) = {b / cp:.2f}")
    if not args.skip_naive:
        a = median_time(lambda: naive(files), runs)
        print(f"(a) naive path:             {a:6.2f} s  {n / a:7.0f} files/s   "
              f"(a)/(b) = {a / b:.1f}x faster")
    if args.streets > 1:
        many = files_under(args.data)
        t = consolidate_command(args.data, out, args.workers)[0]
        _, rss, pss = consolidate_command(args.data, out, args.workers, memory=True)
        print(f"(b) on {args.streets} streets: {len(many)} files in {t:.2f} s, "
              f"{len(many) / t:.0f} files/s ({len(many) / t / (n / b):.0%} of one street's "
              f"rate), peak memory {pss} MB PSS ({rss} MB RSS)")
        w = write_time(args.data, out, args.workers, runs)
        print(f"    ranking workbook for {args.streets} streets written in {w:.2f} s")


if __name__ == "__main__":
    main()
