"""Where a sheet's cells are, read from its XML the way python-calamine places them.

calamine takes a cell's position from its ``r`` attribute (``r="K5"``); a cell without one
follows the cell before it in its row, and a row without one follows the row before it.
Every writer we know gives every cell its ``r`` (Excel, WPS, LibreOffice, openpyxl), and the
fast checks rely on that; :class:`CellWalk` follows calamine's rules for the rest, so that
a sheet written without ``r`` is measured, and its formulas found, exactly as calamine
reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Start and end tags of the elements that place cells (row, c) and mark a formula (f), with
# any namespace prefix (calamine compares local names). Quoted attribute values may hold ">".
_TAG = re.compile(
    rb'<(/?)(?:[^\s<>/:!?]+:)?(row|c|f)(?=[\s/>])((?:[^>"\']|"[^"]*"|\'[^\']*\')*)>')
# The attribute named exactly r (not xr:r), in either kind of quotes.
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_ARRAY = re.compile(rb'(?:^|\s)t\s*=\s*["\']array["\']')
_REF_ATTR = re.compile(rb'(?:^|\s)ref\s*=\s*["\']([A-Za-z]+\d+):([A-Za-z]+\d+)["\']')
# A cell whose element opens with a formula: <c r="K5" s="8"><f>…; a prefix (x:c) may come.
# Atomic and possessive parts keep a failed match from backtracking through the tag.
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\s(?>[^>]*?\br=")([A-Z]{1,3}\d+)"[^>]*+(?<!/)>\s*+<(?:\w+:)?f[\s>/]')
_ARRAY_FORMULA = re.compile(  # the range an array formula fills, from its anchor's <f>
    rb'<(?:\w+:)?f\s(?=[^>]*["\']array["\'])[^>]*?\bref=["\']([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="(\d+)"')
# The same, in a regular sheet (every cell written <c r="A1" …>).
_REGULAR_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}\d+)"[^>]*+(?<!/)>\s*+<(?:\w+:)?f[\s>/]')


def split_cell(cell: str) -> tuple[int, int]:
    """``"K5"`` → (column 11, row 5), both counted from 1; (0, 0) for anything else.

    >>> split_cell("K5"), split_cell("$AA$10"), split_cell("5K")
    ((11, 5), (27, 10), (0, 0))
    """
    match = _CELL.fullmatch(cell)
    if not match:
        return 0, 0
    col = 0
    for letter in match.group(1):
        col = col * 26 + ord(letter) - 64
    return col, int(match.group(2))


def column_name(col: int) -> str:
    """A column's letters from its index counted from 0.

    >>> column_name(0), column_name(27), column_name(16383)
    ('A', 'AB', 'XFD')
    """
    return cell_name(1, col + 1)[:-1]


def cell_name(row: int, col: int) -> str:
    """(row 5, column 11), both from 1 → ``"K5"``.

    >>> cell_name(19000, 16384), cell_name(1, 27)
    ('XFD19000', 'AA1')
    """
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = _LETTERS[rest] + letters
    return f"{letters}{row}"


def calamine_position(ref: bytes) -> tuple[int, int | None] | None:
    """(row, column) counted from 1, as python-calamine reads a cell or row reference:
    letters (either case) then digits; the column is None when there are no letters. None
    when calamine refuses the reference (and with it the sheet).

    >>> calamine_position(b"XFD19000"), calamine_position(b"7"), calamine_position(b"7A")
    ((19000, 16384), (7, None), None)
    """
    match = re.fullmatch(rb"([A-Za-z]*)(\d+)", ref)
    if match is None or int(match.group(2)) < 1:
        return None
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + letter - 64
    return int(match.group(2)), col or None


@dataclass
class CellWalk:
    """Follows a sheet's XML, placing every cell as calamine does: the far corner of the
    cells that hold something (an empty ``<c/>`` holds nothing), the row numbers given
    twice, and, among ``wanted`` cells, those holding a formula. ``walk_cells`` runs it."""

    wanted: set[tuple[int, int]] = field(default_factory=set)
    rows: int = 0            # the last row and column holding a cell (from 1)
    cols: int = 0
    far: str = ""            # the cell farthest out, named
    duplicate_rows: set[int] = field(default_factory=set)
    broken: bool = False     # calamine would refuse the sheet (a reference it cannot read)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    arrays: list[tuple[int, int, int, int]] = field(default_factory=list)  # c0, r0, c1, r1
    _row: int = 1
    _col: int = 1
    _cell: tuple[int, int] | None = None
    _seen_rows: set[int] = field(default_factory=set)

    def step(self, closing: bool, name: bytes, attrs: bytes) -> None:
        empty = attrs.endswith(b"/")
        if name == b"row":
            if closing:
                self._row, self._col = self._row + 1, 1
                return
            given = _R_ATTR.search(attrs)
            if given is not None:
                place = calamine_position(given.group(1) or given.group(2) or b"")
                if place is None:
                    self.broken = True
                    return
                if place[0] in self._seen_rows:
                    self.duplicate_rows.add(place[0])
                self._seen_rows.add(place[0])
                self._row = place[0]
            if empty:
                self._row, self._col = self._row + 1, 1
        elif name == b"c":
            if closing:
                self._cell = None
                return
            self._place_cell(_R_ATTR.search(attrs), empty)
        elif not closing and self._cell is not None:  # <f>: the cell holds a formula
            if self._cell in self.wanted:
                self.formulas.add(self._cell)
            if _ARRAY.search(attrs):
                ref = _REF_ATTR.search(attrs)
                corners = [calamine_position(ref.group(k)) for k in (1, 2)] if ref else []
                if len(corners) == 2 and corners[0] and corners[1]:
                    (r0, c0), (r1, c1) = corners[0], corners[1]
                    self.arrays.append((c0 or 0, r0, c1 or 0, r1))

    def _place_cell(self, given: re.Match[bytes] | None, empty: bool) -> None:
        row, col = self._row, self._col
        if given is not None:
            place = calamine_position(given.group(1) or given.group(2) or b"")
            if place is None or place[1] is None:
                self.broken = True
                return
            row, col = place[0], place[1]
        self._col = col + 1
        self._cell = None if empty else (row, col)
        if empty:
            return
        if row > self.rows or col > self.cols:
            self.rows, self.cols = max(self.rows, row), max(self.cols, col)
            self.far = cell_name(row, col)


class FormulaCells:
    """Which cells of a sheet's XML hold a formula: ``cells.among(["K5", "K6"])``.

    Given a sheet whose cells all carry ``r`` (``regular``), it looks for formula cells only
    in the rows asked for, one regular-expression pass each, unpacking a stream only as far
    as the last row asked for (the rows a register fills come first; hundreds of empty
    template rows follow). Any other sheet is walked as calamine reads it. Cells an array
    formula fills (``<f t="array" ref="A5:K72">``) count as formulas too."""

    CHUNK = 1 << 15

    def __init__(self, source: bytes | IO[bytes], regular: bool = True) -> None:
        self.stream: IO[bytes] | None = None
        self.xml: bytes | bytearray
        if isinstance(source, bytes | bytearray):
            self.xml, self.done = source, True
        else:
            self.stream, self.xml, self.done = source, bytearray(), False
        self.regular = regular

    def _more(self) -> None:
        chunk = self.stream.read(self.CHUNK) if self.stream is not None else b""
        if chunk and isinstance(self.xml, bytearray):
            self.xml += chunk  # grows in place: a bytes += would copy it all each time
        else:
            self.done = True
            if self.stream is not None:
                self.stream.close()

    def _unpack_through(self, row: int) -> None:
        """Unpack until a later row has begun (so ``row`` is complete), or to the end."""
        while not self.done:
            at = self.xml.rfind(b"row ", max(0, len(self.xml) - self.CHUNK - 8))
            started = _ROW_NUMBER.match(self.xml, self.xml.rfind(b"<", 0, at)) if at > 0 else None
            if started and int(started.group(1)) > row:
                return
            self._more()

    def _formulas_in(self, rows: Iterable[int]) -> tuple[set[str], int] | None:
        """The formula cells of these rows (ascending, as a sheet stores them), and where
        the last of them ends; None when a row is not where a regular sheet has it (written
        without its r=, or out of order), and the sheet must be walked."""
        first, at = -1, 0
        for row in rows:
            at = self.xml.find(b' r="%d"' % row, at)  # only a <row> has a digits-only r
            if at == -1:
                return None
            first = at if first == -1 else first
        end = self.xml.find(b"</row>", at)  # text never holds a bare "<"
        if end == -1:  # a prefixed </x:row>, or the sheet's end
            after = _ROW_NUMBER.search(self.xml, at + 1)
            end = after.start() if after else len(self.xml)
        # One search from the first row asked to the end of the last (rows between that
        # were not asked for add cells nobody asks about); every cell of a regular sheet
        # is written <c r="…", which the search looks for at C speed.
        found = _REGULAR_FORMULA_CELL.findall(self.xml, first, end)
        return {ref.decode() for ref in found}, end

    def among(self, cells: Iterable[str]) -> set[str]:
        """The ones of ``cells`` (``"K5"``) that hold a formula."""
        wanted = list(cells)
        if not wanted:
            return set()
        if not self.regular:
            return self._walked(wanted)
        rows = sorted({int(cell.lstrip(_LETTERS) or 0) for cell in wanted})
        self._unpack_through(rows[-1])
        found = self._formulas_in(rows)
        if found is None:
            return self._walked(wanted)
        formulas, end = found
        out = formulas.intersection(wanted)
        # An array formula's anchor comes before the cells it fills (within the rows asked).
        if self.xml.find(b"array", 0, end) != -1:
            arrays = [(*split_cell(a), *split_cell(b)) for a, b in
                      (ref.decode().split(":") for ref in _ARRAY_FORMULA.findall(self.xml))]
            out |= _in_arrays(wanted, arrays)
        return out

    def _walked(self, wanted: list[str]) -> set[str]:
        """The formula cells among ``wanted``, placed as calamine places them."""
        places = {cell: split_cell(cell)[::-1] for cell in wanted}
        while not self.done:
            self._more()
        walk = walk_cells(bytes(self.xml), set(places.values()))
        out = {cell for cell, place in places.items() if place in walk.formulas}
        return out | _in_arrays(wanted, walk.arrays)


def walk_cells(xml: bytes, wanted: set[tuple[int, int]] | None = None) -> CellWalk:
    """Walk a whole sheet's XML (held in memory: only an irregular sheet is walked, and the
    scan bounds its size)."""
    walk = CellWalk(wanted=wanted or set())
    for match in _TAG.finditer(xml):
        walk.step(match.group(1) == b"/", match.group(2), match.group(3))
    return walk


def _in_arrays(wanted: list[str], arrays: list[tuple[int, int, int, int]]) -> set[str]:
    out = set()
    for cell in wanted:
        col, row = split_cell(cell)
        if any(c0 <= col <= c1 and r0 <= row <= r1 for c0, r0, c1, r1 in arrays):
            out.add(cell)
    return out
