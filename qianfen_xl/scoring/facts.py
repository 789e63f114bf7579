"""What the roster's optional columns say about a person, beside the :class:`Person` the
engine scores: the facts of the year that decide whether and how the person is graded
(入职日期, 病事假天数, 产假天数, 立案审查, 处分, 处分日期), and the particulars the official
年度考核登记表 prints (性别, 出生年月, 政治面貌, 任现职时间, 职务职级, 从事或分管工作).
A blank column is no fact: nothing follows from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PersonFacts:
    hired: date | None = None              # 入职日期 (in this unit)
    leave_days: float | None = None        # 病事假天数 in the year
    maternity_days: float | None = None    # 产假天数 (never counted as leave)
    investigation: bool = False            # 立案审查
    sanction: str = ""                     # 处分: 警告, 记过, …
    sanction_date: date | None = None      # 处分日期
    gender: str = ""                       # 性别
    born: str = ""                         # 出生年月, as typed
    party: str = ""                        # 政治面貌
    in_post_since: str = ""                # 任现职时间, as typed
    post: str = ""                         # 职务职级
    duties: str = ""                       # 从事或分管工作


NO_FACTS = PersonFacts()
