"""``consolidate --monthly-out``: each department's 月考核情况登记表, pre-filled with the
month's incidents from its weekly registers, live formulas and all, for the supervising
office to add its inspection findings and send back through ``consolidate``."""

from __future__ import annotations

from pathlib import Path

from qianfen_xl.batch.consolidation import Consolidation
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.filling import fill_incidents
from qianfen_xl.forms.registers import (
    build_register,
    register_filename,
)
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.schemas.columns import INCIDENT_ROWS, KIND_MONTHLY

SPARE_ROWS = 100  # empty rows left for the office's own findings


def write_monthly_registers(result: Consolidation, standards: Standards, out: Path) -> list[Path]:
    """One register per department and requested month scored from its weeklies."""
    written = []
    for month in result.requested:
        for r in month.departments:
            if not r.from_weeklies:
                continue
            rows = max(INCIDENT_ROWS[KIND_MONTHLY], len(r.incidents) + SPARE_ROWS)
            wb = build_register(KIND_MONTHLY, standards, unit=result.unit,
                                department=r.department, period=month.period.label,
                                roster=r.members, incident_rows=rows)
            fill_incidents(wb, standards, r.incidents, {p.id: p.name for p in r.members})
            name = register_filename(KIND_MONTHLY, r.department, month.period.label)
            written.append(save_workbook(wb, out / name))
    return written
