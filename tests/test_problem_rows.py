"""The sheet and validate agree on the rows that cannot be scored: a row the register counts
in qf_problem_count (and colours red) is one validate names, and a register that shows no
problem passes validate with the engine's scores. Random registers from the real
templates, read as saved (no spreadsheet needed)."""

from __future__ import annotations

import openpyxl

from qianfen_xl.intake.register import intake

from random_registers import BAD_KINDS, write_random

WITHOUT_FORMULAS = ("no-formulas", "below-table")


def _cached_problem_count(path) -> object:
    wb = openpyxl.load_workbook(path, data_only=True)
    sheet, cell = next(wb.defined_names["qf_problem_count"].destinations)
    return wb[sheet][cell.replace("$", "")].value


def _row(cell: str) -> int:
    return int("".join(ch for ch in cell if ch.isdigit()))


def test_every_row_the_sheet_cannot_score_is_an_error_in_validate(tmp_path):
    kinds = tuple(k for k in BAD_KINDS if k not in WITHOUT_FORMULAS)
    registers = write_random(tmp_path, 16, seed=161, bad_share=0.4, kinds=kinds)
    seen: set[str] = set()
    for reg in registers:
        sub = intake(reg.path, reg.standards)
        errors = {_row(f.cell) for f in sub.findings if f.is_error and f.sheet == "登记" and f.cell}
        # A row naming an id the roster holds twice (in another case) is named through the
        # roster's duplicate; every other row that cannot be scored, on its own row.
        assert ("roster-id-duplicate" in {f.code for f in sub.findings}) == reg.shared_id
        assert {row: kind for row, kind in reg.bad.items()
                if row not in errors and kind != "id-shared"} == {}, (
            reg.path.name, [(f.code, f.cell) for f in sub.findings])
        assert _cached_problem_count(reg.path) == reg.problems, reg.path.name
        seen |= set(reg.bad.values())
    assert seen >= set(kinds)  # every kind of bad row was tried


def test_rows_without_the_formulas_are_warned_about_and_still_scored(tmp_path):
    """A row inserted where no calculated column filled its formulas (LibreOffice, WPS), or
    typed below the table: the sheet counts it as a problem; validate reads it, scores it,
    and says its 分值 is no formula."""
    registers = write_random(tmp_path, 8, seed=162, bad_share=0.3, kinds=WITHOUT_FORMULAS)
    for reg in [r for r in registers if r.bad and not r.shared_id]:
        sub = intake(reg.path, reg.standards)
        assert sub.ok, (reg.path.name, [(f.code, f.cell) for f in sub.findings])
        warned = {f.cell for f in sub.findings if f.code == "formula-overwritten"}
        assert {f"F{row}" for row in reg.bad} <= warned, reg.path.name
        assert _cached_problem_count(reg.path) == reg.problems


def test_a_register_showing_no_problem_passes_with_the_engines_scores(tmp_path):
    registers = write_random(tmp_path, 12, seed=163, bad_share=0.0)
    for reg in [r for r in registers if not r.shared_id]:
        sub = intake(reg.path, reg.standards)
        assert _cached_problem_count(reg.path) == 0
        assert sub.findings == (), (reg.path.name, [(f.code, f.cell) for f in sub.findings])
        expected = reg.expected()
        assert sub.score.total == expected.total
        assert [p.total for p in sub.score.people] == [p.total for p in expected.people]
