"""The folders wijkstudie writes into (core/folders.py): a path that cannot be made names the setting and its
variable."""

from __future__ import annotations

import pytest

import wijkstudie as ws

from helpers import one_line


def test_a_figures_folder_under_a_file_names_the_setting(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from wijkstudie.plotting import save_figure

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(blocker / "figures"))
    fig = plt.figure()
    with pytest.raises(ws.WijkstudieError) as exc:
        save_figure(fig, "x", source="Bron: test", data_kind="real")
    plt.close(fig)
    one_line(exc, "WIJKSTUDIE_FIGURES_DIR", str(blocker / "figures"), "a part of the path is a file")
