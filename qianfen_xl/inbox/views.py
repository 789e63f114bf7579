"""The data of each page, as plain dicts: the HTML pages render them and their JSON twins
(``/api/board``, ``/api/department``) return them as they are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qianfen_xl.batch.consolidation import SCORED, STATUSES
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.inbox.db import Upload
from qianfen_xl.inbox.ledger import IN_PROGRESS, Cell, Ledger, reminders, week_ended
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY

STATUS_CLASS = {"已计分": "scored", "退回修改": "returned", "不完整": "incomplete",
                "未报送": "missing", IN_PROGRESS: "pending"}


def default_year(ledger: Ledger, today: date) -> int:
    return ledger.years(today)[-1] if ledger.counting() else today.year


def board(ledger: Ledger, year: int, today: date) -> dict[str, object]:
    """Periods × departments: every department's months of the year, with each status and
    its reason, and the 催报 lines. ``counts``: how many cells show each status (a month
    still running, not yet scored or returned, shows 本月进行中)."""
    months = ledger.months_of(year, today)
    cells: dict[str, dict[str, Cell]] = {}
    for month in months:
        for cell in ledger.cells(month, today):
            cells.setdefault(cell.department, {})[month] = cell
    departments = list(dict.fromkeys([*ledger.departments(), *cells]))
    rows = [{"department": d, "months": [cells[d][m].as_dict() | {"month": m}
                                         for m in months if m in cells.get(d, {})]}
            for d in departments]
    all_cells = [cells[d][m] for m in months for d in departments if m in cells.get(d, {})]
    counts = {s: sum(c.shown == s for c in all_cells) for s in (*STATUSES, IN_PROGRESS)}
    return {"year": year, "months": [{"month": m, "in_progress": parse_period(m).end >= today}
                                     for m in months],
            "departments": rows, "counts": counts,
            "reminders": reminders(all_cells),
            "years": ledger.years(today)}


def _state(upload: Upload, counting: dict[int, str], superseded: dict[int, int]) -> str:
    if upload.http_status != 201:
        return upload.result
    if upload.id in counting:
        return "以此为准"
    if upload.id in superseded:
        return f"已被第 {superseded[upload.id]} 号替代"
    return "不计入（未能识别科室和期间）" if not upload.counts else "不计入"


def audit(ledger: Ledger, uploads: Sequence[Upload]) -> list[dict[str, object]]:
    counting = ledger.counting_labels()
    superseded = ledger.superseded_by()
    return [u.as_dict() | {"counting": u.id in counting,
                           "superseded_by": superseded.get(u.id),
                           "state": _state(u, counting, superseded)}
            for u in reversed(uploads)]


def department(ledger: Ledger, name: str, year: int, today: date) -> dict[str, object]:
    """A department's months (status, reason, and for each week the register that counts)
    and its uploads, newest first."""
    by_period = {key[1:]: c for c in ledger.counting()  # (kind, period): what counts
                 if (key := c.entry.key) is not None and c.entry.upload.department == name}
    weekly = [parse_period(p) for kind, p in by_period if kind == KIND_WEEKLY]
    months = []
    for month in reversed(ledger.months_of(year, today)):
        row = next((c for c in ledger.cells(month, today) if c.department == name), None)
        if row is None:
            continue
        owed = ledger.owed(month)
        span = parse_period(month)
        sent = [w.label for w in weekly if w.label not in owed
                and w.start <= span.end and w.end >= span.start]
        weeks = []
        for week in sorted((*owed, *sent)):
            c = by_period.get((KIND_WEEKLY, week))
            weeks.append({"week": week, "owed": week in owed, "due": week_ended(week, today),
                          "file": c.entry.upload.filename if c else "",
                          "upload": c.entry.upload.id if c else None,
                          "received_at": c.entry.upload.received_at if c else "",
                          "errors": sum(f.is_error for f in c.entry.submission.findings)
                          if c else 0})
        monthly = by_period.get((KIND_MONTHLY, month))
        months.append(row.as_dict() | {
            "month": month, "in_progress": row.in_progress, "weeks": weeks,
            "monthly": monthly.entry.upload.filename if monthly else "",
            "monthly_upload": monthly.entry.upload.id if monthly else None})
    uploads = audit(ledger, ledger.db.uploads(name))
    return {"department": name, "year": year, "months": months, "uploads": uploads,
            "scored": sum(m["status"] == SCORED for m in months)}
