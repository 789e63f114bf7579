"""Engine tests worked by hand from SCORING.md §4 and §7."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from qianfen_xl.scoring.engine import (
    Incident,
    Person,
    competition_ranks,
    incidents_between,
    item_points,
    round_score,
    score_department,
    score_person,
)

D = date(2026, 11, 17)


def inc(person, code, count=1):
    return Incident(D, person, code, count, "事由")


def test_one_deduction_per_occurrence(standards):
    p = score_person(standards, "A01", "甲", [inc("A01", "N03-05", 2), inc("A01", "N09-02")])
    assert p.norms["N03"] == 96  # 100 - 2 × 2
    assert p.norms["N09"] == 95  # 廉洁自律: 5 per occurrence
    assert p.total == 700 - 4 - 5


def test_a_norm_never_goes_below_zero(standards):
    p = score_person(standards, "A01", "甲", [inc("A01", "N04-06", 60)])  # 120 points deducted
    assert p.norms["N04"] == 0
    assert p.total == 600


def test_additions_are_capped_and_full_marks_is_a_ceiling(standards):
    # 4 × B02 = 40 additions, capped at 30; one deduction of 2 leaves 698 + 30 → 700 ceiling.
    p = score_person(standards, "A01", "甲", [inc("A01", "B02", 4), inc("A01", "N03-01")])
    assert p.additions == 30
    assert p.total == 700
    q = score_person(standards, "A01", "甲", [inc("A01", "N09-01", 10), inc("A01", "B04")])
    assert (q.norms["N09"], q.additions, q.total) == (50, 3, 653)


def test_department_score_by_hand(standards):
    roster = [Person("A01", "甲"), Person("A02", "乙"), Person("A03", "丙")]
    incidents = [
        inc("A01", "N03-05", 2),   # 甲 696
        inc("A02", "N09-01"),      # 乙 695
        inc("A03", "B01"),         # 丙 700 (ceiling)
        inc(None, "N06-02"),       # N06 98
        inc(None, "N10-04", 3),    # N10 94
        inc(None, "B02", 6),       # 科室加分 60 → cap 50
    ]
    d = score_department(standards, "社保所", roster, incidents)
    assert [p.total for p in d.people] == [696, 695, 700]
    assert d.member_mean == 697  # (696 + 695 + 700) / 3
    assert d.norms == {"N06": 98, "N08": 100, "N10": 94}
    assert d.additions == 50
    assert d.total == 1000  # 697 + 292 + 50 = 1039 → 满分 1000
    assert d.vetoes == ("N09-01",)


def test_department_mean_rounds_half_away_from_zero(standards):
    # Eight people; one loses 2 points: mean = (8 × 700 - 2 - 2 - 2 - 3 ...) chosen to end in .125
    roster = [Person(f"A{i}", f"人{i}") for i in range(8)]
    incidents = [inc("A0", "N03-01"), inc("A1", "N09-01"), inc("A2", "N09-01", 2)]
    d = score_department(standards, "x", roster, incidents)
    # totals: 698, 695, 690 and five 700 → 5583 / 8 = 697.875
    assert d.member_mean == 697.88
    roster7 = roster + [Person("A8", "人8")]
    e = score_department(standards, "x", roster7[1:], [inc("A1", "N09-01"), inc("A2", "N03-01")])
    # 695 + 698 + 6 × 700 = 5593 / 8 = 699.125 → 699.13 (Python's round() gives 699.12)
    assert e.member_mean == 699.13
    assert round(699.125, 2) == 699.12


def test_round_score_matches_excel():
    assert round_score(2.675) == 2.68           # stored as 2.67499999…; Excel shows 2.68
    assert round_score(-0.125) == -0.13
    assert round_score(1042.525) == 1042.53
    assert round_score(0.005, 2) == 0.01


def test_department_with_no_members_keeps_its_collective_part(standards):
    d = score_department(standards, "空科室", [], [inc(None, "N08-01")])
    assert (d.member_mean, d.norms["N08"], d.total) == (0, 98, 298)


def test_department_norm_rows_count_for_the_department_only(standards):
    d = score_department(standards, "x", [Person("A01", "甲")], [inc("A01", "N06-01")])
    assert d.people[0].total == 700 and d.norms["N06"] == 98


def test_item_points_signed(standards):
    assert item_points(standards, "N03-05", 3) == -6
    assert item_points(standards, "N09-05", 1) == -5
    assert item_points(standards, "B03", 2) == 40


def test_competition_ranks_share_and_skip():
    ranks = competition_ranks({"甲": 995.5, "乙": 998.0, "丙": 995.5, "丁": 990.0, "戊": 998.0})
    assert ranks == {"乙": 1, "戊": 1, "甲": 3, "丙": 3, "丁": 5}


def test_week_to_date_view_uses_incidents_up_to_the_day(standards):
    incidents = [Incident(date(2026, 11, d), "A01", "N03-01", 1, "x") for d in (16, 18, 20)]
    upto = incidents_between(incidents, date(2026, 11, 16), date(2026, 11, 18))
    assert score_person(standards, "A01", "甲", upto).total == 696


# ---------------------------------------------------------------- properties

codes = st.sampled_from(["N01-01", "N03-05", "N06-02", "N08-01", "N09-01", "N10-03", "B01",
                         "B02", "B03", "B04"])
people = st.sampled_from(["A01", "A02", "A03", None])
incident = st.builds(lambda p, c, n: Incident(D, p, c, n, "x"), people, codes,
                     st.integers(1, 30))
ROSTER = [Person("A01", "甲"), Person("A02", "乙"), Person("A03", "丙")]


@given(st.lists(incident, max_size=40))
def test_every_score_within_its_bounds(standards, incidents):
    d = score_department(standards, "x", ROSTER, incidents)
    for p in d.people:
        assert all(0 <= v <= 100 for v in p.norms.values())
        assert 0 <= p.additions <= standards.person_additions_cap
        assert 0 <= p.total <= standards.individual_base
    assert all(0 <= v <= 100 for v in d.norms.values())
    assert 0 <= d.additions <= standards.department_additions_cap
    assert 0 <= d.total <= standards.full_marks


@given(st.lists(incident, max_size=40), st.sampled_from(["A01", "A02", None]),
       st.sampled_from(["N03-05", "N06-02", "N09-01", "N10-03"]))
def test_one_more_deduction_never_raises_any_score(standards, incidents, who, code):
    before = score_department(standards, "x", ROSTER, incidents)
    after = score_department(standards, "x", ROSTER, [*incidents, Incident(D, who, code, 1)])
    assert after.total <= before.total
    assert after.member_mean <= before.member_mean
    for b, a in zip(before.people, after.people, strict=True):
        assert a.total <= b.total
        assert all(a.norms[k] <= b.norms[k] for k in b.norms)


@given(st.lists(incident, max_size=30), st.randoms())
def test_row_order_does_not_matter(standards, incidents, rnd):
    shuffled = list(incidents)
    rnd.shuffle(shuffled)
    assert score_department(standards, "x", ROSTER, incidents) == \
        score_department(standards, "x", ROSTER, shuffled)
