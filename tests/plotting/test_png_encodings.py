"""PNG encodings kept: the same bytes with and without the cache, never the encoding of other pixels or options."""

import io

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
import PIL.PngImagePlugin
import pytest
from shapely.geometry import Point

import wijkstudie as ws
from wijkstudie.plotting import png_encodings, save_figure
from wijkstudie.plotting.png_encodings import encoding_identity, kept_png_encodings


@pytest.fixture
def encoded(monkeypatch):
    """Pillow's own PNG saver, counting the images it encodes (the cache wraps what is in place when entered)."""
    calls = []
    real = PIL.Image.SAVE["PNG"]

    def save(im, fp, filename, *args, **kwargs):
        calls.append(im.size)
        return real(im, fp, filename, *args, **kwargs)

    monkeypatch.setitem(PIL.Image.SAVE, "PNG", save)
    return calls


def images():
    rng = np.random.default_rng(5)
    rgba = rng.integers(0, 256, (40, 60, 4), dtype=np.uint8)
    rgba[:20] = [200, 30, 30, 255]  # runs zlib compresses
    palette = PIL.Image.fromarray(rng.integers(0, 4, (30, 30), dtype=np.uint8)).convert("P")
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    return {
        "RGBA": PIL.Image.fromarray(rgba),
        "RGB": PIL.Image.fromarray(rgba[..., :3].copy()),
        "L": PIL.Image.fromarray(rgba[..., 0].copy()),
        "P": palette,
    }


def png(image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="png", **options)
    return buffer.getvalue()


def text_info(text="Matplotlib"):
    info = PIL.PngImagePlugin.PngInfo()
    info.add_text("Software", text)
    return info


@pytest.mark.parametrize("mode", ["RGBA", "RGB", "L", "P"])
def test_an_image_encodes_to_the_same_bytes_with_the_cache_cold_and_warm(fresh_cache, encoded, mode):
    image = images()[mode]
    plain = png(image, dpi=(300, 300), pnginfo=text_info())
    with kept_png_encodings() as caching:
        assert caching
        cold = png(image, dpi=(300, 300), pnginfo=text_info())
        warm = png(image, dpi=(300, 300), pnginfo=text_info())
    assert plain == cold == warm
    assert len(encoded) == 2  # without the cache, and once for the cache: the third read back
    assert len(list((fresh_cache / "png").glob("*.png-entry"))) == 1


def test_other_pixels_palette_or_options_are_encoded_again_not_served(fresh_cache, encoded):
    image = images()["RGBA"]
    other = image.copy()
    other.putpixel((59, 39), (1, 2, 3, 4))  # one pixel
    palette = images()["P"]
    recoloured = palette.copy()
    recoloured.putpalette([9, 9, 9, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    cases = [
        (image, {}),
        (other, {}),
        (image, {"dpi": (200, 200)}),
        (image, {"pnginfo": text_info()}),
        (image, {"pnginfo": text_info("Other")}),
        (palette, {}),
        (recoloured, {}),
    ]
    expected = [png(im, **options) for im, options in cases]
    assert len(set(expected)) == len(cases)
    with kept_png_encodings():
        assert [png(im, **options) for im, options in cases] == expected
        assert [png(im, **options) for im, options in cases] == expected  # now all from the cache
    assert len(encoded) == 2 * len(cases)
    identities = {str(encoding_identity(im.copy())) for im, _ in cases}
    assert len(identities) == 4  # the options are not on a copy; pixels and palettes differ


def test_an_image_with_other_options_or_info_is_encoded_as_always(fresh_cache, encoded):
    image = images()["RGB"]
    with kept_png_encodings():
        for _ in range(2):
            png(image, optimize=True)
            png(image, compress_level=1)
        with_info = image.copy()
        with_info.info["transparency"] = (0, 0, 0)
        png(with_info)
    assert len(encoded) == 5 and not (fresh_cache / "png").exists()


@pytest.mark.parametrize("damage", ["flip a byte", "cut short", "another image's entry"])
def test_a_damaged_or_foreign_entry_is_encoded_again_and_replaced(fresh_cache, encoded, damage):
    image, other = images()["RGB"], images()["L"]
    with kept_png_encodings():
        expected = png(image)
        png(other)
    (entry,) = [p for p in (fresh_cache / "png").glob("*.png-entry") if p.read_bytes().endswith(expected)]
    content = entry.read_bytes()
    if damage == "flip a byte":
        entry.write_bytes(content[:-30] + bytes([content[-30] ^ 0xFF]) + content[-29:])
    elif damage == "cut short":
        entry.write_bytes(content[:-5])
    else:
        (foreign,) = [p for p in (fresh_cache / "png").glob("*.png-entry") if p != entry]
        entry.write_bytes(foreign.read_bytes())
    calls = len(encoded)
    with kept_png_encodings():
        assert png(image) == expected
    assert len(encoded) == calls + 1 and entry.read_bytes() == content


def test_the_saver_is_replaced_only_while_the_block_runs(monkeypatch):
    before = PIL.Image.SAVE["PNG"]
    with kept_png_encodings():
        assert PIL.Image.SAVE["PNG"] is not before
    assert PIL.Image.SAVE["PNG"] is before
    monkeypatch.setitem(PIL.Image.SAVE, "PNG", lambda image, stream: None)  # a saver of another shape
    assert not png_encodings.caching_possible()
    with kept_png_encodings() as caching:
        assert not caching


def test_a_map_figure_saves_byte_identical_files_with_the_cache_cold_and_warm(tmp_path, fresh_cache, monkeypatch):
    areas = gpd.GeoDataFrame(
        {"pct_volunteering": [float(i % 37) for i in range(400)]},
        geometry=[Point(i % 20, i // 20).buffer(0.45, 16) for i in range(400)],
        crs=28992,
    )

    def saved(folder):
        fig = ws.map_figure(areas, "pct_volunteering")  # rasterized polygons: images in the SVG and PDF
        paths = save_figure(fig, "map", source="CBS", folder=tmp_path / folder)
        plt.close(fig)
        return [p.read_bytes() for p in paths]

    with monkeypatch.context() as patch:
        patch.setitem(PIL.Image.SAVE, "PNG", PIL.Image.SAVE["PNG"])
        patch.setattr(png_encodings, "caching_possible", lambda: False)
        plain = saved("plain")
    assert not (fresh_cache / "png").exists()
    cold = saved("cold")
    entries = len(list((fresh_cache / "png").glob("*.png-entry")))
    assert entries >= 3  # the PNG, the image in the SVG, the image (and its mask) in the PDF
    warm = saved("warm")
    assert plain == cold == warm
    assert b"<image" in plain[1] and len(list((fresh_cache / "png").glob("*.png-entry"))) == entries


@pytest.mark.parametrize("library", ["zlib_version", "zlib_ng_version"])
def test_an_encoding_is_keyed_on_the_zlib_pillow_encodes_with(monkeypatch, library):
    # Pillow's wheels bundle their own zlib (zlib-ng): Python's zlib module is another library, which decides nothing
    image = images()["RGB"]
    before = encoding_identity(image)
    monkeypatch.setattr(PIL.Image.core, library, "0.0.0-another-build", raising=False)
    assert encoding_identity(image) != before
