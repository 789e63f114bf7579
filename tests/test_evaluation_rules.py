"""测评 as SCORING.md §6 says, on cases worked by hand: every group's weight applies, a
missing group's weight is shared, 弃权/不了解 are not counted, and no output shows a group
subtotal for a ratee with a group under 3 valid marks."""

from __future__ import annotations

import tomllib

from openpyxl import load_workbook

from qianfen_xl.contract.standards import DEFAULT_PATH, parse_standards
from qianfen_xl.scoring.evaluation import Ballot, evaluate

ALL, HEAD, LEADER = "机关全体人员", "科室负责人", "主管口领导"


def marks(group, ratee, values):
    return [Ballot(group, f"{group}-{k}", ratee, v) for k, v in enumerate(values)]


def test_one_head_ballot_of_60_and_twenty_all_staff_of_95_give_77_5(standards):
    ballots = marks(HEAD, "A01", [60]) + marks(ALL, "A01", [95] * 20)
    result = evaluate(standards, ballots, {"A01": "一般工作人员"})["A01"]
    assert result.score == 77.5  # 0.5 × 60 + 0.5 × 95: the head's one mark keeps its 50 %
    assert (result.marks, result.abstentions, result.subtotals_shown) == (21, 0, False)


def test_abstentions_are_not_counted_but_counted_as_cast(standards):
    ballots = (marks(HEAD, "A02", [80]) + marks(ALL, "A02", [90, 90, 90, 90, "弃权", "不了解"]))
    result = evaluate(standards, ballots, {"A02": "一般工作人员"})["A02"]
    everyone = next(g for g in result.groups if g.group == ALL)
    assert (everyone.marks, everyone.abstentions, everyone.mean) == (4, 2, 90.0)
    assert not everyone.trimmed  # 4 valid marks: nothing dropped, abstentions never count
    assert result.score == 85.0  # 0.5 × 80 + 0.5 × 90
    assert (result.marks, result.abstentions) == (5, 2)


def test_five_valid_marks_are_trimmed_whatever_the_abstentions(standards):
    ballots = marks(ALL, "A03", [60, 80, 80, 90, 100, "弃权", "弃权"])
    (group,) = evaluate(standards, ballots, {"A03": "一般工作人员"})["A03"].groups
    assert (group.marks, group.mean, group.trimmed) == (5, 83.33, True)  # (80+80+90)/3


def test_a_group_without_a_valid_mark_shares_its_weight_with_those_present(standards):
    levels = {"社保所": "科室", "A01": "科室负责人"}
    ballots = (marks(LEADER, "社保所", ["弃权", "不了解"]) + marks(ALL, "社保所", [80, 80, 80])
               + marks(LEADER, "A01", [90, 90, 90]) + marks(ALL, "A01", [70, 70, 70]))
    result = evaluate(standards, ballots, levels)
    assert result["社保所"].score == 80.0  # 主管口领导 abstained: 全体 carries 0.4 / 0.4
    assert result["A01"].score == 80.0     # 0.5 × 90 + 0.5 × 70


def test_three_groups_with_one_missing_share_in_proportion():
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["ballots"]["weights"]["一般工作人员"] = {HEAD: 0.5, LEADER: 0.3, ALL: 0.2}
    office = parse_standards(data)
    ballots = marks(HEAD, "A01", [60]) + marks(ALL, "A01", [95, 95, 95])
    # 主管口领导 missing: (0.5 × 60 + 0.2 × 95) / 0.7 = 49 / 0.7
    assert evaluate(office, ballots, {"A01": "一般工作人员"})["A01"].score == 70.0


def test_only_abstentions_give_no_evaluation(standards):
    ballots = marks(ALL, "A04", ["弃权", "不了解", "弃权"])
    assert evaluate(standards, ballots, {"A04": "一般工作人员"}) == {}


def test_no_group_subtotal_is_shown_for_a_ratee_with_a_small_group(tmp_path, standards):
    """The head's single mark (61) can be read nowhere: not in 测评汇总, nor anywhere in the
    annual workbook or the annual register; only the combined 测评 (78.00)."""
    from qianfen_xl.batch.annual import AnnualRun
    from qianfen_xl.batch.consolidation import consolidate, consolidation_period
    from qianfen_xl.forms.annual_register import register_of, write_annual_register
    from qianfen_xl.reports.annual import write_annual_workbook
    from qianfen_xl.scoring.grades import Grade
    from qianfen_xl.scoring.year import AnnualResult, PersonAnnual, PersonYear

    shown_ballots = marks(HEAD, "A02", [88, 88, 88]) + marks(ALL, "A02", [92, 92, 92])
    evaluations = evaluate(standards, marks(HEAD, "A01", [61]) + marks(ALL, "A01", [95] * 20)
                           + shown_ballots, {"A01": "一般工作人员", "A02": "一般工作人员"})
    assert evaluations["A01"].score == 78.0 and evaluations["A02"].subtotals_shown
    year = PersonYear(690, 6, 156, 90, 0, 936)
    people = tuple(PersonAnnual(pid, name, "社保所", "一般工作人员", (690.0,) * 6,
                                evaluations[pid].score, 90, year, Grade("称职", "", "", "公务员"),
                                (), "公务员") for pid, name in (("A01", "张晓明"), ("A02", "李海燕")))
    result = AnnualResult(tuple(f"2026-{m:02d}" for m in range(1, 7)), people, (), evaluations)
    run = AnnualRun(result, consolidate(standards, [], consolidation_period("2026-H1")), (), (),
                    ("2026-H1",))
    book = write_annual_workbook(run, standards, "xxx街道", "2026-H1", tmp_path / "年度.xlsx")
    summary = {r[0]: r for r in load_workbook(book)["测评汇总"].iter_rows(min_row=4,
                                                                       values_only=True)}
    assert summary["A01"][1:] == ("张晓明", "社保所", 78.0, 21, 0,
                                  "有测评组有效票少于 3 张：不显示分组小计")
    assert summary["A02"][6] == "机关全体人员 3 票 92.00；科室负责人 3 票 88.00"
    register = write_annual_register(tmp_path / "登记表.xlsx", standards, register_of(
        people, {}, result.months, "xxx街道", "2026-H1"))
    for path in (book, register):  # the values shown (a register's formulas: their values)
        cells = [c.value for ws in load_workbook(path, data_only=True) for row in ws.iter_rows()
                 for c in row]
        hashes = (standards.digest, standards.calendar.digest)  # hex, not marks: no 61 there
        texts = [v for v in cells if isinstance(v, str)]
        for digest in hashes:
            texts = [v.replace(digest[:12], "") for v in texts]
        assert not (61 in cells or any("61" in v for v in texts)), path


def test_a_ballot_reads_an_abstention_and_refuses_a_mark_with_it(tmp_path, standards):
    from qianfen_xl.forms.ballots import build_ballot
    from qianfen_xl.forms.style import save_workbook
    from qianfen_xl.intake.evaluation import ballots_from, read_evaluation

    ratees = [("A01", "张晓明", "一般工作人员"), ("A02", "李海燕", "一般工作人员")]
    wb = build_ballot(standards, ALL, "2026", ratees)
    ws = wb["测评"]
    ws["H2"], ws["E5"], ws["D6"], ws["E6"] = "Q1", "不了解", 88, "弃权"
    ef = read_evaluation(save_workbook(wb, tmp_path / "票.xlsx"))
    assert [(b.ratee, b.value) for b in ballots_from(standards, ef)] == [("A01", "不了解")]
    assert [(f.cell, f.code) for f in ef.findings] == [("E6", "ballot-conflict")]
