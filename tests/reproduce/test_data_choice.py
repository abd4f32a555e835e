"""The data kind of a run of the notebooks (reproduce/data_choice.py): the setting where one was given, else real when
real data can be reached and synthetic when not; exported for the kernels."""

import os

import wijkstudie as ws
from wijkstudie.reproduce import data_choice


def test_a_given_setting_is_kept_and_exported(monkeypatch):
    monkeypatch.setattr(data_choice, "real_data_reachable", lambda: True)
    monkeypatch.setenv("WIJKSTUDIE_DATA", "synthetic")
    assert data_choice.choose_data() == "synthetic" and os.environ["WIJKSTUDIE_DATA"] == "synthetic"


def test_without_a_setting_the_data_that_can_be_reached(monkeypatch):
    monkeypatch.delenv("WIJKSTUDIE_DATA", raising=False)
    for reachable, expected in ((True, "real"), (False, "synthetic")):
        monkeypatch.setattr(data_choice, "real_data_reachable", lambda reachable=reachable: reachable)
        with ws.settings.using():
            assert data_choice.choose_data() == expected
        assert os.environ["WIJKSTUDIE_DATA"] == expected
        monkeypatch.delenv("WIJKSTUDIE_DATA")
