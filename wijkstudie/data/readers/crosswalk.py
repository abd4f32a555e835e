"""The boundary-change matrices of the R package grenswijzigen (VNG Realisatie), saved as R data (``.rda``).

Each file holds one matrix, named ``grenswijziging_[toevoeging_]{gemeente|wijk}_van_{YYYY}_naar_{ZZZZ}
[_voor_postcode]``: rows are the codes of the target division, columns those of the source division (or
4-digit postcodes), cells the number of addresses in each intersection; only areas whose boundaries changed
appear. The name inside the file says what it is; a file named like one (as the package saves them) must hold
that one (a wijk matrix under a gemeente name, or 2016-2022 under 2020-2022, is refused). Cells must be whole,
finite, non-negative counts and labels area codes (or postcodes), else the file is refused in one line. Read into a
long table with one row per non-empty cell: ``from_code``, ``to_code``, ``addresses``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...core.printable import excerpt
from .common import NO_HINTS, Hints
from .rawfile import RawFile
from .tidy import Identification, Table

FORMATS = ("grenswijzigen-matrix",)
NAME = re.compile(
    r"^grenswijziging_(?P<extra>toevoeging_)?(?P<level>gemeente|wijk)_van_(?P<source>\d{4})_naar_"
    r"(?P<target>\d{4})(?P<postcode>_voor_postcode)?$"
)
PREFIX = {"gemeente": "GM", "wijk": "WK"}


def _objects(raw: RawFile) -> dict:
    if "rdata" not in raw._sheets:
        import pyreadr

        try:
            raw._sheets["rdata"] = dict(pyreadr.read_r(str(raw.path)))
        except Exception as exc:
            raise raw.fail(
                f"cannot read the R data file (truncated or corrupt?): {' '.join(str(exc).split())[:120]}"
            ) from None
    return raw._sheets["rdata"]


def _describe(m) -> str:
    kind = " dwellings" if m["extra"] else " postcodes" if m["postcode"] else ""
    return f"{m['level']} {m['source']}-{m['target']}{kind}"


def _match(raw: RawFile):
    objects = _objects(raw)
    for name in objects:
        if m := NAME.match(str(name)):
            expected = NAME.match(raw.path.stem)  # a file named as the package names them says what it must hold
            if expected is not None and expected.groups() != m.groups():
                raise raw.fail(f"holds {_describe(m)}, expected {_describe(expected)} (its name says so)")
            return name, m
    raise raw.fail(
        f"an R data file, but not a grenswijzigen matrix (it holds: {', '.join(map(str, objects)) or 'nothing'})"
    )


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a grenswijzigen matrix.

    (R data, .rda) lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (grenswijzigen-matrix)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    if raw.kind != "rda":
        raise raw.fail(f"not a grenswijzigen matrix (.rda): a {raw.kind} file")
    _match(raw)


def recognise(raw: RawFile, hints: Hints = NO_HINTS) -> Identification | None:
    """Whether a file is a grenswijzigen matrix (R data, .rda).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if raw.kind != "rda":
        return None
    _, m = _match(raw)
    kind = "dwellings" if m["extra"] else "postcode" if m["postcode"] else "addresses"
    source, target = int(m["source"]), int(m["target"])
    if hints.year is not None and int(hints.year) != target:
        raise raw.fail(f"a matrix into the division of {target}, but year={hints.year} was asked for")
    variant = f"{m['level']} {source}-{target}" + ("" if kind == "addresses" else f" {kind}")
    return Identification("grenswijzigen-matrix", "grenswijzigen", None, target, variant, target)


LABEL = {
    "gemeente": re.compile(r"(GM)?\d{1,4}"),
    "wijk": re.compile(r"(WK)?\d{4}[0-9A-Z]{2}"),  # Amsterdam's older wijken: 0363AA
    "postcode": re.compile(r"\d{4}"),
}


MAX_ADDRESSES = 100_000_000  # the Netherlands has some 9 million addresses


