"""The ``wijkstudie`` command (also ``python -m wijkstudie``).

    wijkstudie config                         every setting, its value and where it comes from
    wijkstudie data list                      the catalogue
    wijkstudie data available [NAME ...]      what can be loaded here now: mirror, cache or network
    wijkstudie data describe NAME             one dataset
    wijkstudie data fetch NAME [--year Y] [--age-group A | --source-format F | --sheet S | --part P | --level L |
                                        --table T] [--edition E]
    wijkstudie data fetch --all
    wijkstudie data inspect FILE [--json] [--year Y]   what a file is, and a summary of its content
    wijkstudie reproduce [NOTEBOOK ...] [--force]      run the notebooks, write figures, scorecard and report site
    wijkstudie site                           write the report site again from the last run
    wijkstudie lab                            JupyterLab with these settings
    wijkstudie --version

Every command reads the settings the package reads (``wijkstudie config`` shows them). Problems with the data print
one line on standard error (``wijkstudie: error: FILE: problem``) and exit 1; Ctrl-C prints one line and exits 130.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import warnings

from .core.errors import ArgumentError, MissingDependencyError, WijkstudieError
from .core.printable import terminal_text

INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
BROKEN_PIPE = 141  # 128 + SIGPIPE, what shells report for a command whose reader has gone (``| head``)
PASS_ON = ("reproduce", "lab")  # commands that pass options they do not know on (to the main command, jupyter lab)

SETTINGS_NOTE = (
    "settings: each comes from ws.settings, its environment variable (WIJKSTUDIE_MIRROR, ...) or the project file "
    "(wijkstudie.toml, or [tool.wijkstudie] in pyproject.toml, found from the current folder upwards); "
    "`wijkstudie config` shows them and where they come from."
)


def _epilog(examples: list[str], reads: str) -> str:
    """A command's help after its options: examples, then the settings it reads."""
    lines = (
        ["examples:"] + [f"  {e}" for e in examples] + [""] + textwrap.wrap(f"settings it reads: {reads}.", HELP_WIDTH)
    )
    return "\n".join(lines + textwrap.wrap(SETTINGS_NOTE, HELP_WIDTH))


HELP_WIDTH = 100


def _formatter(prog: str) -> argparse.HelpFormatter:
    """Help as written (examples keep their lines), with room for the command names."""
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=28, width=HELP_WIDTH)


def _text(description: str) -> str:
    """A command's description, wrapped to the help's width."""
    return textwrap.fill(description, HELP_WIDTH)


# --- data -----------------------------------------------------------------------------------------------------


def _inspect(args) -> int:
    from .data.reading import read_file
    from .data.reports import report

    frame = read_file(args.file, year=args.year)
    summary = report(frame).to_dict()
    if "year" in frame and frame["year"].nunique() > 1:
        summary["years"] = sorted(int(y) for y in frame["year"].dropna().unique())
    if "measure" in frame:  # a long table (CBS StatLine): what its rows hold
        summary["long_table"] = _long_table_summary(frame)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(terminal_text(report(frame)))
        if "years" in summary:
            print(f"  years in the file: {', '.join(map(str, summary['years']))}")
        for key, value in summary.get("long_table", {}).items():
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
            print(f"  {key}: {shown}")
    return 0


def _long_table_summary(frame) -> dict:
    """Measures, variables, and the groups or regions of a long table (one row per estimate)."""
    out = {"measures": int(frame["measure"].nunique())}
    if "region_kind" in frame:
        out["regions"] = frame.drop_duplicates("region")["region_kind"].value_counts().astype(int).to_dict()
    if "characteristic" in frame:
        out["groups"] = int(frame["characteristic"].nunique())
        out["categories"] = ", ".join(frame["category"].dropna().unique()) or "-"
    if "lower" in frame:
        out["with 95 % bounds"] = f"{int(frame['lower'].notna().sum()):,} of {len(frame):,} estimates"
    out["variables"] = ", ".join(sorted(frame["variable"].dropna().unique())) or "none in the variable dictionary"
    return out


