"""The checks of the loading functions' arguments (data/arguments.py): a wrong argument is one line; a yes/no flag
given anything but True or False is refused, not taken as true."""

from __future__ import annotations

import pytest

import wijkstudie as ws

from helpers import FIXTURES, one_line


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: ws.load(None), "a dataset name is a text such as 'kwb', not None"),
        (lambda: ws.load(5), "not 5"),
        (lambda: ws.load("kwb", year="twenty"), "year must be a whole number"),
        (lambda: ws.load("kwb", year=2020.5), "year must be a whole number"),
        (lambda: ws.load("kwb", year=2017, level=3), "no level 3"),
        (lambda: ws.load("kwb", year=2017, source_format=5), "kwb: no source_format 5 for 2017; available: workbook"),
        (lambda: ws.load("kwb", year=2017, age_group="18+"), "kwb: load takes no age_group= (its files differ by"),
        (lambda: ws.load("grenswijzigen", year=2024), "grenswijzigen: not read with load(); use wijkstudie.crosswalk"),
        (lambda: ws.load("kwb-codebook", level="wijk"), "no level 'wijk'"),
        (lambda: ws.read_file(None), "read_file: give the path of a file, not None"),
        (lambda: ws.read_file(""), "read_file: give the path of a file"),
        (lambda: ws.read_file(FIXTURES / "empty.csv", year="x"), "year must be a whole number"),
    ],
)
def test_wrong_arguments_give_one_line(call, fragment, fresh_cache):
    with pytest.raises(ws.WijkstudieError) as exc:
        call()
    one_line(exc, fragment)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: ws.load("kwb", year=2017, refresh="no"), "refresh must be True or False, not 'no'"),
        (lambda: ws.load("kwb", year=2017, all_columns=1), "all_columns must be True or False, not 1"),
        (lambda: ws.read_file(FIXTURES / "empty.csv", refresh="no"), "refresh must be True or False, not 'no'"),
        (lambda: ws.read_file(FIXTURES / "empty.csv", use_cache=None), "use_cache must be True or False, not None"),
    ],
)
def test_a_yes_no_argument_given_a_text_is_refused_not_taken_as_true(call, fragment, fresh_cache):
    with pytest.raises(ws.ArgumentTypeError) as exc:
        call()
    one_line(exc, fragment)
