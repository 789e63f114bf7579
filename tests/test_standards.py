from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from qianfen_xl.contract.errors import StandardsError
from qianfen_xl.contract.standards import DEFAULT_PATH, load_standards, parse_standards

from conftest import REGULATION


def _raw() -> dict:
    return tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_the_ten_norms_hold_82_items_numbered_as_the_regulation(standards):
    assert len(standards.norms) == 10
    assert len(standards.items) == 82
    counts = {n.code: len(n.items) for n in standards.norms}
    assert counts == {"N01": 9, "N02": 7, "N03": 13, "N04": 6, "N05": 9, "N06": 3, "N07": 11,
                      "N08": 8, "N09": 10, "N10": 6}
    n07 = [i.no for i in standards.norm_by_code["N07"].items]
    assert n07 == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]  # 会议规范 has no item 7
    assert "N07-07" not in standards.item_by_code
    groups = [i.group for i in standards.norm_by_code["N01"].items]
    assert groups == ["礼仪要求"] * 4 + ["语言要求"] + ["工作要求"] * 4


@pytest.mark.skipif(not REGULATION.exists(), reason="shared/ reference not beside the clone")
def test_item_texts_are_word_for_word_from_the_regulation(standards):
    text = REGULATION.read_text(encoding="utf-8")
    for norm in standards.norms:
        assert norm.name in text
        for item in norm.items:
            assert item.text in text, item.code


def test_scoring_numbers_of_scoring_md(standards):
    assert [n.code for n in standards.individual_norms] == [
        "N01", "N02", "N03", "N04", "N05", "N07", "N09"]
    assert [n.code for n in standards.department_norms] == ["N06", "N08", "N10"]
    assert standards.individual_base == 700 and standards.full_marks == 1000
    assert {i.points for i in standards.items if i.norm != "N09"} == {2}
    assert {i.points for i in standards.items if i.norm == "N09"} == {5}
    assert sorted(i.code for i in standards.items if i.veto) == [
        "N09-01", "N09-04", "N09-05", "N09-06", "N09-07"]
    assert [i.code for i in standards.items if "department" not in i.units] == [
        "N10-01", "N10-02"]
    assert {a.code: a.points for a in standards.additions} == {
        "B01": 5, "B02": 10, "B03": 20, "B04": 3}
    assert (standards.person_additions_cap, standards.department_additions_cap) == (30, 50)
    assert [(g.name, g.min_score) for g in standards.grades] == [
        ("优秀", 900), ("称职", 750), ("基本称职", 600), ("不称职", 0)]
    assert standards.excellent_quota == 0.2
    assert standards.advanced_department["share"] == 0.3
    assert standards.ballots["grade_points"]["优秀"] == 95


def test_standards_are_immutable(standards):
    with pytest.raises(AttributeError):
        standards.full_marks = 900  # type: ignore[misc]
    with pytest.raises(TypeError):
        standards.lines["党口"] = "x"  # type: ignore[index]


def _broken(mutate) -> str:
    data = _raw()
    mutate(data)
    with pytest.raises(StandardsError) as info:
        parse_standards(data)
    return str(info.value)


def test_duplicate_item_number_is_refused_naming_the_key():
    def dup(d):
        d["norms"][2]["items"][1]["no"] = d["norms"][2]["items"][0]["no"]
    assert "norms[2].items[1].no" in _broken(dup)


def test_negative_points_are_refused_naming_the_key():
    def neg(d):
        d["norms"][2]["items"][4]["points"] = -2
    msg = _broken(neg)
    assert "norms[2].items[4].points" in msg and "不小于 0" in msg


def test_unknown_key_is_refused_naming_it():
    def unknown(d):
        d["scoring"]["bonus_cap"] = 10
    assert "scoring.bonus_cap" in _broken(unknown)


def test_weights_not_summing_to_one_are_refused():
    def weights(d):
        d["annual"]["year_weights"]["year_end"] = 0.7
    assert "annual.year_weights" in _broken(weights)

    def ballot(d):
        d["ballots"]["weights"]["科室"]["主管口领导"] = 0.5
    assert "ballots.weights.科室" in _broken(ballot)


def test_duplicate_addition_code_is_refused():
    def dup(d):
        d["additions"][1]["code"] = "B01"
    assert "additions[1].code" in _broken(dup)


def test_office_standards_file_and_hash(tmp_path: Path, standards):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    custom = tmp_path / "office.toml"
    custom.write_text(re.sub(r"person_additions_cap = 30", "person_additions_cap = 20", text),
                      encoding="utf-8")
    office = load_standards(custom)
    assert office.person_additions_cap == 20
    assert office.digest != standards.digest
    same = tmp_path / "same.toml"
    same.write_text(text + "\n# a comment changes nothing\n", encoding="utf-8")
    assert load_standards(same).digest == standards.digest


def test_unreadable_standards_file_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scoring\n", encoding="utf-8")
    with pytest.raises(StandardsError, match="不是有效的 TOML"):
        load_standards(bad)


def test_an_edited_standards_file_is_seen_at_once_the_same_one_parsed_once(tmp_path):
    """A process that stays up (a spreadsheet's UDFs) sees the office's edit on its next
    load; the file unchanged gives the very same Standards (the caches keyed on it hold)."""
    path = tmp_path / "评分标准.toml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_standards(path)
    assert load_standards(path) is first and first.unit == "xxx街道"
    path.write_text(text.replace('unit = "xxx街道"', 'unit = "柳荫街道"', 1), encoding="utf-8")
    assert load_standards(path).unit == "柳荫街道"