def table_text(rows: list[list[str]], header: list[str]) -> str:
    """Rows as text columns, each as wide as its widest cell (the last column is not padded).

    Parameters
    ----------
    rows : list of list of str
        the cells
    header : list of str
        the column names

    Returns
    -------
    str
    """
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) if i < len(header) - 1 else c for i, (c, w) in enumerate(zip(r, widths))).rstrip()
        for r in cells
    )


def _list(args) -> int:
    from .data.catalogue import list_datasets

    table = list_datasets()
    rows = [
        [name, row["years"], row["levels"] or "-", row["parameter"] or "-", row["title"]]
        for name, row in table.iterrows()
    ]
    print(table_text(rows, ["name", "years", "levels", "choose with", "title"]))
    return 0


def _available(args) -> int:
    from .data.overview import available

    table = available(args.names or None, network=not args.offline)
    if not args.all:
        table = table[table["from"] != ""]
    if table.empty:
        from .data.download import offline_advice

        print(
            f"nothing can be loaded here now{'' if args.offline else ' (no mirror, cache or network)'}; "
            f"{offline_advice()}"
        )
        return 1
    print(table.to_text())
    return 0


def _describe(args) -> int:
    from .data.catalogue import describe

    print(describe(args.name))
    return 0


def _fetch(args) -> int:
    from .data.loading import fetch, fetch_all

    if args.all:
        failed, unreachable = 0, False
        for label, result in fetch_all().items():
            ok = not isinstance(result, Exception)
            failed += not ok
            unreachable |= bool(getattr(result, "unreachable", ""))
            print(terminal_text(f"{'ok' if ok else 'FAILED':<7}{label}: {getattr(result, 'short', result)}"))
        if unreachable:
            from .data.download import offline_advice

            print(f"wijkstudie: some publishers could not be reached; {offline_advice()}", file=sys.stderr)
        return 1 if failed else 0
    if not args.name:
        raise ArgumentError("fetch: give a dataset name or --all")
    path = fetch(
        args.name,
        year=args.year,
        age_group=args.age_group,
        source_format=args.source_format,
        sheet=args.sheet,
        part=args.part,
        level=args.level,
        table=args.table,
        edition=args.edition,
    )
    print(terminal_text(path))
    return 0


def _year(text: str):
    """``--year`` of fetch: a whole number, or ``latest-available``."""
    return text if text.strip().lower() == "latest-available" else int(text)


# --- config, reproduce, site, lab -------------------------------------------------------------------------------


def _config(args) -> int:
    from .core.settings import SPEC, settings

    if args.get:
        if args.get not in SPEC:
            raise ArgumentError(f"config: unknown setting {args.get!r}; settings: {', '.join(SPEC)}")
        value = getattr(settings, args.get)
        print("" if value is None else value)
        return 0
    rows = settings.rows()
    if args.json:
        print(json.dumps({"project_file": _project_label(), "settings": rows}, ensure_ascii=False, indent=1))
        return 0
    print(f"project file: {_project_label() or 'none (see below)'}")
    print(
        table_text(
            [[r["name"], r["value"], r["from"], r["env"]] for r in rows], ["setting", "value", "from", "variable"]
        )
    )
    if not _project_label():
        print(
            "\nWrite settings once in a project file, wijkstudie.toml (or [tool.wijkstudie] in pyproject.toml), in "
            "this folder or one above it:\n"
            '  mirror = "../shared/data"    # relative to the file\'s folder\n'
            '  language = "nl"'
        )
    return 0


def _project_label() -> str:
    from .core.settings import settings

    project = settings.project_file
    return project.label if project else ""


def _reproduce(args) -> int:
    from .core.settings import settings

    settings.export_to_environment()  # every kernel sees the folders this command sees, as absolute paths
    from .reproduce.run import run

    argv = list(args.notebooks) + (["--force"] if args.force else []) + (["--no-readme"] if args.no_readme else [])
    argv += (["--jobs", str(args.jobs)] if args.jobs else []) + (["--build", args.build] if args.build else [])
    return run(argv + args.passed_on)


def _site(args) -> int:
    from .core.settings import settings

    settings.export_to_environment()
    from .reproduce.site import main

    return main([args.build] if args.build else [])


