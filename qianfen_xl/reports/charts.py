"""Charts of the report workbooks, drawn so that they tell the truth in colour and in grey.

Bars start at 0 and stop at 满分, in rank order, each labelled with its value. Several months
are one small line chart per department, every chart on the same axis: an axis that does
not start at 0 says so in every title. A month without a score is a gap, never a fall to 0.
Rows of small charts are kept whole on the printed page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qianfen_xl.reports.xlsx import HEADER_ROW, SCORE_FORMAT, SheetWriter, add_chart

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

BAR_COLOR = "#4472C4"
LINE_COLOR = "#404040"
GRID = {"visible": True, "line": {"color": "#D9D9D9"}}
SMALL_COLUMNS = 3          # small line charts side by side …
SMALL_WIDTH, SMALL_STEP = 320, 336  # … each this wide (pixels), this far from the last
SMALL_MAX = 60             # … one per department, for at most this many (a district has 300)
SMALL_ROWS = 11            # sheet rows a small chart takes
SMALL_LINES_PER_PAGE = 3   # rows of small charts on one printed page
PAGE_ROWS = 34             # sheet rows on a landscape A4 page at full size


@dataclass(frozen=True)
class Series:
    """Where a sheet holds a chart's data (0-based rows and columns, as XlsxWriter counts):
    the names in column ``name_col`` of rows ``first``..``last``, and the values of each row
    in columns ``value_cols`` (first, last). The labels of those columns (the months) are
    the cells of the header row above ``label_cols`` (first, last): the value columns
    themselves unless they are a hidden copy, whose header cells are empty."""

    first: int
    last: int
    name_col: int
    value_cols: tuple[int, int]
    label_cols: tuple[int, int] | None = None


def bar_rows(count: int) -> int:
    """The sheet rows a bar chart of ``count`` bars takes."""
    return max(16, 5 + count * 2)


def rank_bars(wb: Workbook, sheet: SheetWriter, data: Series, title: str, ceiling: float,
              anchor: int) -> int:
    """One column of values as horizontal bars, the first row on top (rank 1), from 0 to
    ``ceiling``, each bar labelled. Returns the rows the chart takes."""
    count = data.last - data.first + 1
    col = data.value_cols[0]
    bar = add_chart(wb, "bar")
    bar.add_series({"name": title,
                    "categories": [sheet.title, data.first, data.name_col, data.last,
                                   data.name_col],
                    "values": [sheet.title, data.first, col, data.last, col],
                    "fill": {"color": BAR_COLOR}, "gap": 60,
                    "data_labels": {"value": True, "num_format": SCORE_FORMAT}})
    bar.set_title({"name": title})
    bar.set_x_axis({"name": "得分", "min": 0, "max": ceiling, "major_gridlines": GRID})
    # rank 1 on top; every name shown (small enough that no application skips one)
    bar.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
    bar.set_legend({"none": True})
    bar.show_hidden_data()  # its data may be a copy in hidden columns
    bar.set_size({"width": 720, "height": 90 + 30 * count})
    sheet.ws.insert_chart(anchor, 0, bar)
    return bar_rows(count)


def axis_floor(lowest: float) -> float:
    """Where a cut axis starts: the tens just below the lowest value, with a margin of 5.

    >>> axis_floor(996.0), axis_floor(985.0), axis_floor(3.0)
    (990, 980, 0)
    """
    return max(0, math.floor((lowest - 5) / 10) * 10)


def small_multiples(wb: Workbook, sheet: SheetWriter, data: Series, names: list[str],
                    lowest: float, ceiling: float, anchor: int) -> list[int]:
    """One small line chart per row (up to SMALL_MAX), all on one axis from just below the
    lowest value to ``ceiling``, its cut said in every title. Returns the rows where a page
    should break, so that no chart is cut in print."""
    low = axis_floor(lowest)
    shown = names[:SMALL_MAX]
    c0, c1 = data.value_cols
    l0, l1 = data.label_cols or data.value_cols
    for k, name in enumerate(shown):
        line = add_chart(wb, "line")
        row = data.first + k
        line.add_series({"name": name,
                         "categories": [sheet.title, HEADER_ROW - 1, l0, HEADER_ROW - 1, l1],
                         "values": [sheet.title, row, c0, row, c1],
                         "line": {"color": LINE_COLOR, "width": 1.5},
                         "marker": {"type": "circle", "size": 4, "fill": {"color": LINE_COLOR},
                                    "border": {"color": LINE_COLOR}}})
        line.set_title({"name": f"{name}（纵轴自 {low:g} 起）", "name_font": {"size": 10}})
        line.set_y_axis({"min": low, "max": ceiling, "num_format": "0", "major_gridlines": GRID})
        line.set_legend({"none": True})
        line.show_blanks_as("gap")
        line.show_hidden_data()
        line.set_size({"width": SMALL_WIDTH, "height": 200})
        # placed by pixels from column A: the columns below (some hidden, of any width)
        # never make two charts overlap
        sheet.ws.insert_chart(anchor + (k // SMALL_COLUMNS) * SMALL_ROWS, 0, line,
                              {"y_offset": 8, "x_offset": (k % SMALL_COLUMNS) * SMALL_STEP})
    lines = -(-len(shown) // SMALL_COLUMNS)
    if len(names) > len(shown):
        sheet.ws.write_string(anchor + lines * SMALL_ROWS, 0,
                              f"其余 {len(names) - len(shown)} 个的趋势见上表。")
    return [anchor + k * SMALL_ROWS for k in range(0, lines, SMALL_LINES_PER_PAGE)]
