"""Findings: everything wrong in a register is data, not an exception.

A finding has a stable rule code (``item-code-unknown``), a level (错误 blocks scoring,
警告 does not), the file, sheet and cell, and a Chinese message that says what to do.
The catalogue below is the one, closed list of rules: a finding with any other code cannot
be made, and the README's rule table is checked against it.

>>> Finding("item-code-unknown", "社保所.xlsx", "登记", "D12", "“N11-01”").message
'项目代码不存在：“N11-01”。请从下拉列表中选择项目'
>>> Finding("no-such-rule", "x.xlsx")
Traceback (most recent call last):
...
ValueError: unregistered finding code 'no-such-rule'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from qianfen_xl.contract.normalise import ID_MAX_LENGTH

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    level: str
    title: str
    advice: str


RULES: dict[str, Rule] = {r.code: r for r in (
    # the file as a whole
    Rule("file-unreadable", ERROR, "文件无法读取", "请确认文件未损坏、未被占用，重新导出后再报送"),
    Rule("not-a-workbook", ERROR, "不是 Excel 工作簿", "请用本系统的登记表模板填写，并保存为 .xlsx"),
    Rule("file-corrupt", ERROR, "文件已损坏", "请在 Excel 中打开确认，另存为 .xlsx 后重新报送"),
    Rule("file-encrypted", ERROR, "文件设置了打开密码", "系统无法读取加密文件：请取消密码（文件 › 信息 › 保护工作簿）后重新报送"),
    Rule("legacy-format", WARNING, "旧格式文件", "已按登记表读取，但旧格式不保留表格和名称：请另存为 .xlsx 后再报送"),
    Rule("legacy-unreadable", ERROR, "旧格式文件无法读取", "请在 Excel 或 WPS 中打开，另存为 .xlsx 后重新报送"),
    Rule("file-too-large", ERROR, "文件过大", "登记表通常不足 1 MB：请确认文件无误，删除多余的工作表或图片后重新报送"),
    Rule("zip-bomb", ERROR, "文件解压后异常庞大（疑似压缩炸弹）", "系统拒绝读取：请用登记表模板重新填写后报送"),
    Rule("xml-entities", ERROR, "文件中含有 XML 实体声明（疑似实体炸弹）", "系统拒绝读取：请用登记表模板重新填写后报送"),
    Rule("part-duplicate", ERROR, "文件中同一部件出现两次", "无法确定以哪一个为准，系统拒绝读取：请在 Excel 中打开后另存为 .xlsx 再报送"),
    Rule("too-many-sheets", ERROR, "工作表过多", "请删除不属于登记表模板的工作表后重新报送"),
    Rule("sheet-too-large", ERROR, "工作表过大", "请删除表格下方或右侧多余的行、列（远处的单元格也算），或分期填写"),
    Rule("file-too-slow", ERROR, "文件读取超时", "请用登记表模板重新填写后报送"),
    Rule("file-symlink", ERROR, "快捷方式或链接文件，未读取", "请把登记表文件本身放入文件夹，而不是链接"),
    Rule("not-a-regular-file", ERROR, "不是普通文件，未读取", "请把登记表文件本身放入文件夹"),
    Rule("external-links", WARNING, "含有外部链接（已忽略，未访问）", "登记表不需要链接其他文件：请删除外部链接"),
    Rule("file-duplicate", WARNING, "重复报送的同一文件", "内容与另一文件完全相同，只计一次；请删除多余的副本"),
    Rule("sheet-missing", ERROR, "缺少工作表", "请使用最新的登记表模板，不要删除或改名工作表"),
    Rule("sheet-shadowed", ERROR, "登记表的工作表被隐藏或有名称相近的工作表",
         "无法确定以哪一张为准：请删除多余的工作表，只保留模板中的工作表并取消隐藏"),
    Rule("row-duplicate", ERROR, "工作表中同一行号出现两次",
         "重复的行会互相覆盖、丢失内容：请在 Excel 中打开后另存为 .xlsx，核对各行后重新报送"),
    Rule("column-missing", ERROR, "缺少列", "请不要删除或改名表头，可从模板中复制原表头"),
    Rule("template-unknown", ERROR, "不是本系统的登记表", "请使用 qianfen-xl 生成的周/月考核情况登记表"),
    Rule("standards-differ", WARNING, "评分标准版本不同",
         "该表由另一版评分标准生成，已按当前评分标准重新计分；如有疑问请换用新模板"),
    Rule("template-version", ERROR, "登记表模板版本不受支持", "请换用当前版本的登记表模板重新填写"),
    Rule("merged-cells", ERROR, "表格中有合并单元格", "合并后只有第一格有内容：请取消合并，每行分别填写"),
    Rule("evaluation-file", WARNING, "测评材料，不计入月度汇总",
         "民主测评票和考评录入表由 qianfen-xl annual 汇总，可与登记表放在同一文件夹"),
    Rule("evaluation-files", WARNING, "文件夹中的测评材料不计入月度汇总",
         "民主测评票和考评录入表由 qianfen-xl annual 汇总，可与登记表放在同一文件夹；各文件在“数据来源”中逐一列出"),
    Rule("annual-register-file", WARNING, "年度考核情况登记表，不计入月度汇总",
         "年度考核情况登记表用 qianfen-xl validate 校验、qianfen-xl finalize 定稿"),
    Rule("header-missing", ERROR, "表头信息未填写", "请在登记表顶部填写科室和期间"),
    Rule("period-invalid", ERROR, "期间格式有误", "周填如 2026-W47，月填如 2026-11"),
    Rule("period-kind-mismatch", ERROR, "期间与登记表类型不符",
         "周考核情况登记表填周（如 2026-W47），月考核情况登记表填月（如 2026-11）"),
    # the roster (人员)
    Rule("roster-id-missing", ERROR, "人员编号为空", "每位人员都需要编号"),
    Rule("roster-id-duplicate", ERROR, "人员编号重复", "每个编号只能出现一次（只差大小写也算重复）"),
    Rule("roster-id-too-long", ERROR, "人员编号过长",
         f"编号不能超过 {ID_MAX_LENGTH} 个字符，否则登记表无法按编号查找此人"),
    Rule("roster-name-missing", ERROR, "人员姓名为空", "请填写姓名"),
    Rule("roster-level-unknown", ERROR, "岗位层级无效", "请从下拉列表中选择岗位层级"),
    Rule("roster-category-unknown", ERROR, "人员类别无效", "请从下拉列表中选择人员类别"),
    Rule("roster-line-unknown", ERROR, "所属口无效", "请从下拉列表中选择 党口 或 行政口"),
    Rule("roster-department-mismatch", WARNING, "人员科室与本表科室不同",
         "请确认该人员属于本科室"),
    Rule("roster-date-invalid", ERROR, "人员名单中的日期无法识别", "请填写日期，如 2026-07-20"),
    Rule("roster-days-invalid", ERROR, "人员名单中的天数无效", "请填写不小于 0 的天数，如 30"),
    Rule("roster-flag-invalid", ERROR, "立案审查只能填 是 或 否", "正在接受立案审查的填 是，其余留空或填 否"),
    Rule("roster-sanction-unknown", ERROR, "处分种类不在评分标准中",
         "请填写评分标准列出的处分种类（如 警告、记过），或留空"),
    Rule("roster-sanction-date-missing", ERROR, "处分缺少处分日期", "请在处分日期中填写作出处分的日期"),
    Rule("roster-too-large", WARNING, "人员超出得分表行数",
         "得分表只显示前面的人员；系统仍按全部人员计分，请联系管理员生成更大的模板"),
    # the incident log (登记)
    Rule("date-missing", ERROR, "日期为空", "请填写事项发生的日期"),
    Rule("date-invalid", ERROR, "日期无法识别", "请填写日期，如 2026-11-17"),
    Rule("date-as-text", ERROR, "日期是文字，表格无法计算",
         "请重新输入日期，如 2026-11-17（单元格不要设为文本格式，也不要在日期前加引号）"),
    Rule("date-outside-period", ERROR, "日期不在本表期间内", "请核对日期，或改填对应期间的登记表"),
    Rule("item-missing", ERROR, "项目为空", "请从下拉列表中选择项目"),
    Rule("item-code-unknown", ERROR, "项目代码不存在", "请从下拉列表中选择项目"),
    Rule("item-leadership-only", ERROR, "该项目只适用于领导班子",
         "该项目只在领导班子单位的登记表中使用，请选择适用于本科室的项目"),
    Rule("count-missing", ERROR, "次数为空", "请填写次数（不小于 1 的整数）"),
    Rule("count-not-whole", ERROR, "次数不是不小于 1 的整数", "请填写 1、2、3 这样的整数"),
    Rule("person-required", ERROR, "个人项目缺少编号", "该项目按个人计分，请选择被考核人的编号"),
    Rule("person-not-allowed", ERROR, "科室项目不应填写编号",
         "该项目按科室计分，请清空编号（加分项留空编号即为科室加分）"),
    Rule("person-unknown", ERROR, "编号不在人员表中", "请从下拉列表中选择编号，或先在人员表中添加此人"),
    Rule("person-id-inexact", ERROR, "编号与人员表中的写法不同",
         "登记表按人员表中的编号原样查找（全角半角、大小写、空格都要相同）：请从下拉列表中选择编号"),
    Rule("person-name-mismatch", ERROR, "姓名与编号不符", "请核对编号与姓名（姓名也可以不填）"),
    Rule("reason-missing", ERROR, "事由为空", "请简要填写事由"),
    Rule("incident-duplicate", WARNING, "疑似重复登记", "同一日期、人员、项目、事由出现两次；如确为两次请忽略"),
    Rule("score-cache-mismatch", WARNING, "表内得分与重新计算的结果不符",
         "得分单元格的公式可能被改写为数值；系统以重新计算的得分为准，请换用模板中的公式"),
    Rule("formula-overwritten", WARNING, "公式被改写为数值",
         "该单元格应为自动计算的公式；系统以重新计算的得分为准，请换用模板中的公式"),
    Rule("text-in-number", ERROR, "数字单元格中是文字",
         "请重新输入数字，如 1、2、3（不要用文字或全角数字，单元格不要设为文本格式）"),
    Rule("value-invalid", ERROR, "单元格内容不符合登记表的要求", "请按表头和下拉列表填写该单元格"),
    # 民主测评票 and 考评录入表
    Rule("ballot-invalid", ERROR, "测评分无效", "请填写 0 到 100 的分数，或从下拉列表选择等次"),
    Rule("ballot-conflict", ERROR, "分数与等次不一致", "分数和等次只填一项"),
    Rule("ballot-duplicate", WARNING, "重复的测评票", "同一测评组、同一票号出现两次，只计一次：请核对票号"),
    Rule("assessment-invalid", ERROR, "考评分无效", "个人考评分为 0 到 100 的百分制分数，科室考评分不超过科室满分"),
    Rule("adjustment-invalid", ERROR, "调整分不是数字", "调整请填写加减的分数，如 -10 或 5"),
    Rule("assessment-category-mismatch", ERROR, "考评录入表的类别与人员名单不符",
         "类别由系统按人员名单生成（科室或岗位层级），考评分的范围按人员名单确定：请勿修改类别"),
    Rule("assessment-duplicate", ERROR, "同一对象有两个考评分",
         "每人（每个科室）每期只有一个考评分，只计第一个：请删除多余的行或考评录入表后重新汇总"),
    Rule("ballot-group-unknown", ERROR, "测评组不在评分标准中，整张测评票未计入",
         "请使用 qianfen-xl templates --evaluation 生成的测评票，不要修改测评组"),
    Rule("ballot-ratee-not-rated", ERROR, "该测评组不测评此对象，此项未计入",
         "各测评组只测评评分标准规定的对象：请删除此行，或改用测评该对象的测评组的测评票"),
    Rule("ratee-unknown", ERROR, "测评或考评对象不在人员名单中，未计入",
         "请核对对象的编号或科室名称，应与人员名单和登记表一致，改正后重新汇总"),
    # 年度考核情况登记表: what the engine wrote, and the assessment group's decisions
    Rule("register-id-changed", ERROR, "编号与系统生成的登记表不符",
         "编号、姓名、总分、建议等次由系统生成，请勿修改：只填写确定等次、鉴定意见、本人意见和复核结果"),
    Rule("register-row-duplicate", ERROR, "同一编号出现两次", "每人只有一行：请删除重复的行"),
    Rule("register-row-missing", ERROR, "登记表中缺少人员", "请勿删除考核决定中的行：请换用 qianfen-xl annual 生成的登记表"),
    Rule("register-total-changed", ERROR, "总分与系统计算的不符",
         "总分由系统计算，请勿修改；如需调整请在考评录入表中填写调整分，重新运行 qianfen-xl annual"),
    Rule("register-value-changed", ERROR, "系统生成的内容被修改",
         "姓名、科室、人员类别和建议等次由系统生成，请勿修改"),
    Rule("register-data-changed", ERROR, "考核数据被修改",
         "考核数据表由系统生成，请勿修改：请换用 qianfen-xl annual 生成的登记表"),
    Rule("decision-grade-invalid", ERROR, "确定等次不在该人员的可选等次中",
         "请从下拉列表选择：等次按人员类别不同，不定等次、暂缓的人员只能确定为相应结果"),
    Rule("decision-excellent-ineligible", ERROR, "该人员不能确定为优秀",
         "有一票否决事项、不得评优的处分或其他情形（见说明）：请确定为其他等次"),
    Rule("decision-quota-exceeded", ERROR, "优秀人数超过名额",
         "同一考核池的优秀不得超过名额：请将超出的人员确定为其他等次"),
    Rule("decision-opinion-invalid", ERROR, "本人意见无效", "请从下拉列表选择 同意 或 申请复核"),
    Rule("decision-missing", ERROR, "确定等次未填写", "定稿前每人都要有确定等次（班子成员填写上级审定的等次）"),
    Rule("decision-review-pending", ERROR, "复核尚未完成",
         "本人申请复核的，请在复核结果中填写复核结论（如改定等次，同时修改确定等次）后再定稿"),
    Rule("history-unreadable", WARNING, "往年考核结果文件无法读取，未用于历史提示",
         "--history 文件夹中应是 qianfen-xl finalize 写出的 考核结果_年度.json"),
    Rule("calendar-year-unlisted", WARNING, "放假调休安排未列入评分标准",
         "工作日（公示截止日、每月应报送的周登记表）只按周末和已列的法定节假日计算：请在评分标准文件的 calendar 中补充当年的放假调休安排后核对"),
    # the batch: files of one department and period taken together
    Rule("register-conflict", ERROR, "同一科室同一期间有两份不同的登记表",
         "无法确定以哪一份为准：请保留一份正确的登记表，删除另一份后重新汇总"),
    Rule("period-outside", WARNING, "登记表期间不在本次汇总范围内", "该表未计入本次汇总；请确认是否放错了文件夹"),
    Rule("periods-outside-year", WARNING, "本年其他期间的登记表未计入本次汇总",
         "按期间汇总一年的文件夹时属正常，各表在“数据来源”中逐一列出；如应计入，请按其期间汇总"),
    Rule("week-missing", WARNING, "缺少周登记表", "本月有周考核情况登记表未报送；请督促科室补报"),
    Rule("period-incomplete", ERROR, "登记表不全，本期不排名",
         "请督促科室补报缺少的登记表后重新汇总（按评分标准的 completeness 设置，缺表的科室不参加排名）"),
    Rule("department-unknown", ERROR, "科室不在人员名单中",
         "请核对登记表的科室名称是否与人员名单一致，改正后重新报送"),
    Rule("person-two-departments", ERROR, "同一人员出现在两个科室的登记表中",
         "同一编号只能属于一个科室：请核对人员名单，从不属于的科室的登记表中删除此人后重新报送"),
)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in one place. ``cell`` is like ``F12``; blank for the whole file."""

    code: str
    file: str
    sheet: str = ""
    cell: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.code not in RULES:
            raise ValueError(f"unregistered finding code {self.code!r}")

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def level(self) -> str:
        return self.rule.level

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def where(self) -> str:
        place = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{self.file} › {place}" if place else self.file

    @property
    def message(self) -> str:
        """The Chinese sentence for a clerk: what is wrong and what to do."""
        detail = f"：{self.detail}" if self.detail else ""
        return f"{self.rule.title}{detail}。{self.rule.advice}"

    def as_row(self) -> dict[str, str]:
        """The fixed columns of a 校验报告 row (规则: the rule's Chinese name, its code)."""
        return {"文件": self.file, "工作表": self.sheet, "单元格": self.cell, "级别": self.level,
                "规则": f"{self.rule.title}（{self.code}）", "说明": self.message}

    def as_dict(self) -> dict[str, str]:
        """For JSON: the fields, the level and the message."""
        return asdict(self) | {"level": self.level, "message": self.message}

    def __str__(self) -> str:
        return f"[{self.level}] {self.where}: {self.message}"