def _lab(args) -> int:
    import importlib.util
    import os
    import subprocess

    from .core.settings import settings

    if importlib.util.find_spec("jupyterlab") is None:
        raise MissingDependencyError('lab needs jupyterlab: pip install "wijkstudie[notebooks]"')
    if settings.data == "synthetic" and settings.synthetic_mirror is None:  # switched to it: this command writes it
        from .synthetic import use_synthetic

        use_synthetic()
    written = settings.export_to_environment()
    shown = ", ".join(f"{k}={v}" for k, v in written.items()) or "all at their defaults"
    print(f"wijkstudie lab: JupyterLab with the settings {shown}", flush=True)
    return subprocess.call([sys.executable, "-m", "jupyter", "lab", *lab_options(args.passed_on)], env=dict(os.environ))


def lab_options(passed_on, uid: int | None = None) -> list[str]:
    """The options ``wijkstudie lab`` gives JupyterLab.

    The user's, and ``--allow-root`` when it runs as root (a container, CI), where JupyterLab otherwise refuses to
    start.

    Parameters
    ----------
    passed_on : list of str
        the options after ``--``
    uid : int, optional
        the user id (default: this process's)

    Returns
    -------
    list of str
    """
    import os

    uid = os.geteuid() if uid is None and hasattr(os, "geteuid") else uid
    options = list(passed_on)
    if uid == 0 and "--allow-root" not in options:
        options.append("--allow-root")
    return options


def _version(args) -> int:
    from .core.version import __version__

    print(f"wijkstudie {__version__}")
    return 0


