"""Open a data file once and look at its content: kind (workbook, CSV, JSON), sheets, header, text.

Workbooks are parsed once (the RIVM workbook takes most of a second) and the parsed rows are shared by
recognition and reading. Bad files fail here with a one-line error (``DataFormatError``; a missing path
``DataNotFoundError``).

Reading is bounded: before an Office Open XML workbook (``.xlsx``) is parsed, each sheet's size is read from the
workbook's own XML (its declared ``<dimension>`` and, streamed without keeping the sheet, the cells and rows it
holds) and a sheet larger than the settings ``max_sheet_cells`` (5,000,000 cells) or ``max_columns`` (20,000
columns) is refused in one line naming the sheet and its size, so that no file can make the parser allocate
for a sheet of a billion cells (old ``.xls`` files are bounded by their format: 65,536 rows by 256 columns). A
CSV whose first line has more columns than ``max_columns`` is refused after reading that line alone (at most
4 MiB of it). A zip archive (a workbook, zipped shapefiles) whose members declare more than ``max_unpacked_bytes``
(200 MB) together, and a compressed R data file that unpacks to more, are refused before anything is parsed. A
CSV that is not valid UTF-8 is read as Windows-1252, and the load report and a warning say so.

Nothing is opened that is not a regular file (a FIFO, a device or a socket is refused from its ``stat``), and a text
file larger than the setting ``max_text_bytes`` is refused from its size (``check_file``). No parser recurses on
untrusted nesting: JSON deeper than ``MAX_NESTING`` is refused after a scan without recursion (``json_depth``), R
data after its structure is walked without recursion (``rdata_depth``, in the pass that counts its unpacked size),
and a GeoPackage whose layers include an SQL view is refused from its catalogue (``check_geopackage``). CR-only and
mixed line ends are line ends. Hidden sheets are read only by name; formula cells without a computed value and error
cells of an ``.xlsx`` are counted per column and said (they would read as empty cells).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from ...core.errors import DataFormatError, DataNotFoundError, WijkstudieError, os_reason
from ...core.printable import excerpt
from ...core.provenance import CSV_MARK_LINE
from ...core.settings import settings

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
SQLITE_MAGIC = b"SQLite format 3\x00"  # GeoPackage
RDATA_MAGIC = (b"RDX2\n", b"RDX3\n", b"RDA2\n", b"RDA3\n")
GZIP_MAGIC, BZIP2_MAGIC, XZ_MAGIC = b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"
HEAD_BYTES = 65536
HEADER_LINE_BYTES = 4 * 1024 * 1024  # the most of a CSV's first line read to count its columns


@dataclass
class RawFile:
    """A data file opened once.

    Its path, its first bytes and its kind (xlsx, xls, csv, json, gpkg, zip, rda); the parsed workbook, sheets, text and
    JSON are made on first use and shared by recognition and reading.
    """

    path: Path
    head: bytes
    kind: str  # xlsx, xls, csv, json, gpkg, zip, rda
    _sheets: dict = field(default_factory=dict, repr=False)
    notes: list = field(default_factory=list)  # what reading needed that the load report must say (a fallback)

    @property
    def name(self) -> str:
        """The file's name."""
        return self.path.name

    def fail(self, problem: str, error: type[WijkstudieError] = DataFormatError) -> WijkstudieError:
        """The error to raise for a problem with this file: ``{file name}: {problem}``.

        Parameters
        ----------
        problem : str
            what is wrong, in words
        error : type
            the class (default ``DataFormatError``)

        Returns
        -------
        WijkstudieError
        """
        return error(f"{self.name}: {problem}")

    # workbooks ---------------------------------------------------------------------------------------
    @cached_property
    def workbook(self):
        """The parsed workbook (calamine), by content whatever the file's name says.

        An ``.xlsx`` whose sheets are larger than the settings allow is refused before it is parsed
        (``check_sheet_sizes``).
        """
        import python_calamine

        if self.kind == "xlsx":
            check_sheet_sizes(self)
        try:  # by content, not by file name: an Office Open XML workbook may be named .xls
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.path.read_bytes()))
        except Exception as exc:  # calamine raises its own error types for every kind of damage
            raise self.fail(f"not a valid Excel workbook (truncated or corrupt?): {_short(exc)}") from None

    @property
    def sheet_names(self) -> list[str]:
        """The workbook's visible sheet names, in order (none for other kinds).

        A hidden sheet (a stale copy, a lookup table) is read only when a reader asks for it by name. A workbook whose
        sheets are all hidden has them all.
        """
        if self.kind not in ("xlsx", "xls"):
            return []
        names = list(self.workbook.sheet_names)
        try:
            shown = [str(m.name) for m in self.workbook.sheets_metadata if str(m.visible).endswith("Visible")]
        except AttributeError:  # a calamine without sheet metadata
            return names
        return shown or names

    def sheet_rows(self, sheet: str | int = 0) -> list[list]:
        """All rows of a sheet as Python values (parsed once per sheet).

        Parameters
        ----------
        sheet : str or int
            the sheet's name or position

        Returns
        -------
        list of list

        Raises
        ------
        DataFormatError
            for a sheet that cannot be read.
        """
        if isinstance(sheet, int):  # a position among the visible sheets
            names = self.sheet_names
            if not -len(names) <= sheet < len(names):
                raise self.fail(f"has no sheet {sheet + 1}: its visible sheets are {', '.join(map(repr, names))}")
            sheet = names[sheet]
        key = sheet
        if key not in self._sheets:
            try:
                self._sheets[key] = self.workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except WijkstudieError:
                raise
            except Exception as exc:
                raise self.fail(f"cannot read sheet {sheet!r} (truncated or corrupt?): {_short(exc)}") from None
            if self.kind == "xlsx":
                self._note_uncomputed(sheet, self._sheets[key])
        return self._sheets[key]

    def _note_uncomputed(self, sheet: str, rows: list[list]) -> None:
        """Say, per column.

        How many cells of a sheet are formulas without a computed value or error values (``#DIV/0!``, ``#N/A``): the
        parser gives them as empty cells, so they would be read as missing unnoticed.
        """
        try:
            with zipfile.ZipFile(self.path) as archive:
                part = dict(_sheet_parts(archive)).get(sheet)
                suspect = self._sheets.get("formula_parts")  # sheets with formulas or errors (check_sheet_sizes)
                found = _uncomputed_cells(archive, part) if part and (suspect is None or part in suspect) else {}
        except (zipfile.BadZipFile, OSError, KeyError, EOFError, RuntimeError, ValueError):
            return
        if not found:
            return
        formulas = sum(f for f, _, _ in found.values())
        errors = sum(e for _, e, _ in found.values())
        kinds = sorted({k for _, _, ks in found.values() for k in ks})
        columns = []
        for number in sorted(found)[:8]:
            f, e, _ = found[number]
            header = next(
                (
                    str(r[number - 1]).strip()
                    for r in rows[:20]
                    if len(r) >= number and isinstance(r[number - 1], str) and r[number - 1].strip()
                ),
                "",
            )
            what = ", ".join(t for t in (f"{f} formula(s)" if f else "", f"{e} error(s)" if e else "") if t)
            columns.append(f"{_column_letters(number)}{f' {excerpt(header, 30)!r}' if header else ''}: {what}")
        more = f" and {len(found) - 8} more column(s)" if len(found) > 8 else ""
        self.notes.append(
            f"sheet {excerpt(sheet, 40)!r}: {formulas} formula cell(s) without a computed value and {errors} error "
            f"cell(s){' (' + ', '.join(excerpt(k, 12) for k in kinds[:4]) + ')' if kinds else ''} read as missing, "
            f"by column: {'; '.join(columns)}{more} (open and save the workbook in a spreadsheet program to compute "
            "its formulas)"
        )

    def sheet_frame(self, sheet: str | int = 0, header_row: int = 0) -> pd.DataFrame:
        """A sheet as a table of text, with the header from one row (empty cells are "").

        Parameters
        ----------
        sheet : str or int
            the sheet's name or position
        header_row : int
            the row that holds the column names

        Returns
        -------
        DataFrame

        Raises
        ------
        DataFormatError
            for a sheet without that row.
        """
        rows = self.sheet_rows(sheet)
        if len(rows) <= header_row:
            raise self.fail(f"sheet {sheet!r} has no header row")
        header = [str(h).strip() if h is not None else "" for h in rows[header_row]]
        frame = pd.DataFrame(rows[header_row + 1 :], columns=range(len(header)), dtype="object")
        frame.columns = header
        return frame  # empty cells are "" here; readers treat "" as missing

    # text files --------------------------------------------------------------------------------------
    @cached_property
    def text(self) -> str:
        """The file as text (UTF-8 with or without BOM, else Windows-1252, which ``notes`` then says).

        Without the synthetic world's mark line.
        """
        data = self.path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise self.fail("cannot decode the text (neither UTF-8 nor Windows-1252)") from None
            self.notes.append(
                f"not valid UTF-8 (byte 0x{data[exc.start]:02X} at offset {exc.start:,}): read as Windows-1252; "
                "check that accented letters came out right"
            )
        if "\r" in text:  # Windows (CR LF), old Mac (CR only) or mixed line ends: all are line ends
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.startswith(CSV_MARK_LINE):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        return text

    @cached_property
    def csv_delimiter(self) -> str:
        """The delimiter of a CSV: comma, semicolon or tab, whichever the first line has most of."""
        first = self.text.split("\n", 1)[0]
        return max([",", ";", "\t"], key=first.count)

    @cached_property
    def csv_header(self) -> list[str]:
        """The column names of a CSV."""
        first = self.text.split("\n", 1)[0]
        return [c.strip() for c in next(csv.reader([first], delimiter=self.csv_delimiter))]

    def csv_frame(self) -> pd.DataFrame:
        """The CSV as a table of text (empty cells missing).

        Returns
        -------
        DataFrame

        Raises
        ------
        DataFormatError
            for a malformed CSV.
        """
        try:
            return pd.read_csv(
                io.StringIO(self.text), sep=self.csv_delimiter, dtype=str, keep_default_na=False, na_values=[""]
            )
        except (pd.errors.ParserError, ValueError) as exc:
            raise self.fail(f"malformed CSV: {_short(exc)}") from None

    @cached_property
    def json(self):
        """The parsed JSON (a malformed file is a ``DataFormatError``)."""
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            raise self.fail(f"malformed JSON (truncated?): {_short(exc)}") from None

    @property
    def head_text(self) -> str:
        """The first bytes as text (for recognising a file by what it starts with)."""
        return self.head.decode("utf-8", errors="replace").lstrip("\ufeff")

    def layout_problem(self) -> str | None:
        """Why the file's layout may keep it from being recognised.

        An empty first row, or a CSV whose columns are separated by something other than a comma, semicolon or tab.

        Returns
        -------
        str or None
            the reason, or None when the layout looks readable
        """
        if self.kind == "csv":
            first = self.text.split("\n", 1)[0].strip("\r")
            if not first.strip(" ,;\t"):
                return "its first row is empty (the column names must be in the first row)"
            if not any(d in first for d in (",", ";", "\t")):
                other = max("|:^~#/", key=first.count)
                if first.count(other) >= 2:
                    return f"its columns are separated by {other!r}, not by a comma, semicolon or tab"
        if self.kind in ("xlsx", "xls") and self.sheet_names:
            rows = self.sheet_rows(0)
            if rows and all(c is None or str(c).strip() == "" for c in rows[0]):
                return f"the first row of sheet {self.sheet_names[0]!r} is empty"
        return None

    def columns(self) -> list[str]:
        """Column names of a CSV, or of the first row of the first sheet of a workbook.

        Returns
        -------
        list of str
            empty for other kinds of file
        """
        if self.kind == "csv":
            return self.csv_header
        if self.kind in ("xlsx", "xls"):
            rows = self.sheet_rows(0)
            return [str(c).strip() for c in rows[0]] if rows else []
        return []


