"""The ``wijkstudie`` command.

    wijkstudie data list                      the catalogue
    wijkstudie data describe NAME             one dataset
    wijkstudie data fetch NAME [--year Y] [--age-group A | --source-format F | --sheet S | --part P | --level L]
    wijkstudie data fetch --all
    wijkstudie data inspect FILE [--json] [--year Y]   what a file is, and a summary of its content

Problems with the data print one line on standard error (``wijkstudie: error: FILE: problem``) and exit 1;
Ctrl-C prints one line and exits 130.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from .core.errors import ArgumentError, WijkstudieError

INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


def _inspect(args) -> int:
    from .data.reading import read_file
    from .data.reports import report

    frame = read_file(args.file, year=args.year)
    summary = report(frame).to_dict()
    if "year" in frame and frame["year"].nunique() > 1:
        summary["years"] = sorted(int(y) for y in frame["year"].dropna().unique())
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(report(frame))
        if "years" in summary:
            print(f"  years in the file: {', '.join(map(str, summary['years']))}")
    return 0


def _list(args) -> int:
    from .data.catalogue import list_datasets

    table = list_datasets()
    for name, row in table.iterrows():
        print(f"{name:<23} {row['years']:<18} {row['title']}")
    return 0


def _describe(args) -> int:
    from .data.catalogue import describe

    print(describe(args.name))
    return 0


def _fetch(args) -> int:
    from .data.loading import fetch, fetch_all

    if args.all:
        failed = 0
        for label, result in fetch_all().items():
            ok = not isinstance(result, Exception)
            failed += not ok
            print(f"{'ok' if ok else 'FAILED':<7}{label}: {result}")
        return 1 if failed else 0
    if not args.name:
        raise ArgumentError("fetch: give a dataset name or --all")
    if args.variant is not None:
        print(
            "wijkstudie: --variant is deprecated: use --age-group, --source-format, --sheet, --part or --level "
            "(wijkstudie data describe NAME says which)",
            file=sys.stderr,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # said above, in the command's own words
        path = fetch(
            args.name,
            year=args.year,
            age_group=args.age_group,
            source_format=args.source_format,
            sheet=args.sheet,
            part=args.part,
            level=args.level,
            variant=args.variant,
        )
    print(path)
    return 0


def _year(text: str):
    """``--year`` of fetch: a whole number, or ``latest-available``."""
    return text if text.strip().lower() == "latest-available" else int(text)


def build_parser() -> argparse.ArgumentParser:
    """The ``wijkstudie`` command's argument parser (``data list``, ``describe``, ``fetch``, ``inspect``).

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(prog="wijkstudie", description="Dutch neighbourhood data by name.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    top = parser.add_subparsers(dest="command", required=True)
    data = top.add_parser("data", help="the dataset catalogue and data files").add_subparsers(
        dest="action", required=True
    )
    p = data.add_parser("inspect", help="recognise a data file and summarise it")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="one JSON object on standard output")
    p.add_argument("--year", type=int, help="the reference year, for a file whose content and name do not say it")
    p.set_defaults(func=_inspect)
    data.add_parser("list", help="list the datasets").set_defaults(func=_list)
    p = data.add_parser("describe", help="describe one dataset")
    p.add_argument("name")
    p.set_defaults(func=_describe)
    p = data.add_parser("fetch", help="download (or find in the mirror) a dataset's files")
    p.add_argument("name", nargs="?")
    p.add_argument("--year", type=_year, help="a year, or latest-available (default: the catalogue's latest)")
    p.add_argument("--age-group", help="rivm-gezondheid: 18+, 65+ or 18-64")
    p.add_argument("--source-format", help="kwb: workbook or open-data")
    p.add_argument("--sheet", help="rotterdam-wijkprofiel: wijkprofiel or context")
    p.add_argument("--part", help="amsterdam-bbga: data or metadata; kwb-codebook: properties or tableinfo")
    p.add_argument("--level", help="leefbaarometer: wijk or buurt")
    p.add_argument("--variant", help=argparse.SUPPRESS)  # deprecated: the options above
    p.add_argument("--all", action="store_true", help="every resource in the catalogue")
    p.set_defaults(func=_fetch)
    return parser


def main(argv=None) -> int:
    """Run the ``wijkstudie`` command.

    Parameters
    ----------
    argv : list of str, optional
        the arguments (default: the command line's)

    Returns
    -------
    int
        the exit status: 0, 1 for a problem with the data or the arguments (one line on standard error), 2 for a bug
        (one line unless ``--debug``), 130 for Ctrl-C
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's status for an interrupt
        print("wijkstudie: interrupted", file=sys.stderr)
        return INTERRUPTED
    except WijkstudieError as exc:
        if args.debug:
            raise
        print(f"wijkstudie: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input; still one line unless --debug
        if args.debug:
            raise
        print(
            f"wijkstudie: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
