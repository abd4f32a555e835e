"""PDF font subsets made once and kept: the same PDF bytes with and without the cache, never the wrong subset."""

import shutil

import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager
from matplotlib.backends import _backend_pdf_ps

from wijkstudie.plotting import font_subsets, save_figure
from wijkstudie.plotting.font_subsets import cached_font_subsets, subset_key


@pytest.fixture(autouse=True)
def nothing_in_memory():
    font_subsets.forget_in_memory()
    yield
    font_subsets.forget_in_memory()


@pytest.fixture
def counted(monkeypatch):
    """matplotlib's own subsetting, counting its calls (the cache wraps whatever is in place when it is entered)."""
    calls = []
    real = _backend_pdf_ps.get_glyphs_subset

    def get_glyphs_subset(fontfile, glyphs):
        calls.append(sorted(glyphs))
        return real(fontfile, glyphs)

    monkeypatch.setattr(_backend_pdf_ps, "get_glyphs_subset", get_glyphs_subset)
    return calls


def dejavu(bold=False) -> str:
    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"))


def made(fontfile, glyphs):
    """The subset matplotlib makes: its bytes and glyph map."""
    with _backend_pdf_ps.get_glyphs_subset(fontfile, glyphs) as subset:
        return _backend_pdf_ps.font_as_file(subset.font).getvalue(), dict(subset.glyph_index_map)


def served(fontfile, glyphs):
    with cached_font_subsets() as caching:
        assert caching
        return made(fontfile, glyphs)


def a_figure(title="Vrijwilligerswerk per gemeente, 2020"):
    fig, ax = plt.subplots(figsize=(6.5, 3))
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_title(title)
    return fig


def test_a_pdf_is_byte_identical_with_and_without_the_cache_cold_warm_and_from_disk(tmp_path, fresh_cache, counted):
    def pdf(folder):
        fig = a_figure()
        (path,) = save_figure(fig, "f", source="CBS", folder=tmp_path / folder, formats=("pdf",))
        plt.close(fig)
        return path.read_bytes()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(font_subsets, "TESTED_MATPLOTLIB", ("0.0.",))  # another matplotlib: the cache stays out
        assert not font_subsets.caching_possible()
        plain = pdf("plain")
    subsets = len(counted)  # one per font (and per run of glyphs matplotlib puts in a subset of its own)
    assert subsets >= 1
    cold = pdf("cold")  # made by matplotlib, kept in memory and on disk
    assert len(counted) == 2 * subsets and len(list((fresh_cache / "fonts").glob("*.subset"))) == subsets
    warm = pdf("warm")  # from memory
    font_subsets.forget_in_memory()
    disk = pdf("disk")  # from disk
    assert len(counted) == 2 * subsets  # neither made again
    assert plain == cold == warm == disk


def test_the_cache_is_put_in_place_only_while_saving(counted):
    before = _backend_pdf_ps.get_glyphs_subset
    with cached_font_subsets():
        assert _backend_pdf_ps.get_glyphs_subset is not before
    assert _backend_pdf_ps.get_glyphs_subset is before


def test_another_glyph_set_is_another_subset(fresh_cache, counted):
    font = font_manager.FontPath(dejavu(), 0)
    few, more = [36, 37, 38], [36, 37, 38, 70, 71]
    assert subset_key(font, few)[0] != subset_key(font, more)[0]
    assert subset_key(font, few)[0] == subset_key(font, reversed(few))[0]  # a set: order does not matter
    assert served(font, few) == made(font, few)
    assert served(font, more) == made(font, more)  # not the subset of the first set
    assert served(font, more)[0] != served(font, few)[0]


def test_a_changed_font_file_is_subset_again(tmp_path, fresh_cache, counted):
    path = tmp_path / "font.ttf"
    shutil.copyfile(dejavu(), path)
    font = font_manager.FontPath(str(path), 0)
    glyphs = [36, 37, 38, 70]
    regular = served(font, glyphs)
    key = subset_key(font, glyphs)[0]
    path.write_bytes(open(dejavu(bold=True), "rb").read())  # another font at the same path
    assert subset_key(font, glyphs)[0] != key
    bold = served(font, glyphs)
    assert bold != regular and bold == made(font, glyphs)


@pytest.mark.parametrize("damage", ["flip a font byte", "cut short", "another key's entry", "not json"])
def test_a_damaged_or_foreign_entry_is_made_again_and_replaced_not_served(fresh_cache, counted, damage):
    font = font_manager.FontPath(dejavu(), 0)
    glyphs, other = [36, 37, 38], [40, 41]
    expected = served(font, glyphs)
    served(font, other)
    key = subset_key(font, glyphs)[0]
    entry = fresh_cache / "fonts" / f"{key}.subset"
    content = entry.read_bytes()
    if damage == "flip a font byte":
        entry.write_bytes(content[:-100] + bytes([content[-100] ^ 0xFF]) + content[-99:])
    elif damage == "cut short":
        entry.write_bytes(content[:-10])
    elif damage == "another key's entry":
        entry.write_bytes((fresh_cache / "fonts" / f"{subset_key(font, other)[0]}.subset").read_bytes())
    else:
        entry.write_bytes(b"{not json\n" + content.partition(b"\n")[2])
    font_subsets.forget_in_memory()
    calls = len(counted)
    assert served(font, glyphs) == expected
    assert len(counted) == calls + 1  # made again
    assert entry.read_bytes() == content  # and the entry written whole again


def test_with_an_untested_matplotlib_nothing_is_replaced(monkeypatch):
    monkeypatch.setattr(font_subsets, "TESTED_MATPLOTLIB", ("0.0.",))
    before = _backend_pdf_ps.get_glyphs_subset
    with cached_font_subsets() as caching:
        assert not caching and _backend_pdf_ps.get_glyphs_subset is before


def test_a_function_of_another_signature_is_not_replaced(monkeypatch):
    monkeypatch.setattr(_backend_pdf_ps, "get_glyphs_subset", lambda fontfile, characters, options=None: None)
    assert not font_subsets.caching_possible()