def limit(name: str) -> int:
    """A reading limit from the settings (``max_sheet_cells``, ``max_columns``), as a whole number.

    Parameters
    ----------
    name : str
        the setting

    Returns
    -------
    int

    Raises
    ------
    ArgumentError
        for a value that is not a positive whole number (the settings check it, naming where it was written:
        ``ws.settings``, the environment variable or the project file).
    """
    return int(getattr(settings, name))


_XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XLSX_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([^"]*)"')
_COLUMN_OF_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,7})\d')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="(\d{1,12})"')
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)[\s>/]")
_REF = re.compile(r"([A-Z]{1,7})(\d{1,12})")


def _column_number(letters) -> int:
    number = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(ch) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"[^>]*>.*?</c>', re.S)
_FORMULA_CELL = re.compile(rb"<c\b[^>]*>\s*<f\b.*?</c>", re.S)
_CELL_COLUMN = re.compile(rb'\br="([A-Z]{1,7})\d')
_CELL_VALUE = re.compile(rb"<v>([^<]+)</v>")


def _uncomputed_cells(archive: zipfile.ZipFile, part: str) -> dict:
    """Per column number of a sheet.

    (formulas without a computed value, error cells, the error values), streamed through the sheet's XML in chunks cut
    at row ends.
    """
    found: dict[int, list] = {}
    with archive.open(part) as fh:
        tail = b""
        while True:
            chunk = fh.read(1 << 22)
            data = tail + chunk
            if chunk:  # cut at the last row end: no cell spans two pieces
                cut = data.rfind(b"</row>")
                if cut < 0:
                    tail = data
                    continue
                text, tail = data[: cut + 6], data[cut + 6 :]
            else:
                text, tail = data, b""
            if b't="e"' in text or b"<f" in text:
                for pattern, slot in ((_ERROR_CELL, 1), (_FORMULA_CELL, 0)):
                    for match in pattern.finditer(text):
                        cell = match.group()
                        value = _CELL_VALUE.search(cell)
                        if slot == 0 and (value is not None or b't="e"' in cell):
                            continue  # a formula with its value, or an error counted as one
                        column = _CELL_COLUMN.search(cell)
                        entry = found.setdefault(_column_number(column.group(1)) if column else 0, [0, 0, set()])
                        entry[slot] += 1
                        if slot == 1 and value is not None:
                            entry[2].add(value.group(1).decode("utf-8", "replace"))
            if not chunk:
                break
    return {k: tuple(v) for k, v in found.items() if k > 0}


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part in the archive) of every worksheet, by the workbook's own relationships."""
    import xml.etree.ElementTree as ET

    names = set(archive.namelist())
    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        found = []
        for sheet in book.iter(f"{_XLSX_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_XLSX_REL}id"), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if part in names:
                found.append((sheet.get("name", part), part))
        if found:
            return found
    except (KeyError, ET.ParseError, ValueError):
        pass
    return [(n.rsplit("/", 1)[-1], n) for n in sorted(names) if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def _sheet_extent(
    archive: zipfile.ZipFile, part: str, formulas: set | None = None
) -> tuple[tuple[int, int] | None, tuple[int, int]]:
    """A sheet's declared size (rows, columns of its ``<dimension>``, or None) and the size its cells and rows reach.

    Streamed through in chunks (nothing of the sheet is kept): the highest row number or row count, and the highest
    column letter, or the most cells in one row where cells carry no reference. A sheet with formulas or error cells is
    added to ``formulas`` (they are counted when it is read).
    """
    declared, rows, columns, count_rows, cells, referenced = None, 0, 0, 0, 0, 0
    with archive.open(part) as fh:
        tail, first = b"", True
        while chunk := fh.read(1 << 22):
            data = tail + chunk
            cut = data.rfind(b"<")
            text, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            if first:
                first = False
                match = _DIMENSION.search(text[:65536])
                refs = _REF.findall(match.group(1).decode("ascii", "replace").split(":")[-1]) if match else []
                if refs:
                    declared = (int(refs[-1][1]), _column_number(refs[-1][0]))
            if formulas is not None and (b"<f" in text or b't="e"' in text):
                formulas.add(part)
            letters = _COLUMN_OF_CELL.findall(text)
            if letters:
                columns = max(columns, max(_column_number(c) for c in set(letters)))
            numbers = _ROW_NUMBER.findall(text)
            if numbers:
                rows = max(rows, max(int(n) for n in numbers))
            tags = _ROW_OR_CELL.findall(text)
            row_tags = tags.count(b"row")
            count_rows += row_tags
            cells += len(tags) - row_tags
            referenced += len(letters)
    if cells > referenced:  # cells without a reference sit one after another: bound them by the longest row
        columns = max(columns, _longest_row(archive, part))
    return declared, (max(rows, count_rows), columns)


def _longest_row(archive: zipfile.ZipFile, part: str) -> int:
    longest = current = 0
    with archive.open(part) as fh:
        tail = b""
        while chunk := fh.read(1 << 22):
            data = tail + chunk
            cut = data.rfind(b"<")
            part_text, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            for match in _ROW_OR_CELL.finditer(part_text):
                if match.group(1) == b"row":
                    longest, current = max(longest, current), 0
                else:
                    current += 1
    return max(longest, current)


def check_sheet_sizes(raw: RawFile) -> None:
    """Refuse an ``.xlsx`` with a sheet larger than the settings ``max_sheet_cells`` or ``max_columns``.

    From the workbook's own XML and before it is parsed (see the module docstring).

    Parameters
    ----------
    raw : RawFile
        an opened ``.xlsx``

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        one line naming the sheet, its size and the setting.
    """
    max_cells, max_columns = limit("max_sheet_cells"), limit("max_columns")
    try:
        with zipfile.ZipFile(raw.path) as archive:
            for name, part in _sheet_parts(archive):
                declared, reached = _sheet_extent(archive, part, raw._sheets.setdefault("formula_parts", set()))
                for (rows, columns), how in [
                    (d, w) for d, w in ((declared, "declares"), (reached, "has cells reaching")) if d
                ]:
                    if rows * columns <= max_cells and columns <= max_columns:
                        continue
                    which = (
                        f"more than the limit of {max_columns:,} columns (setting max_columns, WIJKSTUDIE_MAX_COLUMNS)"
                        if columns > max_columns
                        else f"more than the limit of {max_cells:,} cells (setting max_sheet_cells, "
                        "WIJKSTUDIE_MAX_SHEET_CELLS)"
                    )
                    raise raw.fail(
                        f"sheet {excerpt(name, 40)!r} {how} {rows:,} rows x {columns:,} columns "
                        f"({rows * columns:,} cells), {which}: refused before it is read"
                    )
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        if isinstance(exc, WijkstudieError):
            raise
        raise raw.fail(f"not a valid Excel workbook (truncated or corrupt?): {_short(exc)}") from None


def check_csv_header(path: Path, head: bytes) -> None:
    """Refuse a CSV whose first line has more columns than the setting ``max_columns``.

    Reading that line alone (at most ``HEADER_LINE_BYTES`` of it).

    Parameters
    ----------
    path : Path
        the file
    head : bytes
        its first bytes

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        one line with the count and the setting.
    """
    max_columns = limit("max_columns")
    mark = CSV_MARK_LINE.encode()
    first, newline, rest = _first_line(head)
    if first.lstrip(b"\xef\xbb\xbf").startswith(mark):
        first, newline, rest = _first_line(rest)
    if not newline and len(head) >= HEAD_BYTES:  # the first line goes on beyond the first bytes
        with open(path, "rb") as fh:
            first, newline, rest = _first_line(fh.read(HEADER_LINE_BYTES))
            if first.lstrip(b"\xef\xbb\xbf").startswith(mark):
                first = _first_line(rest + fh.read(HEADER_LINE_BYTES))[0]
    columns = max(first.count(b","), first.count(b";"), first.count(b"\t")) + 1
    if columns > max_columns:
        more = " at least" if len(first) >= HEADER_LINE_BYTES else ""
        raise DataFormatError(
            f"{path.name}: its first line has{more} {columns:,} columns, more than the limit of {max_columns:,} "
            "(setting max_columns, WIJKSTUDIE_MAX_COLUMNS): refused before it is read"
        )


def _first_line(data: bytes) -> tuple[bytes, bytes, bytes]:
    """``data.partition`` at the first line end: LF, CR LF or a CR alone (an old Mac file has no LF at all)."""
    match = _LINE_END.search(data)
    if match is None:
        return data, b"", b""
    return data[: match.start()], match.group(), data[match.end() :]


_LINE_END = re.compile(rb"\r\n|\r|\n")
BINARY_MAGIC = (XLSX_MAGIC, XLS_MAGIC, SQLITE_MAGIC, *RDATA_MAGIC, GZIP_MAGIC, BZIP2_MAGIC, XZ_MAGIC)
KINDS_OF_FILE = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def check_file(path: Path) -> None:
    """Refuse what is not a regular file.

    (a FIFO, a device, a socket: opening or reading it may block forever or never end) from its ``stat``, before it is
    opened; and a text file larger than the setting ``max_text_bytes`` from its size, before it is hashed or read (a
    workbook, GeoPackage, archive or R data file is bounded by its own checks).

    Parameters
    ----------
    path : Path
        the file (it exists)

    Returns
    -------
    None

    Raises
    ------
    DataNotFoundError
        for a folder.
    DataFormatError
        for a FIFO, device or socket, and for a text file over the limit; one line naming the file.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DataNotFoundError(f"{excerpt(path, 200)}: cannot be read ({os_reason(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = KINDS_OF_FILE.get(stat.S_IFMT(info.st_mode), "not a regular file")
        error = DataNotFoundError if stat.S_ISDIR(info.st_mode) else DataFormatError
        raise error(f"{excerpt(path.name, 120)}: {kind}, not a data file: refused before it is opened")
    max_bytes = limit("max_text_bytes")
    if info.st_size <= max_bytes:
        return
    with open(path, "rb") as fh:
        head = fh.read(16)
    if not head.startswith(BINARY_MAGIC):
        raise DataFormatError(
            f"{excerpt(path.name, 120)}: a text file of {info.st_size:,} bytes, more than the limit of {max_bytes:,} "
            "(setting max_text_bytes, WIJKSTUDIE_MAX_TEXT_BYTES): refused before it is read"
        )


MAX_NESTING = 200  # the deepest nesting of JSON or of R lists read; the mirror's deepest: 7 (GeoJSON MultiPolygons)
_JSON_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_JSON_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))


def json_depth(data: bytes) -> int:
    """How deep a JSON text nests its arrays and objects.

    By a scan without recursion (escapes and strings removed, then the brackets counted): what the JSON parser would
    recurse to.

    Parameters
    ----------
    data : bytes
        the JSON text

    Returns
    -------
    int
    """
    import numpy as np

    brackets = _JSON_STRING.sub(b"", _JSON_ESCAPE.sub(b"", data)).translate(None, _NOT_BRACKET)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    return int(np.cumsum(np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)).max())


def check_json_depth(path: Path, data: bytes | None = None) -> None:
    """Refuse JSON nested deeper than ``MAX_NESTING``, found without recursion before any parser recurses.

    Parameters
    ----------
    path : Path
        the file
    data : bytes, optional
        its content (read when not given)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        one line with the depth found.
    """
    depth = json_depth(Path(path).read_bytes() if data is None else data)
    if depth > MAX_NESTING:
        raise DataFormatError(
            f"{excerpt(Path(path).name, 120)}: JSON nested {depth:,} levels deep, more than the {MAX_NESTING} a data "
            "file needs: refused before it is parsed"
        )


class _Stream:
    """Exact reads from a (decompressed) stream, with skipping in bounded chunks; None at the end of the data."""

    def __init__(self, fh):
        self.fh = fh

    def read(self, n: int) -> bytes | None:
        data = self.fh.read(n)
        return data if len(data) == n else None

    def skip(self, n: int) -> bool:
        while n > 0:
            chunk = self.fh.read(min(n, 1 << 20))
            if not chunk:
                return False
            n -= len(chunk)
        return True

    def int32(self) -> int | None:
        data = self.read(4)
        return None if data is None else int.from_bytes(data, "big", signed=True)

    def length(self) -> int | None:
        n = self.int32()
        if n == -1:  # a long vector: two more words
            upper, lower = self.int32(), self.int32()
            return None if upper is None or lower is None else (upper << 32) | (lower & 0xFFFFFFFF)
        return n


# R's serialization (XDR): the types that hold nothing more, hold items (pairlists and the like: attributes, tag,
# value, rest), or hold a block of fixed-size values (bytes per value)
_R_NOTHING = {254, 253, 252, 251, 250, 242, 241}  # NILVALUE, GLOBALENV, UNBOUND, MISSINGARG, BASENAMESPACE, EMPTY, BASE
_R_PAIRS = {2, 3, 5, 6, 17, 239, 240}  # LISTSXP, CLOSXP, PROMSXP, LANGSXP, DOTSXP, ATTRLISTSXP, ATTRLANGSXP
_R_BLOCK = {9: 1, 10: 4, 13: 4, 14: 8, 15: 16, 24: 1, 7: 1, 8: 1}  # CHARSXP, LGL, INT, REAL, CPLX, RAW, SPECIAL...


def rdata_depth(fh, stop: int) -> int:
    """How deep the items of an R data stream (XDR, as ``save`` writes it, decompressed) nest, walked without recursion.

    Every list, pairlist and attribute one level below its container. The walk ends once deeper than ``stop``, at the
    end of the data, or at a type it does not know (the R data reader then says what is wrong).

    Parameters
    ----------
    fh : binary file
        the decompressed stream, from its start (``RDX3``)
    stop : int
        the depth at which to stop looking

    Returns
    -------
    int
        the deepest nesting seen (more than ``stop`` when the walk stopped there)
    """
    data = _Stream(fh)
    if data.read(5) not in RDATA_MAGIC or data.read(2) != b"X\n":
        return 0  # not XDR: the R data reader refuses it
    version = data.int32()
    if data.read(8) is None or version is None:
        return 0
    if version == 3:
        size = data.int32()
        if size is None or size < 0 or not data.skip(size):
            return 0
    deepest, tasks = 0, [[1, 1]]  # [items still to read, their depth]
    while tasks:
        task = tasks[-1]
        if task[0] <= 0:
            tasks.pop()
            continue
        task[0] -= 1
        depth = task[1]
        deepest = max(deepest, depth)
        if deepest > stop:
            return deepest
        flags = data.int32()
        if flags is None:
            return deepest
        kind, attr, tag = flags & 0xFF, bool(flags & 0x200), bool(flags & 0x400)
        items = 0
        if kind in _R_NOTHING:
            continue
        if kind == 255:  # REFSXP: a reference to an earlier item
            if flags >> 8 == 0 and data.int32() is None:
                return deepest
            continue
        if kind in (247, 248, 249):  # PERSISTSXP, PACKAGESXP, NAMESPACESXP: a vector of strings
            if data.int32() is None:
                return deepest
            items = data.int32()
        elif kind == 1:  # SYMSXP: its name
            items = 1
        elif kind == 4:  # ENVSXP: locked, then enclosure, frame, hash table, attributes
            if data.int32() is None:
                return deepest
            items = 4
        elif kind in _R_PAIRS:
            items = attr + tag + 2  # attributes, tag, value, rest of the list
        elif kind in _R_BLOCK:
            n = data.length()
            if n is None or (n > 0 and not data.skip(n * _R_BLOCK[kind])):
                return deepest
            items = attr
        elif kind in (16, 19, 20):  # STRSXP, VECSXP, EXPRSXP: items
            n = data.length()
            if n is None or n < 0:
                return deepest
            items = n + attr
        elif kind == 22:  # EXTPTRSXP: protected value and tag
            items = 2 + attr
        elif kind in (23, 25):  # WEAKREFSXP, S4SXP
            items = attr
        elif kind == 238:  # ALTREP: class information, state, attributes
            items = 3
        else:  # byte code or a type this walk does not know: the reader decides
            return deepest
        if items is None:
            return deepest
        if items > 0:
            tasks.append([items, depth + 1])
    return deepest


class _Counted:
    """A decompressed stream that counts what it gives and refuses to go past the setting ``max_unpacked_bytes``."""

    def __init__(self, fh, path: Path, max_bytes: int):
        self.fh, self.path, self.max_bytes, self.size = fh, path, max_bytes, 0

    def read(self, n: int) -> bytes:
        data = self.fh.read(n)
        self.size += len(data)
        if self.size > self.max_bytes:
            _refuse_unpacked(self.path, self.size, at_least=True)
        return data


def check_rdata(path: Path, compression: str | None) -> None:
    """Refuse R data that unpacks to more than ``max_unpacked_bytes`` or nests deeper than ``MAX_NESTING``.

    A list in a list in a list ... is found in one pass through the decompressed stream (nothing kept):
    the structure is walked without recursion (``rdata_depth``) before the R data reader, which recurses in C and
    would crash on 10,000 nested lists, sees the file; the rest is counted.

    Parameters
    ----------
    path : Path
        the file
    compression : str or None
        gzip, bzip2, xz or None (uncompressed: only the nesting is checked)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        one line with the size or the depth and what it is more than.
    """
    import bz2
    import gzip
    import lzma

    opener = {"gzip": gzip.open, "bzip2": bz2.open, "xz": lzma.open, None: open}[compression]
    max_bytes = limit("max_unpacked_bytes") if compression else float("inf")
    depth = 0
    try:
        with opener(path, "rb") as fh:
            stream = _Counted(fh, path, max_bytes)
            depth = rdata_depth(stream, MAX_NESTING)
            while compression and depth <= MAX_NESTING and stream.read(1 << 20):
                pass
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:  # damage: the reader says what is wrong
        if isinstance(exc, WijkstudieError):
            raise
    if depth > MAX_NESTING:
        raise DataFormatError(
            f"{excerpt(Path(path).name, 120)}: R data nested more than {MAX_NESTING} levels deep (lists within "
            "lists), which no matrix needs: refused before it is parsed"
        )


def check_geopackage(path: Path) -> None:
    """Refuse a GeoPackage whose layers include an SQL view.

    Reading a view runs its query, and a recursive one never ends. The file's own catalogue is read (``sqlite_master``,
    ``gpkg_contents``), read-only; no view is run.

    Parameters
    ----------
    path : Path
        the GeoPackage

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        one line naming the view; a file SQLite cannot read is left to the boundary reader, which says what is wrong.
    """
    import sqlite3
    import urllib.parse

    uri = f"file:{urllib.parse.quote(str(Path(path).resolve()))}?mode=ro&immutable=1"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            views = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
            try:
                layers = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")]
            except sqlite3.DatabaseError:
                layers = []
    except sqlite3.DatabaseError:
        return
    found = [str(n) for n in layers if n in views] or sorted(str(v) for v in views)
    if found:
        raise DataFormatError(
            f"{excerpt(Path(path).name, 120)}: the GeoPackage holds an SQL view ({excerpt(found[0], 60)!r}), which "
            "would have to be run to be read: refused (boundaries are stored as tables)"
        )


def check_unpacked_size(path: Path) -> None:
    """Refuse a zip archive.

    (a workbook, zipped shapefiles) whose members unpack to more than the setting ``max_unpacked_bytes``, from the sizes
    its directory declares, before anything is unpacked: a workbook of 1 MB whose shared strings unpack to 1 GiB would
    keep the parser busy for 40 s and take 7.5 GB. (A member that unpacks to more than it declares is an error of the
    zip readers themselves.)

    Parameters
    ----------
    path : Path
        the file (a damaged archive passes: the reader says what is wrong with it)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        one line with the size, the largest member and the setting.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    _refuse_unpacked(path, sum(i.file_size for i in infos), max(infos, key=lambda i: i.file_size, default=None))