REPORT_COLUMNS = ("文件", "工作表", "单元格", "级别", "规则", "说明")


def catalogue_markdown() -> str:
    """The rule catalogue as the README's table (``python -m qianfen_xl.contract.findings``)."""
    lines = ["| 规则 | 级别 | 说明 | 怎么办 |", "|---|---|---|---|"]
    lines += [f"| `{r.code}` | {r.level} | {r.title} | {r.advice} |" for r in RULES.values()]
    return "\n".join(lines) + "\n"


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


_CELL = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _row_column(cell: str) -> tuple[int, int]:
    """``G12`` → (12, 7); a cell not named (the whole sheet) comes first: (0, 0)."""
    m = _CELL.match(cell)
    if m is None:
        return 0, 0
    column = 0
    for letter in m.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(m.group(2)), column


def in_clerk_order(findings: Iterable[Finding], sheets: Sequence[str] = ()) -> list[Finding]:
    """Findings in the order a clerk goes through them: file by file (as they come), what
    concerns the whole file first, then sheet by sheet (in the order of ``sheets``, the
    workbook's tabs; any other sheet after them), row by row, column by column.

    >>> found = [Finding("date-missing", "a.xlsx", "登记", "A12"),
    ...          Finding("roster-name-missing", "a.xlsx", "人员", "B5"),
    ...          Finding("item-missing", "a.xlsx", "登记", "D9"),
    ...          Finding("template-version", "a.xlsx")]
    >>> [f"{f.sheet}!{f.cell}" for f in in_clerk_order(found, ["登记", "得分", "人员"])]
    ['!', '登记!D9', '登记!A12', '人员!B5']
    """
    items = list(findings)
    files = {name: k for k, name in enumerate(dict.fromkeys(f.file for f in items))}
    tabs = {name: k for k, name in enumerate(sheets)}

    def key(f: Finding) -> tuple[int, int, int, str, int, int]:
        row, column = _row_column(f.cell)
        return (files[f.file], bool(f.sheet), tabs.get(f.sheet, len(tabs)), f.sheet, row,
                column)
    return sorted(items, key=key)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the first finding for each file/sheet/cell (a blank cell is never merged)."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.file, f.sheet, f.cell)
        if f.cell and key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
