"""CSV rosters as offices save them: "CSV UTF-8" (with a BOM), UTF-8 without one, and the
GB18030/GBK that Excel on Chinese Windows writes for "CSV（逗号分隔）". Each is detected,
never guessed: the same people give the same consolidation, and a file in any other
encoding is refused, saying which ones are read."""

from __future__ import annotations

import pytest

import qianfen_xl
from qianfen_xl.cli import main

from builders import STREET, street_month

HEADER = "编号,姓名,科室,口,人员类别,岗位层级\n"
ROWS = "".join(f"{p.id},{p.name},{p.department},{p.line},{p.category},{p.level}\n"
               for p in STREET)


@pytest.fixture(scope="module")
def street(tmp_path_factory, standards):
    return street_month(tmp_path_factory.mktemp("street"), standards)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8"])
def test_a_roster_saved_in_another_encoding_consolidates_as_its_utf8_bom_twin(
        street, standards, tmp_path, encoding):
    twin = tmp_path / "人员名单_utf8.csv"
    twin.write_text(HEADER + ROWS, encoding="utf-8-sig")
    other = tmp_path / f"人员名单_{encoding}.csv"
    other.write_bytes((HEADER + ROWS).encode(encoding))
    assert other.read_bytes() != twin.read_bytes()

    def ranking(roster):
        return qianfen_xl.consolidate(street.inbox, "2026-11", roster=roster,
                                      standards=standards, workers=1).to_dict()

    expected = ranking(twin)
    assert ranking(other) == expected
    statuses = {d["department"]: d["status"] for d in expected["months"][0]["departments"]}
    assert statuses["工委办公室"] == "未报送"  # the roster was read: its department shows


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_a_roster_in_any_other_encoding_is_refused(street, tmp_path, capsys, encoding):
    roster = tmp_path / "人员名单.csv"
    text = HEADER + ROWS if encoding == "utf-16" else "编号,姓名\nA01,Müller José\n"
    roster.write_bytes(text.encode(encoding, errors="replace"))
    code = main(["consolidate", str(street.inbox), "--period", "2026-11", "--roster",
                 str(roster), "--out", str(tmp_path / "r.xlsx")])
    assert code == 2 and not (tmp_path / "r.xlsx").exists()
    assert "既不是 UTF-8 也不是 GB18030（GBK）编码的 CSV" in capsys.readouterr().err