def _refuse_unpacked(path: Path, size: int, largest=None, *, at_least: bool = False) -> None:
    max_bytes = limit("max_unpacked_bytes")
    if size <= max_bytes:
        return
    member = f" ({excerpt(largest.filename, 60)} alone {largest.file_size:,})" if largest is not None else ""
    raise DataFormatError(
        f"{path.name}: unpacks to{' more than' if at_least else ''} {size:,} bytes{member}, more than the limit of "
        f"{max_bytes:,} (setting max_unpacked_bytes, WIJKSTUDIE_MAX_UNPACKED_BYTES): refused before it is read"
    )


def _zip_kind(path: Path) -> str:
    """``xlsx`` for an Excel workbook, ``zip`` for any other zip archive (e.g. zipped shapefiles)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "xlsx"  # a damaged workbook: the workbook reader says what is wrong
    return "xlsx" if any(n.startswith("xl/") for n in names) or "[Content_Types].xml" in names else "zip"


COMPRESSION = {GZIP_MAGIC: "gzip", BZIP2_MAGIC: "bzip2", XZ_MAGIC: "xz"}


def _compression(head: bytes) -> str | None:
    return next((name for magic, name in COMPRESSION.items() if head.startswith(magic)), None)


def _decompressed_start(path: Path, compression: str) -> bytes:
    """The first bytes of a compressed file's content (R saves its .rda files compressed).

    Or b'' when the stream cannot be read.
    """
    import bz2
    import gzip
    import lzma

    opener = {"gzip": gzip.open, "bzip2": bz2.open, "xz": lzma.open}[compression]
    try:
        with opener(path, "rb") as fh:
            return fh.read(8)
    except Exception:
        return b""


def open_raw(path) -> RawFile:
    """Open a file and classify it by its content.

    Parameters
    ----------
    path : str or Path
        the file

    Returns
    -------
    RawFile

    Raises
    ------
    DataNotFoundError
        for a path that does not exist (or runs through a file), a folder, a symlink loop, or a file that cannot be
        read.
    DataFormatError
        for an empty file, an HTML or XML page, a compressed file that is not R data, or binary content of an
        unknown kind.
    """
    path = Path(path)
    if path.is_symlink() and is_symlink_loop(path):
        raise DataNotFoundError(f"{path}: a symlink loop, not a data file")
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and parent.is_file():
            raise DataNotFoundError(f"{path}: no such file (the path runs through the file {parent})")
        raise DataNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise DataNotFoundError(f"{path}: is a folder, not a data file")
    check_file(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise DataNotFoundError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not head.strip():
        raise DataFormatError(f"{path.name}: empty file")
    if head.startswith(XLSX_MAGIC):
        check_unpacked_size(path)
        return RawFile(path, head, _zip_kind(path))
    if head.startswith(XLS_MAGIC):
        return RawFile(path, head, "xls")
    if head.startswith(SQLITE_MAGIC):
        check_geopackage(path)
        return RawFile(path, head, "gpkg")
    if head.startswith(RDATA_MAGIC):
        check_rdata(path, None)
        return RawFile(path, head, "rda")
    if compression := _compression(head):
        if _decompressed_start(path, compression).startswith(RDATA_MAGIC):
            check_rdata(path, compression)  # its unpacked size and its nesting, in one pass
            return RawFile(path, head, "rda")
        raise DataFormatError(
            f"{path.name}: a {compression}-compressed file whose content is not an R data file "
            "wijkstudie can read (truncated or corrupt?); unpack other compressed files first"
        )
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in start[:512]:
        kind = "an HTML page" if b"html" in start else "an XML document"
        raise DataFormatError(f"{path.name}: {kind}, not a data file (a failed or redirected download?)")
    if start.startswith((b"{", b"[")):
        check_json_depth(path)
        return RawFile(path, head, "json")
    if b"\x00" in head:
        raise DataFormatError(f"{path.name}: binary content of an unknown kind (not a workbook, CSV or JSON)")
    check_csv_header(path, head)
    if head.lstrip(b"\xef\xbb\xbf").startswith(CSV_MARK_LINE.encode()):  # the synthetic world's mark: not data
        head = head.split(b"\n", 1)[1] if b"\n" in head else b""
    return RawFile(path, head, "csv")


def is_symlink_loop(path: Path) -> bool:
    """Whether resolving a path goes round in circles.

    Parameters
    ----------
    path : Path

    Returns
    -------
    bool
    """
    try:
        path.resolve(strict=True)
        return False
    except (RuntimeError, OSError) as exc:  # RuntimeError: Python < 3.13's "Symlink loop"
        import errno

        return isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP


def _short(exc: Exception) -> str:
    """An exception's message for a one-line error: printable, at most 60 characters of it (it may quote the file)."""
    return excerpt(" ".join(str(exc).split()), 60)
