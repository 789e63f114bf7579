"""``consolidate --json``: the ranking workbook's results as JSON, for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from qianfen_xl.batch.consolidation import Consolidation, DepartmentMonth
from qianfen_xl.contract.atomic import write_atomic
from qianfen_xl.reports.ranking import returned_files, status_note
from qianfen_xl.scoring.engine import DepartmentScore
from qianfen_xl.scoring.quarter import QuarterGrade


def score_dict(s: DepartmentScore | None) -> dict[str, object]:
    """A department's score and its people's, as JSON (nulls when it was not scored)."""
    return {
        "total": s.total if s else None, "member_mean": s.member_mean if s else None,
        "norms": dict(s.norms) if s else None, "additions": s.additions if s else None,
        "vetoes": list(s.vetoes) if s else [],
        "people": [{"id": p.id, "name": p.name, "norms": dict(p.norms),
                    "additions": p.additions, "total": p.total, "vetoes": list(p.vetoes)}
                   for p in s.people] if s else [],
    }


def _department(r: DepartmentMonth, returned: set[str]) -> dict[str, object]:
    return {
        "department": r.department, "line": r.line, "status": r.status, "rank": r.rank,
        "line_rank": r.line_rank, "ranked": r.ranked, "files": list(r.files),
        "missing": list(r.missing), "note": status_note(r, returned),
        **score_dict(r.score),
    }


def quarter_dict(g: QuarterGrade) -> dict[str, object]:
    return {"id": g.id, "name": g.name, "department": g.department, "months": list(g.months),
            "mean": g.mean, "grade": g.grade, "note": g.note}


def ranking_dict(result: Consolidation) -> dict[str, object]:
    returned = returned_files(result)
    return {
        "unit": result.unit,
        "period": result.period.label,
        "standards": result.standards_digest,
        "calendar": result.calendar_digest,
        "exit_code": result.exit_code,
        "departments": result.department_counts(),
        "files": dict(result.file_counts()),
        "months": [{"period": m.period.label, "requested": m.requested,
                    "departments": [_department(r, returned) for r in m.departments]}
                   for m in result.months],
        "findings": [f.as_dict() for f in result.findings],
        "sources": [{"file": s.submission.label, "sha256": s.submission.sha256,
                     "bytes": s.submission.size, "kind": s.submission.kind,
                     "version": s.submission.version, "department": s.submission.department,
                     "period": s.submission.period.label if s.submission.period else "",
                     "status": s.status, "note": s.note, "macros": s.submission.macros}
                    for s in result.sources],
        "quarter_grades": [quarter_dict(g) for g in result.quarter],
    }


def write_ranking_json(result: Consolidation, path: Path) -> Path:
    data = json.dumps(ranking_dict(result), ensure_ascii=False, indent=2)
    return write_atomic(path, lambda tmp: tmp.write_text(data + "\n", encoding="utf-8"))
