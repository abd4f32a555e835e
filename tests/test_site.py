"""The report site at a glance (issue 18, points 4 and 5): the front page opens with one compact verdict table and
writes the verdict rule; the data and the files come after the findings; each notebook page's banner says what
kind of data that notebook recorded (real, synthetic or both, per finding) and its finding cards come first;
Markdown is rendered, long text wraps, citations list every year and file; no machine path on any page."""

from __future__ import annotations

import re
import warnings

import nbformat
import pytest

from wijkstudie.data.reports import WijkstudieWarning
from wijkstudie.reproduce import site, statements
from wijkstudie.reproduce.notebook_cache import Run
from wijkstudie.study import scorecard as sc

from helpers import finding_test


def executed(path, text="print('hi')"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(text)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A site of three notebooks: 02 recorded real tests, 07 synthetic method checks only, 08 both."""
    monkeypatch.setattr(statements, "checkout_dir", lambda: tmp_path / "checkout")
    tests = [
        finding_test("F3", "real F3 test", notebook="02_home_ownership", files=["kwb-2022.xlsx"]),
        finding_test("F1", "synthetic F1 check", kind="synthetic", notebook="07_residence_individual"),
        finding_test("F5", "real F5 test", notebook="08_livability_groups", files=["RIVM_2020.xlsx"]),
        finding_test("F5", "synthetic F5 check", kind="synthetic", notebook="08_livability_groups"),
    ]
    table = sc.scorecard(tests)
    mirror = tmp_path / "far" / "away" / "mirror"
    statement = statements.data_statement("real", mirror, when="2026-11-30")
    banner = statements.data_statement("real", mirror, when="2026-11-30", files=False)
    data = statements.run_data("real", mirror, "2026-11-30")
    build = tmp_path / "build"
    runs = [
        Run(
            name,
            "k",
            executed(build / "notebooks" / f"{name}.ipynb"),
            1.0,
            "2026-11-30 10:00",
            data=data,
            datasets=[["kwb", 2022]],
            files=[["kwb", 2022, "kwb-2022.xlsx"], ["kwb", 2017, "indicators_buurt_wijk_gemeente.csv"]],
        )
        for name in ("02_home_ownership", "07_residence_individual", "08_livability_groups")
    ]
    index = site.build(build / "site", runs, table, statement, banner, False, tmp_path / "figures")
    return index.parent, tmp_path


def page(folder, name):
    return (folder / name).read_text(encoding="utf-8")


def test_the_front_page_opens_with_one_compact_verdict_table(built):
    folder, _ = built
    index = page(folder, "index.html")
    main = index.split("<main>", 1)[1]
    assert re.match(r"<h1>[^<]*</h1><table class=\"glance\">", main), main[:200]
    glance = main.split('<table class="glance">', 1)[1].split("</table>", 1)[0]
    for key in ("F1", "F2", "F3", "F4", "F5", "F6", "Vreewijk"):
        assert f"<td>{key}</td>" in glance and f'href="#finding-{key}"' in glance, key
    assert "counted sample(s): rotterdam-wijkprofiel" in glance and "(direct survey)" in glance
    assert "supports, +0.30 [+0.10, +0.50]" in glance  # each counted sample's estimate, not only its verdict word
    assert "method check" in glance  # what does not count is named with the scorecard's words
    assert index.index('class="glance"') < index.index('id="rules"') < index.index('id="finding-F1"')
    assert index.index('id="finding-F1"') < index.index('id="data"')  # the data section comes after the findings


def test_the_verdict_rule_is_written_on_the_page(built):
    folder, _ = built
    rules = page(folder, "index.html").split('id="rules"', 1)[1].split("<h2>", 1)[0]
    assert "only independent direct evidence counts" in rules and "<strong>Verdict rule.</strong>" in rules
    assert "<em>supported</em>" in rules and "*" not in re.sub(r"<[^>]+>", "", rules)  # no literal Markdown
    assert "findings.yaml" not in rules.split("The rules in full")[0]


def test_the_data_section_lists_the_files_and_renders_markdown(built):
    folder, _ = built
    index = page(folder, "index.html")
    data = index.split('id="data"', 1)[1]
    assert "<code>make reproduce</code>" in data and "`" not in re.sub(r"<[^>]+>", "", index)  # no literal backticks
    assert "<li>kwb-2022.xlsx</li>" in data and "<li>RIVM_2020.xlsx</li>" in data
    assert "overflow-wrap:anywhere" in index  # long URLs and names wrap


@pytest.mark.parametrize(
    "name, css, words",
    [
        ("02_home_ownership", "data", ["real data: F3"]),
        ("07_residence_individual", "data synthetic", ["SYNTHETIC data: F1"]),
        ("08_livability_groups", "data mixed", ["real data: F5", "SYNTHETIC data: F5"]),
    ],
)
def test_each_notebook_banner_says_what_that_notebook_recorded(built, name, css, words):
    folder, _ = built
    text = page(folder, f"notebooks/{name}.html")
    banner = re.search(r'<div class="([^"]*)" id="data-kind">(.*?)</div>', text)
    assert banner.group(1) == css, banner.group(0)
    for word in words:
        assert word in banner.group(2), banner.group(2)
        assert word in text.split("</h1>", 1)[1].split("</p>", 1)[0]  # the line under the title says the same
    front = page(folder, "index.html").split('id="notebooks"', 1)[1]
    assert all(word in front for word in words)  # the front page's list says the same


def test_finding_cards_come_first_on_a_notebook_page_and_wrap(built):
    folder, _ = built
    text = page(folder, "notebooks/08_livability_groups.html")
    assert text.index("Finding cards") < text.index("The notebook")
    cards = text.split("Finding cards", 1)[1].split("The notebook", 1)[0]
    assert "<pre" not in cards and "real F5 test" in cards and "synthetic F5 check" in cards


def test_a_citation_lists_every_year_and_file_used(built):
    folder, _ = built
    sources = page(folder, "sources.html")
    assert "years used: 2017, 2022" in sources
    assert "indicators_buurt_wijk_gemeente.csv" in sources and "kwb-2022.xlsx" in sources
    c = site.citation("kwb", [2017, 2022], ["indicators_buurt_wijk_gemeente.csv", "kwb-2022-gemeenten-wijken.xlsx"])
    assert "(2017, 2022)" in c["citation"] and "83765NED" in c["citation"] and "kwb-2022.xlsx" in c["citation"]
    # the mirror's KWB 2022 is a reconstruction, not CBS's workbook: the citation and the page say so
    # (and its KWB 2017 a subset of the columns of CBS's table): the citation and the page say so
    assert [x.split(":")[0] for x in c["copies"]] == ["kwb 2017", "kwb 2022"] and "KWB 2022 (via tmap)" in c["citation"]
    assert not site.citation("kwb", [2022], ["kwb-2022.xlsx"])["copies"]  # CBS's own file: nothing to add
    assert "Not the publisher's own file:</b> kwb 2017: the file read was a subset of the columns" in sources.replace(
        "&#x27;", "'"
    )


def test_no_page_names_this_machines_paths(built):
    folder, tmp_path = built
    for path in folder.rglob("*.html"):
        assert str(tmp_path) not in page(path.parent, path.name), path
    assert "a local mirror of the publishers&#x27; files" in page(folder, "index.html")


# --- the site stays offline, and its page cache proves what it serves (issue 27) ------------------------------------

REMOTE = [
    '<img src="https://tracker.example/a.png">',
    '<img src="//tracker.example/b.png">',
    '<img src=" HTTP://tracker.example/c.png">',
    '<img src="ht&#x09;tp://tracker.example/d.png">',
    '<img src="/\\tracker.example/e.png">',
    '<img src="a.png" srcset="https://tracker.example/f.png 2x">',
    '<video src="https://tracker.example/g.mp4" poster="https://tracker.example/h.png"></video>',
    '<audio><source src="https://tracker.example/i.ogg"></audio>',
    '<div style="background:url(https://tracker.example/j.png)">x</div>',
    "<style>@import url(https://tracker.example/k.css);</style>",
    '<link rel="stylesheet" href="https://tracker.example/l.css">',
    '<q cite="https://tracker.example/m">q</q>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
]


@pytest.mark.parametrize("markup", REMOTE)
def test_no_remote_url_that_a_browser_fetches_survives_sanitising(markup):
    assert "tracker.example" not in site.sanitise(markup) and "svg" not in site.sanitise(markup)


def test_sanitising_keeps_relative_images_inline_images_and_links():
    kept = site.sanitise(
        '<img src="../figures/map.png"><img src="data:image/png;base64,iVBORw0KGgo=">'
        '<a href="https://www.cbs.nl/">CBS</a>'
    )
    assert 'src="../figures/map.png"' in kept and "data:image/png;base64,iVBORw0KGgo=" in kept
    assert 'href="https://www.cbs.nl/"' in kept


def test_a_tampered_converted_page_is_converted_again_with_a_warning(tmp_path):
    notebook = executed(tmp_path / "nb" / "02_x.ipynb", "print('the real output')")
    cache = tmp_path / "cache" / "pages"
    first = site._body_html(notebook, cache)
    (kept,) = cache.glob("*.html")
    kept.write_text(kept.read_text(encoding="utf-8").replace("print", "planted"), encoding="utf-8")
    with pytest.warns(WijkstudieWarning, match=rf"page cache .*{kept.name}: not used, its HTML is not what was kept"):
        again = site._body_html(notebook, cache)
    assert again == first and "planted" not in again
    other = executed(tmp_path / "nb" / "03_y.ipynb", "print('another notebook')")
    site._body_html(other, cache)
    (other_page,) = [p for p in cache.glob("*.html") if p != kept]
    other_page.replace(kept)  # another notebook's page, sealed, copied over this one's
    with pytest.warns(WijkstudieWarning, match="not used, it names another notebook"):
        assert site._body_html(notebook, cache) == first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert site._body_html(notebook, cache) == first  # kept again, and served quietly
