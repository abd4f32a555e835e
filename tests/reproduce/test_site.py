"""The report site at a glance (issue 18, points 4 and 5): the front page opens with one compact verdict table and
writes the verdict rule; the data and the files come after the findings; each notebook page's banner says what
kind of data that notebook recorded (real, synthetic or both, per finding) and its finding cards come first;
Markdown is rendered, long text wraps, citations list every year and file; no machine path on any page."""

from __future__ import annotations

import json
import re
import warnings

import nbformat
import pytest

from wijkstudie.data.reports import WijkstudieWarning
from wijkstudie.reproduce import site, statements
from wijkstudie.reproduce.notebook_cache import Run
from wijkstudie.study import scorecard as sc

from helpers import EVIL, REPO, executed_notebook, finding_test, live_markup, run_of


def executed(path, text="print('hi')"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(text)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A site of three notebooks: 02 recorded real tests, 07 synthetic method checks only, 08 both."""
    monkeypatch.setattr(statements, "project_dir", lambda: tmp_path / "checkout")
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
    index = site.build(
        build / "site", runs, table, statement, banner, False, tmp_path / "figures", verdicts=sc.verdict_records(tests)
    )
    return index.parent, tmp_path


def page(folder, name):
    return (folder / name).read_text(encoding="utf-8")


def test_the_front_page_opens_with_one_sentence_then_one_compact_verdict_table(built):
    folder, _ = built
    index = page(folder, "index.html")
    main = index.split("<main>", 1)[1]
    assert re.match(r'<h1>[^<]*</h1><p class="summary" id="summary">[^<]*<a[^>]*>[^<]*</a>[^<]*</p>'
                    r'<table class="glance">', main), main[:300]  # fmt: skip
    summary = re.sub(r"<[^>]+>", "", main.split('id="summary">', 1)[1].split("</p>", 1)[0])
    # F3 is supported in the cities; F1 and F5 have no counted sample; the notebooks of the four others did not run
    assert summary.startswith(
        "Of 7 claims: 1 supported, 0 contradicted, 0 inconclusive, 2 not testable with these data and 4 not run in "
        "this build."
    ), summary
    glance = main.split('<table class="glance">', 1)[1].split("</table>", 1)[0]
    for key in ("F1", "F2", "F3", "F4", "F5", "F6", "Vreewijk"):
        assert f"<td>{key}</td>" in glance and f'href="#finding-{key}"' in glance, key
    words = re.sub(r"<[^>]+>", "", glance)
    assert "1 counted sample (direct survey)" in words and "sample(s)" not in index
    assert "not counted: 1 method check" in words  # what does not count is named, with a correct plural
    assert index.index('class="glance"') < index.index('id="rules"') < index.index('id="finding-F1"')
    assert index.index('id="finding-F1"') < index.index('id="data"')  # the data section comes after the findings
    details = main.split('id="finding-F3"', 1)[1].split("<h3", 1)[0]
    assert "<details><summary>1 test of F3</summary>" in details  # the per-test table is collapsed
    assert '<span class="num">71</span> wijken' in details  # n with its unit, on one line


def test_verdicts_are_badges_with_colour_and_words_and_other_choices_stand_apart(built):
    folder, _ = built
    glance = page(folder, "index.html").split('<table class="glance">', 1)[1].split("</table>", 1)[0]
    f3 = glance.split("<td>F3</td>", 1)[1].split("</tr>", 1)[0]
    assert re.search(
        r'<span class="badge v-supported" title="supported"><span class="sign" aria-hidden="true">✓</span> '
        r'<span class="scope">city wijken</span> <b>supported</b></span>', f3
    ), f3  # fmt: skip
    f1 = glance.split("<td>F1</td>", 1)[1].split("</tr>", 1)[0]
    assert 'class="badge v-nottestable"' in f1 and '<span class="note">no survey microdata here' in f1
    f6 = glance.split("<td>F6</td>", 1)[1].split("</tr>", 1)[0]  # its notebook did not run: said, not a verdict
    assert "<b>not run in this build (notebooks 09_plans_and_confidence, 12_plans_area_level)</b>" in f6
    records = [
        {"finding": "F2", "claim": "c", "specification": "declared", "primary": True, "scope": "cities",
         "verdict": "inconclusive", "notes": []},
        {"finding": "F2", "claim": "c", "specification": "on all areas", "primary": False, "scope": "cities",
         "verdict": "contradicted", "notes": []},
    ]  # fmt: skip
    html = site._verdict_html("F2", records, "")
    badges, other = html.split('<div class="other">')
    assert "inconclusive" in badges and "contradicted" not in badges  # never two verdict words in one phrase
    assert other.startswith("other choices of primary specification (not the verdict): on all areas → cities")
    assert "badge" not in other


def test_counts_have_correct_plurals():
    assert [site.plural(n, "sample") for n in (0, 1, 2)] == ["0 samples", "1 sample", "2 samples"]
    assert site.plural(3, "method check") == "3 method checks" and site.plural(1_200, "wijk", "wijken") == (
        "1,200 wijken"
    )


def test_no_css_breaks_words_and_numbers_stay_whole(built):
    folder, _ = built
    index = page(folder, "index.html")
    style = index.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "break-all" not in style and "overflow-wrap:anywhere}" not in style.split("code{")[0]
    assert ".num{white-space:nowrap}" in style
    assert site._numbers("n 3,196 and +0.28 [+0.10, +0.50]") == (
        'n <span class="num">3,196</span> and <span class="num">+0.28</span> <span class="num">[+0.10, +0.50]</span>'
    )


def test_the_verdict_rule_is_the_one_findings_yaml_writes(built):
    from wijkstudie.study.findings import registry

    folder, _ = built
    rules = page(folder, "index.html").split('id="rules"', 1)[1].split("<h2>", 1)[0]
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", rules))
    for name, text in registry().items():
        if name.endswith("_rule"):
            assert " ".join(text.split())[:200] in plain, name
    assert "<strong>Verdict rule.</strong>" in rules and "<details>" in rules  # collapsed under the summary
    assert "*" not in plain  # no literal Markdown
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert statements.readme_rules(readme) == readme  # the README shows the rules as findings.yaml writes them
    assert not hasattr(site, "VERDICT_RULE")  # no second, typed statement of the rule


def test_the_data_section_lists_the_files_and_renders_markdown(built):
    folder, _ = built
    index = page(folder, "index.html")
    data = index.split('id="data"', 1)[1]
    assert "<code>make reproduce</code>" in data and "`" not in re.sub(r"<[^>]+>", "", index)  # no literal backticks
    assert "<li>kwb-2022.xlsx</li>" in data and "<li>RIVM_2020.xlsx</li>" in data


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
    assert banner.group(2).startswith("This notebook: ") and "Produced" not in banner.group(2)  # it says one thing
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


def test_pages_from_the_kept_converter_are_those_of_a_fresh_one_and_threads_do_not_share_it(tmp_path):
    import threading

    from nbconvert import HTMLExporter

    pages = []
    for i, (heading, value) in enumerate([("Question", "0.25"), ("What we found", "<b>12</b>")]):
        nb = nbformat.v4.new_notebook()
        code = nbformat.v4.new_code_cell("x", execution_count=1)
        code.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=f"estimate {value}\n"),
            nbformat.v4.new_output(
                "execute_result", {"text/html": f"<table><tr><td>{value}</td></tr></table>"}, execution_count=1
            ),
        ]
        nb.cells = [nbformat.v4.new_markdown_cell(f"## {heading}\n\n*{i}* of two"), code]
        path = tmp_path / "nb" / f"0{i}_x.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        pages.append((path, nb))
    cache = tmp_path / "cache"
    for path, _ in pages:
        site._body_html(path, cache)  # one converter, kept, for both
    kept = sorted(p.read_text(encoding="utf-8").split("\n", 1)[1] for p in cache.glob("*.html"))
    fresh = [HTMLExporter(template_name="basic").from_notebook_node(nb)[0] for _, nb in pages]
    assert kept == sorted(fresh) and "What we found" in fresh[1] and "estimate 0.25" in fresh[0]
    mine = site._exporter()
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(site._exporter()))
    thread.start()
    thread.join()
    assert site._exporter() is mine and theirs[0] is not mine


def test_make_site_builds_only_from_the_last_complete_run_and_says_so(tmp_path, monkeypatch, capsys):
    from wijkstudie import study

    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setattr(statements, "project_dir", lambda: tmp_path / "checkout")
    study.record("F3", [finding_test("F3", "real F3 test", notebook="02_home_ownership")], "02_home_ownership")
    build = tmp_path / "build"
    run = Run("02_home_ownership", "k", executed(build / "notebooks" / "02_home_ownership.ipynb"), 1.0, "2026-12-06")
    site.save_runs(build, [run], "Produced by a test.", "real data", False)  # what a complete run leaves
    assert site.main([str(build)]) == 0
    assert re.match(
        r"site written from the last complete run \(\d{4}-\d\d-\d\d \d\d:\d\d\), 1 notebook: ", capsys.readouterr().out
    )
    # a notebook run outside the main command (an old version, a copy) rewrote a result: never published as the run's
    study.record(
        "F3", [finding_test("F3", "changed", ci=(0.5, 0.9), notebook="02_home_ownership")], "02_home_ownership"
    )
    before = (build / "site" / "index.html").read_bytes()
    assert site.main([str(build)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "are not those of the last complete run" in err
    assert "F3__02_home_ownership.json changed" in err and "run `make reproduce`" in err
    assert (build / "site" / "index.html").read_bytes() == before


def test_every_sources_entry_is_complete_also_for_survey_microdata(tmp_path):
    run = Run(
        "09_plans_and_confidence",
        "k",
        tmp_path / "x.ipynb",
        1.0,
        "2026-12-06",
        datasets=[["synthetic survey", 2021], ["kwb", 2022]],
        files=[["synthetic survey", 2021, "survey.csv"], ["kwb", 2022, "kwb-2022.xlsx"]],
    )
    html = site._sources([run])
    entries = re.split(r"(?=<h3 )", html.split("<h2>This package</h2>")[0])[1:]
    assert len(entries) == 2
    for entry in entries:
        text = re.sub(r"<[^>]+>", "", entry)
        assert re.search(r"[Yy]ears used: 20\d\d", text) and (".csv" in text or ".xlsx" in text), text
        assert re.search(r"[Ll]icence", text), text
    survey = next(e for e in entries if 'id="synthetic survey"' in e)
    assert "Survey microdata" in survey and "files used: survey.csv" in survey and "synthetic world" in survey


EVIL_OUTPUTS = [
    {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": '<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a>'
        },
    },
    {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": EVIL}},
    {"output_type": "stream", "name": "stdout", "text": "<script>alert(4)</script>\n"},
]


def test_notebook_outputs_on_the_site_cannot_run_code(tmp_path):
    executed = executed_notebook(tmp_path / "build" / "notebooks" / "02_x.ipynb", EVIL_OUTPUTS)
    table = sc.scorecard([finding_test(sample=EVIL, scope=EVIL, notebook="02_x")])
    index = site.build(tmp_path / "build" / "site", [run_of("02_x", executed)], table, EVIL, EVIL, False, tmp_path)
    page = (index.parent / "notebooks" / "02_x.html").read_text(encoding="utf-8")
    assert "hello" in page or "A notebook" in page
    for path in index.parent.rglob("*.html"):
        assert not live_markup(path.read_text(encoding="utf-8")), (path, live_markup(path.read_text()))


def test_a_notebook_name_with_a_quote_puts_no_attribute_into_the_pages(tmp_path):
    name = '02_x" onmouseover="alert(1)'
    executed = executed_notebook(tmp_path / "build" / "notebooks" / "02_x.ipynb", [])
    table = sc.scorecard([finding_test(notebook=name)])
    index = site.build(tmp_path / "build" / "site", [run_of(name, executed)], table, "s", "b", False, tmp_path)
    for path in index.parent.rglob("*.html"):
        assert not live_markup(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("name", ["../../../page", "a/b", "..", "/abs", "x\\y"])
def test_runs_json_cannot_put_a_page_outside_the_site(tmp_path, monkeypatch, name, capsys):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    build = tmp_path / "deep" / "build"
    executed = executed_notebook(build / "notebooks" / "02_x.ipynb", [])
    payload = {"statement": "s", "banner": "b", "synthetic": False, "runs": [run_of(name, executed).to_json()]}
    build.mkdir(parents=True, exist_ok=True)
    (build / "runs.json").write_text(json.dumps(payload))
    assert site.main([str(build)]) == 1
    assert "runs.json" in capsys.readouterr().err
    made = {p for p in tmp_path.rglob("*.html")}
    assert all(p.is_relative_to(build / "site") for p in made), made