# --- the parser -------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``wijkstudie`` command's argument parser.

    ``config``, ``data`` (``list``, ``available``, ``describe``, ``fetch``, ``inspect``), ``reproduce``, ``site``,
    ``lab``; ``--version``.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="wijkstudie",
        description="Dutch neighbourhood data by name, and the notebooks of the study.",
        formatter_class=_formatter,
        epilog=_epilog(
            [
                "wijkstudie config                        where the data come from",
                "wijkstudie data available                what can be loaded here now",
                "wijkstudie data fetch kwb --year 2022    one year of a dataset",
                "wijkstudie reproduce --force             every notebook, figure and the report site",
                "wijkstudie lab                           JupyterLab with these settings",
            ],
            "mirror, data, data_dir, figures_dir, build_dir and language (each command says which)",
        ),
    )
    parser.add_argument("--version", action="store_true", help="print the version and stop")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = top.add_parser(
        "config",
        help="every setting, its value and where it comes from",
        description="Show every setting: its value, where the value comes from (ws.settings, an environment "
        "variable, the project file or the default) and its environment variable.",
        formatter_class=_formatter,
        epilog=_epilog(
            ["wijkstudie config", "wijkstudie config --get mirror", "WIJKSTUDIE_LANGUAGE=nl wijkstudie config"],
            "all of them",
        ),
    )
    p.add_argument("--get", metavar="NAME", help="print one setting's value only (empty when unset)")
    p.add_argument("--json", action="store_true", help="one JSON object on standard output")
    p.set_defaults(func=_config)

    data_parser = top.add_parser(
        "data",
        help="the dataset catalogue and data files",
        description="The dataset catalogue and data files: list, available, describe, fetch, inspect.",
        formatter_class=_formatter,
        epilog=_epilog(
            [
                "wijkstudie data list",
                "wijkstudie data available rivm-gezondheid",
                "wijkstudie data describe kwb",
                "wijkstudie data fetch rivm-gezondheid --year 2020 --age-group 18+",
                "wijkstudie data inspect my-extract.xlsx --json",
            ],
            "mirror, data and data_dir",
        ),
    )
    data = data_parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = data.add_parser(
        "inspect",
        help="recognise a data file and summarise it",
        description="Recognise a data file by its content (source, year, levels) and summarise it: rows per level, "
        "filled and suppressed cells per variable, warnings.",
        formatter_class=_formatter,
        epilog=_epilog(
            ["wijkstudie data inspect kwb-2023.xlsx", "wijkstudie data inspect export.csv --year 2021 --json"],
            "data_dir (the cache of processed tables)",
        ),
    )
    p.add_argument("file", help="the file: a KWB workbook or CSV, a StatLine or RIVM export, boundaries, ...")
    p.add_argument("--json", action="store_true", help="one JSON object on standard output")
    p.add_argument("--year", type=int, help="the reference year, for a file whose content and name do not say it")
    p.set_defaults(func=_inspect)
    p = data.add_parser(
        "list",
        help="list the datasets",
        description="The catalogue: every dataset with its years, levels and the option that chooses among a "
        "year's files.",
        formatter_class=_formatter,
        epilog=_epilog(["wijkstudie data list"], "none"),
    )
    p.set_defaults(func=_list)
    p = data.add_parser(
        "available",
        help="what can be loaded here now (mirror, cache, network)",
        description="What can be loaded on this machine now, per dataset, year and file: from the mirror, from "
        "the cache, or over the network. Nothing is downloaded.",
        formatter_class=_formatter,
        epilog=_epilog(
            ["wijkstudie data available", "wijkstudie data available kwb rivm-gezondheid --all"],
            "mirror, data and data_dir",
        ),
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="datasets (default: all but the crosswalk matrices)")
    p.add_argument("--all", action="store_true", help="also the files that cannot be had here, with the reason")
    p.add_argument("--offline", action="store_true", help="do not ask the publishers' servers")
    p.set_defaults(func=_available)
    p = data.add_parser(
        "describe",
        help="describe one dataset",
        description="One dataset: publisher, licence, attribution, levels, years and where every file comes from.",
        formatter_class=_formatter,
        epilog=_epilog(["wijkstudie data describe rivm-gezondheid"], "none"),
    )
    p.add_argument("name", help="a dataset name from `wijkstudie data list` (case, spaces and dashes do not matter)")
    p.set_defaults(func=_describe)
    p = data.add_parser(
        "fetch",
        help="download (or find in the mirror) a dataset's files",
        description="Make sure a dataset's file is here: read in place from the mirror, or downloaded once into the "
        "cache; prints its path.",
        formatter_class=_formatter,
        epilog=_epilog(
            [
                "wijkstudie data fetch kwb --year 2022",
                "wijkstudie data fetch rivm-gezondheid --year latest-available --age-group 65+",
                "wijkstudie data fetch --all",
            ],
            "mirror, data and data_dir",
        ),
    )
    p.add_argument("name", nargs="?", help="a dataset name from `wijkstudie data list`")
    p.add_argument("--year", type=_year, help="a year, or latest-available (default: the catalogue's latest)")
    p.add_argument("--age-group", help="rivm-gezondheid: 18+, 65+ or 18-64")
    p.add_argument("--source-format", help="kwb: workbook or open-data")
    p.add_argument("--sheet", help="rotterdam-wijkprofiel: wijkprofiel or context")
    p.add_argument("--part", help="amsterdam-bbga: data or metadata; kwb-codebook: properties or tableinfo")
    p.add_argument("--level", help="leefbaarometer: wijk or buurt")
    p.add_argument("--table", help="cbs-statline: a CBS table id, e.g. 85541NED")
    p.add_argument("--edition", type=int, help="rotterdam-wijkprofiel: 2024 (the default) or 2016 (2014 and 2016 only)")
    p.add_argument("--all", action="store_true", help="every resource in the catalogue")
    p.set_defaults(func=_fetch)

    p = top.add_parser(
        "reproduce",
        help="run the notebooks, write every figure, the scorecard and the report site",
        description="Run every notebook that changed (all with --force), write every figure into the figures folder, "
        "the scorecard, and the report site into the build folder (what `make reproduce` does). Relative folders "
        "in the settings are made absolute here, before any notebook starts.",
        formatter_class=_formatter,
        epilog=_epilog(
            [
                "wijkstudie reproduce",
                "wijkstudie reproduce --force --jobs 2",
                "wijkstudie reproduce notebooks/02_home_ownership.ipynb",
                "WIJKSTUDIE_FIGURES_DIR=figs wijkstudie reproduce --no-readme",
            ],
            "mirror, data, data_dir, figures_dir, build_dir, language, microdata and microdata_mapping",
        ),
    )
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks to run (default: every notebook)")
    p.add_argument("--force", action="store_true", help="run every notebook, whatever the cache holds")
    p.add_argument("--jobs", type=int, metavar="N", help="notebooks run at once (default: one per core it may use)")
    p.add_argument("--build", metavar="DIR", help="the build folder (default: the setting build_dir)")
    p.add_argument("--no-readme", action="store_true", help="leave the README's scorecard as it is")
    p.set_defaults(func=_reproduce)

    p = top.add_parser(
        "site",
        help="write the report site again from the last run",
        description="Write the report site (build/site/index.html) again from the last run of `wijkstudie "
        "reproduce`, without running a notebook.",
        formatter_class=_formatter,
        epilog=_epilog(["wijkstudie site", "wijkstudie site build"], "build_dir and figures_dir"),
    )
    p.add_argument("build", nargs="?", help="the build folder of the run (default: the setting build_dir)")
    p.set_defaults(func=_site)

    p = top.add_parser(
        "lab",
        help="start JupyterLab with these settings",
        description="Start JupyterLab from this environment in the current folder, with the settings this command "
        "sees passed on to every notebook (relative folders made absolute): the mirror of the project file too.",
        formatter_class=_formatter,
        epilog=_epilog(
            ["wijkstudie lab", "wijkstudie lab -- --no-browser --port 8890", "wijkstudie lab -- --allow-root"],
            "all of them, and passes them on",
        ),
    )
    p.add_argument("passed_on", nargs="*", metavar="JUPYTER-OPTION", help="options for jupyter lab, after --")
    p.set_defaults(func=_lab)
    _wrap_descriptions(parser)
    return parser


