"""Open a data file once and look at its content: kind (workbook, CSV, JSON), sheets, header, text.

Workbooks are parsed once (the RIVM workbook takes most of a second) and the parsed rows are shared by
recognition and reading. Bad files fail here with a one-line error (``DataFormatError``; a missing path
``DataNotFoundError``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from ...core.errors import DataFormatError, DataNotFoundError, WijkstudieError

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
SQLITE_MAGIC = b"SQLite format 3\x00"  # GeoPackage
RDATA_MAGIC = (b"RDX2\n", b"RDX3\n", b"RDA2\n", b"RDA3\n")
GZIP_MAGIC, BZIP2_MAGIC, XZ_MAGIC = b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"
HEAD_BYTES = 65536


@dataclass
class RawFile:
    """A data file opened once: its path, its first bytes and its kind (xlsx, xls, csv, json, gpkg, zip, rda); the
    parsed workbook, sheets, text and JSON are made on first use and shared by recognition and reading.
    """

    path: Path
    head: bytes
    kind: str  # xlsx, xls, csv, json, gpkg, zip, rda
    _sheets: dict = field(default_factory=dict, repr=False)

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
        """The parsed workbook (calamine), by content whatever the file's name says."""
        import python_calamine

        try:  # by content, not by file name: an Office Open XML workbook may be named .xls
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.path.read_bytes()))
        except Exception as exc:  # calamine raises its own error types for every kind of damage
            raise self.fail(f"not a valid Excel workbook (truncated or corrupt?): {_short(exc)}") from None

    @property
    def sheet_names(self) -> list[str]:
        """The workbook's sheet names (none for other kinds)."""
        return list(self.workbook.sheet_names) if self.kind in ("xlsx", "xls") else []

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
        key = sheet
        if key not in self._sheets:
            try:
                ws = (
                    self.workbook.get_sheet_by_index(sheet)
                    if isinstance(sheet, int)
                    else self.workbook.get_sheet_by_name(sheet)
                )
                self._sheets[key] = ws.to_python(skip_empty_area=False)
            except WijkstudieError:
                raise
            except Exception as exc:
                raise self.fail(f"cannot read sheet {sheet!r} (truncated or corrupt?): {_short(exc)}") from None
        return self._sheets[key]

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
        """The file as text (UTF-8 with or without BOM, else Windows-1252)."""
        data = self.path.read_bytes()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise self.fail("cannot decode the text (neither UTF-8 nor Windows-1252)")

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
        """Why the file's layout may keep it from being recognised: an empty first row, or a CSV whose
        columns are separated by something other than a comma, semicolon or tab."""
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
        """Column names of a CSV, or of the first row of the first sheet of a workbook."""
        if self.kind == "csv":
            return self.csv_header
        if self.kind in ("xlsx", "xls"):
            rows = self.sheet_rows(0)
            return [str(c).strip() for c in rows[0]] if rows else []
        return []


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
    """The first bytes of a compressed file's content (R saves its .rda files compressed), or b'' when the
    stream cannot be read."""
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
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise DataNotFoundError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not head.strip():
        raise DataFormatError(f"{path.name}: empty file")
    if head.startswith(XLSX_MAGIC):
        return RawFile(path, head, _zip_kind(path))
    if head.startswith(XLS_MAGIC):
        return RawFile(path, head, "xls")
    if head.startswith(SQLITE_MAGIC):
        return RawFile(path, head, "gpkg")
    if head.startswith(RDATA_MAGIC):
        return RawFile(path, head, "rda")
    if compression := _compression(head):
        if _decompressed_start(path, compression).startswith(RDATA_MAGIC):
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
        return RawFile(path, head, "json")
    if b"\x00" in head:
        raise DataFormatError(f"{path.name}: binary content of an unknown kind (not a workbook, CSV or JSON)")
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
    text = " ".join(str(exc).split())
    return text[:160] + ("..." if len(text) > 160 else "")
