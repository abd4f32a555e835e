"""The grenswijzigen boundary-change matrices (readers/crosswalk.py): a good matrix reads; impossible counts, labels
or content, missing row names, and R data nested too deep are refused."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws

from helpers import one_line, run_cli_in_a_process

GEMEENTE_2020_2022 = "grenswijziging_gemeente_van_2020_naar_2022"


def matrix(path, name=GEMEENTE_2020_2022, cells=((10, 0), (5, 20)), rows=("14", "34"), columns=("14", "1680")):
    pyreadr = pytest.importorskip("pyreadr")
    frame = pd.DataFrame([list(r) for r in cells], index=list(rows), columns=list(columns))
    pyreadr.write_rdata(str(path), frame, df_name=name)
    return path


def test_a_good_matrix_reads(tmp_path, fresh_cache):
    table = ws.read_file(matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda"))
    assert sorted(table["addresses"]) == [5, 10, 20] and set(table["to_code"]) == {"GM0014", "GM0034"}


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"cells": ((10, -5), (5, 20))}, "1 negative (e.g. -5)"),
        ({"cells": ((10.4, 0), (5, 2.7))}, "2 not whole (e.g. 10.4)"),
        ({"cells": ((np.inf, 0), (5, 20))}, "1 not finite (e.g. inf)"),
        ({"cells": ((1e20, 0), (5, 20))}, "1 above 100,000,000"),
        ({"cells": (("abc", "0"), ("5", "20"))}, "address counts that are not numbers (e.g. 'abc')"),
        ({"rows": ("../../etc", "34")}, "1 row label(s) that are not gemeente codes (e.g. '../../etc')"),
        ({"columns": ("14", "123456")}, "1 column label(s) that are not gemeente codes (e.g. '123456')"),
        ({"name": "grenswijziging_wijk_van_2020_naar_2022"}, "holds wijk 2020-2022, expected gemeente 2020-2022"),
        ({"name": "grenswijziging_gemeente_van_2016_naar_2022"}, "holds gemeente 2016-2022, expected gemeente 2020"),
    ],
)
def test_a_matrix_with_impossible_counts_labels_or_content_is_refused(tmp_path, fresh_cache, kwargs, fragment):
    path = matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda", **kwargs)
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, f"{GEMEENTE_2020_2022}.rda: ", fragment)


def _nested_rdata(depth: int) -> bytes:
    """R data (XDR, as ``save`` writes it) holding one object: a list nested ``depth`` deep."""
    import struct

    def word(n):
        return struct.pack(">i", n)

    def charsxp(text):
        return word(0x00040009) + word(len(text)) + text

    out = b"RDX3\nX\n" + word(3) + word(0x040300) + word(0x030500) + word(5) + b"UTF-8"
    out += word(0x402) + word(1) + charsxp(b"grenswijziging_gemeente_van_2020_naar_2022")  # the pairlist's tag
    out += (word(19) + word(1)) * depth + word(254)  # VECSXP of length 1, ... , NULL
    return out + word(254)  # the end of the pairlist


def test_r_data_nested_too_deep_is_refused_before_the_r_reader_sees_it(tmp_path):
    path = tmp_path / "grenswijziging_gemeente_van_2020_naar_2022.rda"
    path.write_bytes(gzip.compress(_nested_rdata(20_000)))
    assert path.stat().st_size < 2000
    done = run_cli_in_a_process("data", "inspect", path)
    assert done.returncode == 1, (done.returncode, done.stderr[-300:])  # not -11, a segmentation fault
    assert done.stderr.strip() == (
        "wijkstudie: error: grenswijziging_gemeente_van_2020_naar_2022.rda: R data nested more than 200 levels deep "
        "(lists within lists), which no matrix needs: refused before it is parsed"
    )


def test_the_walk_of_r_data_measures_the_nesting_it_is_given():
    import io

    from wijkstudie.data.readers.rawfile import rdata_depth

    assert rdata_depth(io.BytesIO(_nested_rdata(5)), 200) == 7  # the pairlist, its tag's level, 5 lists, NULL
    assert rdata_depth(io.BytesIO(_nested_rdata(300)), 200) == 201  # stops once past the limit


def test_a_real_grenswijzigen_matrix_passes_the_walk(tmp_path, fresh_cache):
    table = ws.read_file(matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda"))
    assert sorted(table["addresses"]) == [5, 10, 20]


def test_a_matrix_saved_without_row_names_is_refused(tmp_path, fresh_cache):
    path = matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda", rows=("1", "2"))  # R's row numbers, read as GM0001, GM0002
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, f"{GEMEENTE_2020_2022}.rda: its 2 row labels are R's row numbers 1-2, not gemeente codes")