def _wrap_descriptions(parser: argparse.ArgumentParser) -> None:
    """Every command's description wrapped to the help's width (its examples keep their lines)."""
    if parser.description:
        parser.description = _text(parser.description)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _wrap_descriptions(sub)


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
        (one line unless ``--debug``) or a usage error, 130 for Ctrl-C, 141 when the output's reader has gone
        (``wijkstudie config | head -1``; nothing is printed then)
    """
    try:
        status = _run(argv)
        sys.stdout.flush()  # a reader that has gone shows here, not in a message at the interpreter's exit
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    return status


def _silence_stdout() -> None:
    """Point standard output at the null device, as the Python documentation recommends after a broken pipe.

    The interpreter's last flush at exit then has nowhere to fail (in-process, without a file descriptor, nothing to
    do).
    """
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _run(argv) -> int:
    """``main`` without the handling of a broken pipe."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in PASS_ON:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command in PASS_ON:  # options of the main command or of jupyter lab that this parser does not name
        args.passed_on = list(getattr(args, "passed_on", [])) + [a for a in rest if a != "--"]
    if args.version:
        return _version(args)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    formatted = warnings.formatwarning
    warnings.formatwarning = _escaped(formatted)  # how a warning is written out; recording one is left alone
    try:
        return args.func(args)
    except BrokenPipeError:  # the reader of the output has gone (``| head``): main ends quietly
        raise
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's status for an interrupt
        print("wijkstudie: interrupted", file=sys.stderr)
        return INTERRUPTED
    except WijkstudieError as exc:
        if args.debug:
            raise
        print(f"wijkstudie: error: {terminal_text(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input; still one line unless --debug
        if args.debug:
            raise
        print(
            f"wijkstudie: unexpected error: {type(exc).__name__}: {terminal_text(exc)} (run with --debug for details)",
            file=sys.stderr,
        )
        return 2
    finally:
        warnings.formatwarning = formatted


def _escaped(formatwarning):
    """A warning's text as ``formatwarning`` writes it.

    With its control characters escaped (a file name with an ANSI escape in a warning reaches the terminal as text).
    """

    def escaped(message, category, filename, lineno, line=None):
        return formatwarning(terminal_text(message), category, filename, lineno, line)

    return escaped


if __name__ == "__main__":
    sys.exit(main())