def _counts(raw: RawFile, matrix: pd.DataFrame) -> np.ndarray:
    """The matrix's cells as numbers.

    Refused in one line unless every one is a whole, finite, non-negative count (an empty cell counts as none).
    """
    try:
        values = matrix.to_numpy(dtype="float64")
    except (TypeError, ValueError):
        bad = next(
            (v for v in matrix.to_numpy().ravel() if pd.to_numeric(pd.Series([v]), errors="coerce").isna()[0]), ""
        )
        raise raw.fail(f"address counts that are not numbers (e.g. {excerpt(bad, 20)!r})") from None
    problems = []
    for what, mask in (
        ("not finite", np.isinf(values)),
        ("negative", values < 0),
        (
            "not whole",
            np.isfinite(values) & (np.mod(values, 1, where=np.isfinite(values), out=np.zeros_like(values)) != 0),
        ),
    ):
        if mask.any():
            problems.append(f"{int(mask.sum())} {what} (e.g. {values[mask][0]:g})")
    huge = np.isfinite(values) & (values > MAX_ADDRESSES)
    if huge.any():
        problems.append(
            f"{int(huge.sum())} above {MAX_ADDRESSES:,}, more than the country has (e.g. {values[huge][0]:g})"
        )
    if problems:
        raise raw.fail("address counts that cannot be: " + "; ".join(problems))
    return values


def _check_labels(raw: RawFile, labels, level: str, side: str) -> None:
    texts = [str(v).strip() for v in labels]
    if side == "row" and texts and texts == [str(i) for i in range(1, len(texts) + 1)]:
        raise raw.fail(
            f"its {len(texts)} row labels are R's row numbers 1-{len(texts)}, not {level} codes (a matrix saved "
            "without its row names?): refused, as they would be read as the codes of other areas"
        )
    pattern = LABEL[level]
    bad = [str(v) for v in labels if not pattern.fullmatch(str(v).strip())]
    if bad:
        raise raw.fail(f"{len(bad)} {side} label(s) that are not {level} codes (e.g. {excerpt(bad[0], 20)!r})")


def _codes(labels, level: str | None) -> pd.Series:
    text = pd.Series([str(v).strip() for v in labels], dtype="string")
    if level is None:
        return text
    width = 4 if level == "gemeente" else 6
    return (PREFIX[level] + text.str.zfill(width)).astype("string")


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a grenswijzigen matrix (R data, .rda).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    name, m = _match(raw)
    matrix = _objects(raw)[name]
    if "rownames" in matrix.columns:  # a data frame saved with its row names as a column
        matrix = matrix.set_index("rownames")
    level, kind = m["level"], "dwellings" if m["extra"] else "postcode" if m["postcode"] else "addresses"
    values = _counts(raw, matrix)
    _check_labels(raw, matrix.index, level, "row")
    _check_labels(raw, matrix.columns, "postcode" if kind == "postcode" else level, "column")
    rows, cols = np.nonzero(np.nan_to_num(values))
    to_codes = _codes(matrix.index, level)
    from_codes = _codes(matrix.columns, None if kind == "postcode" else level)
    frame = pd.DataFrame(
        {
            "from_code": from_codes.to_numpy()[cols],
            "to_code": to_codes.to_numpy()[rows],
            "addresses": values[rows, cols].astype("int64"),
        }
    )
    frame.insert(0, "level", level)
    frame.insert(1, "from_division", int(m["source"]))
    frame.insert(2, "to_division", int(m["target"]))
    frame.insert(3, "kind", kind)
    for col in ("level", "kind", "from_code", "to_code"):
        frame[col] = frame[col].astype("string")
    notes = [
        f"{matrix.shape[1]} {'postcodes' if kind == 'postcode' else 'source areas'} x {matrix.shape[0]} target "
        f"areas, {len(frame)} non-empty cells, {int(frame['addresses'].sum())} addresses"
    ]
    if not len(frame):
        notes.append("an empty matrix: no boundary changed between these years")
    return Table(frame, {}, [], notes=notes)
