"""What the inbox hands out: the ranking workbook and JSON (as ``consolidate`` writes them),
every file received, the registers that count (a folder ``consolidate`` can take), and a
department's pre-filled blank registers."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from qianfen_xl.batch.consolidation import Consolidation
from qianfen_xl.contract.errors import PeriodError
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.forms.registers import build_register, register_filename
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.inbox import views
from qianfen_xl.inbox.access import ROLE_DEPARTMENT, ROLE_OFFICE
from qianfen_xl.inbox.ledger import safe_part
from qianfen_xl.inbox.web import Refusal, inbox_of, require
from qianfen_xl.reports.ranking import (
    ranking_note,
    ranking_order,
    returned_files,
    write_ranking_workbook,
)
from qianfen_xl.reports.ranking_json import ranking_dict
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTERS_FOLDER = "登记表"


def _attachment(path: Path, name: str, media_type: str) -> Response:
    """A temporary file sent as a download named ``name`` (removed once sent)."""
    return FileResponse(path, media_type=media_type, background=BackgroundTask(path.unlink),
                        headers={"content-disposition":
                                 f"attachment; filename*=UTF-8''{quote(name)}"})


def _temporary(request: Request, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(dir=inbox_of(request).store.tmp, suffix=suffix)
    os.close(fd)
    return Path(name)


def consolidation(request: Request, label: str) -> Consolidation:
    try:
        return inbox_of(request).ledger.consolidation(label)
    except PeriodError as exc:
        raise Refusal(400, str(exc)) from exc


def ranking_xlsx(request: Request) -> Response:
    """GET /api/ranking.xlsx?period=…: the ranking workbook ``consolidate`` writes."""
    require(request, ROLE_OFFICE)
    label = request.query_params.get("period", "")
    result = consolidation(request, label)
    path = _temporary(request, ".xlsx")
    write_ranking_workbook(result, inbox_of(request).standards, path)
    return _attachment(path, f"排名_{result.period.label}.xlsx", XLSX)


def ranking_json(request: Request) -> Response:
    """GET /api/ranking.json?period=…: what ``consolidate --json`` writes."""
    require(request, ROLE_OFFICE)
    result = consolidation(request, request.query_params.get("period", ""))
    text = json.dumps(ranking_dict(result), ensure_ascii=False, indent=2) + "\n"
    return Response(text.encode("utf-8"), media_type="application/json; charset=utf-8",
                    headers={"content-disposition": "inline; filename*=UTF-8''"
                             + quote(f"排名_{result.period.label}.json")})


def ranking_rows(result: Consolidation) -> list[dict[str, object]]:
    """The 排名 sheet's rows, for the ranking page."""
    returned = returned_files(result)
    return [{"month": m.period.label, "rank": r.rank if r.ranked else "—",
             "department": r.department, "line": r.line,
             "total": r.score.total if r.score else None, "line_rank": r.line_rank,
             "status": r.status,
             "note": ranking_note(r, returned)}
            for m in result.requested for r in ranking_order(m.departments)]


def _zip(request: Request, name: str, fill: Callable[[zipfile.ZipFile], None]) -> Response:
    path = _temporary(request, ".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        fill(archive)
    return _attachment(path, name, "application/zip")


def files_zip(request: Request) -> Response:
    """Every file received, as sent: 科室/编号_文件名, and the audit log as CSV."""
    require(request, ROLE_OFFICE)
    inbox = inbox_of(request)
    uploads = inbox.db.uploads()

    def fill(archive: zipfile.ZipFile) -> None:
        for u in uploads:
            if u.sha256:
                archive.write(inbox.ledger.stored_path(u),
                              f"{safe_part(u.department)}/{u.id:05d}_{u.filename}")
        rows = views.audit(inbox.ledger, uploads)
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(["编号", "时间", "科室", "文件", "SHA-256", "字节", "结果", "现状"])
        for r in reversed(rows):
            writer.writerow([r["id"], r["received_at"], r["department"], r["file"],
                             r["sha256"], r["bytes"], r["result"], r["state"]])
        archive.writestr("审计日志.csv", ("\ufeff" + text.getvalue()).encode("utf-8"))

    return _zip(request, f"{inbox.unit}_收到的全部文件.zip", fill)


def counting_zip(request: Request) -> Response:
    """The registers that count (登记表/科室/文件名) and the roster: unpacked, it is what
    ``qianfen-xl consolidate 登记表 --roster 人员名单…`` takes."""
    require(request, ROLE_OFFICE)
    inbox = inbox_of(request)

    def fill(archive: zipfile.ZipFile) -> None:
        for c in inbox.ledger.counting():
            archive.write(inbox.ledger.stored_path(c.entry.upload), f"{REGISTERS_FOLDER}/{c.label}")
        archive.write(inbox.roster_path, f"人员名单{inbox.roster_path.suffix}")

    return _zip(request, f"{inbox.unit}_计分登记表.zip", fill)


def templates_zip(request: Request) -> Response:
    """The department's pre-filled blank pair (``templates --roster``), optionally with
    the week and month filled in."""
    who = require(request, ROLE_DEPARTMENT)
    inbox = inbox_of(request)
    week = request.query_params.get("week", "").strip()
    month = request.query_params.get("month", "").strip()
    for label, kind in ((week, "week"), (month, "month")):
        if label:
            try:
                ok = parse_period(label).kind == kind
            except PeriodError:
                ok = False
            if not ok:
                raise Refusal(400, f"期间 “{label}” 无效：周如 2026-W47，月如 2026-11")
    people = inbox.people_of(who.department)
    with tempfile.TemporaryDirectory(dir=inbox.store.tmp) as work:
        def fill(archive: zipfile.ZipFile) -> None:
            for kind, period in ((KIND_WEEKLY, week), (KIND_MONTHLY, month)):
                wb = build_register(kind, inbox.standards, unit=inbox.unit or None,
                                    department=who.department, period=period, roster=people)
                name = register_filename(kind, who.department, period)  # never a path
                archive.write(save_workbook(wb, Path(work) / name), name)

        return _zip(request, f"{who.department}_登记表.zip", fill)
