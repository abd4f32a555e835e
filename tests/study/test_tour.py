"""The tour of the data (notebook 00): its computed sentences."""

import pandas as pd

import wijkstudie as ws
from wijkstudie import study


def test_files_not_here_counts_per_dataset():
    coverage = pd.DataFrame({"dataset": ["kwb", "kwb", "cbs-wijken", "kwb"], "available": [False, True, False, False]})
    assert study.files_not_here(coverage) == "3 more files in the catalogue are not here: 2 kwb, 1 cbs-wijken"
    assert study.files_not_here(coverage.assign(available=True)) == "Every file of the catalogue is here."


def test_tour_sentences_are_computed_from_the_tables(mirror):
    rivm = pd.DataFrame({"level": ["land", "gemeente"], "pct_volunteering": [28.04, 30.0]})
    on_map = pd.DataFrame({"region_name": ["Aa", "Bb", "Cc"], "pct_volunteering": [30.0, None, 25.0]})
    matches = pd.DataFrame(
        [
            {
                "comparison": study.tour.KWB_X_RIVM,
                "level": "buurt",
                "matched": 9,
                "share_of_left_matched": 0.9,
                "only_left": 1,
            }
        ]
    )
    moves = pd.DataFrame(
        [
            {
                "merged": 4,
                "split": 1,
                "moved_share": 0.021,
                "unchanged": 0,
                "source_areas": 0,
                "recoded": 0,
                "unmapped": 0,
            },
            {
                "merged": 7,
                "split": 2,
                "moved_share": 0.0,
                "unchanged": 90,
                "source_areas": 100,
                "recoded": 1,
                "unmapped": 3,
            },
        ],
        index=["gemeente", "wijk"],
    )
    rotterdam = ws.load("rotterdam-wijkprofiel", year=2016)
    sentences = study.tour_sentences(rivm=rivm, on_map=on_map, matches=matches, moves=moves, rotterdam=rotterdam)
    assert sentences[0] == "RIVM estimates that 28.0 % of adults in the Netherlands did volunteer work in 2020."
    assert sentences[1].startswith("2 of 3 gemeenten of 2022 have a 2020 figure; 1 have none: Bb. Between")
    assert "4 gemeenten were formed by mergers and 1 was split up; 2.1 % of the addresses" in sentences[1]
    assert sentences[2].startswith("Wijken: 90 of 100 wijken of 2020 are unchanged in 2022, 1 took a new code")
    assert sentences[3].startswith("9 KWB 2017 buurten match a RIVM 2020 buurt by code (90%); 1 do not")
    linked = [w for w in map(str, ws.report(rotterdam).warnings) if w.startswith("linked")]
    assert (sentences[4] == "Rotterdam: " + "; ".join(linked) + ".") if linked else len(sentences) == 4
