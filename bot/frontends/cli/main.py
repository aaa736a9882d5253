"""The `dateline` command: a thin terminal front end over `KnowledgeService`.

Every sub-command has `--help`. Exit codes, one scheme for all (README, "Exit codes"): 0
answered or honestly not found, 1 a runtime failure, 2 a usage or input error (bad
arguments or settings, a knowledge path that does not exist or loads no article, an article
file that failed to load, an empty or over-long question, an invalid batch line).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot import __version__
from bot.errors import DatelineError, InputError
from bot.frontends.discord.redaction import RedactSecrets
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CODES = (
    "exit codes: 0 answered or honestly not found, 1 a runtime failure, 2 a usage or input "
    "error (bad arguments or settings, a missing or empty knowledge path, an article file that "
    "failed to load, an empty or over-long question)"
)

Handler = Callable[[argparse.Namespace, Settings], int]


def _add_knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        "-K",
        action="append",
        type=Path,
        metavar="PATH",
        default=None,
        help="file or folder of articles (repeatable); overrides DATELINE_KNOWLEDGE_PATHS",
    )


def _period(text: str) -> datetime | None:
    from bot.records import parse_since

    try:
        return parse_since(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="dateline",
        description="Answer questions from news articles with the exact supporting quote.",
    )
    parser.add_argument("--version", action="version", version=f"dateline {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="load the knowledge base and show articles and problems",
        description="Load the articles, show each one's title, dateline and "
        "passages, and report every problem. Exit 2 if any file failed to load.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders (default: the configured knowledge paths)",
    )
    check.add_argument("--json", action="store_true", help="write one JSON object for scripts")

    ask = commands.add_parser(
        "ask",
        help="answer a question (or a file of questions)",
        description="Answer a question with the supporting quote, its dateline, "
        "title and source; or say that the articles do not say.",
    )
    ask.add_argument("question", nargs="?", help="the question, in quotes")
    ask.add_argument(
        "--questions",
        type=Path,
        metavar="FILE.jsonl",
        help='batch mode: lines {"id", "question"}; one JSON answer per line on stdout',
    )
    ask.add_argument("--json", action="store_true", help="print the JSON answer")
    ask.add_argument(
        "-k",
        "--alternatives",
        type=int,
        default=None,
        metavar="N",
        help="how many alternatives from other articles to show",
    )
    _add_knowledge_option(ask)

    chat = commands.add_parser(
        "chat",
        help="ask questions interactively",
        description="An interactive loop with line editing and history. "
        ":reload reloads the knowledge, :help lists commands, :quit leaves.",
    )
    chat.add_argument(
        "-k",
        "--alternatives",
        type=int,
        default=None,
        metavar="N",
        help="how many alternatives to show",
    )
    _add_knowledge_option(chat)

    evaluate = commands.add_parser(
        "eval",
        help="measure answer quality on a question set",
        description="Evaluate on a folder with corpus.jsonl and questions.jsonl: "
        "answer-in-quote, article@1, passage recall, MRR, abstention.",
    )
    evaluate.add_argument("folder", type=Path, metavar="DIR")
    evaluate.add_argument("--json", action="store_true", help="write the results as JSON")
    evaluate.add_argument(
        "--limit", type=int, default=None, metavar="N", help="use only the first N questions"
    )
    evaluate.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE.png",
        help="draw the abstention trade-off (needs the 'plot' extra)",
    )
    evaluate.add_argument(
        "--no-unanswerable", action="store_true", help="skip the withheld-articles protocol"
    )
    evaluate.add_argument(
        "--reranker",
        choices=("settings", "on", "off", "both"),
        default="settings",
        help="the neural stage as configured (default), on, off, or both side by side",
    )

    stats = commands.add_parser(
        "stats",
        help="usage figures from the database: questions, feedback, quoted articles",
        description="Questions asked and answered, the most frequent unanswered questions "
        "(what to add next), the feedback ratio and the most-quoted articles, read from "
        "the SQLite database (DATELINE_DATABASE_PATH) without changing it.",
    )
    stats.add_argument(
        "--since",
        type=_period,
        default="30d",
        metavar="PERIOD",
        help="24h, 7d, 30d (default), 2w, all, or an ISO date such as 2024-05-01",
    )
    stats.add_argument(
        "--top", type=int, default=10, metavar="N", help="rows in each top list (default 10)"
    )
    stats.add_argument("--json", action="store_true", help="write one JSON object for scripts")
    stats.add_argument(
        "--prune",
        action="store_true",
        help="first delete rows older than DATELINE_RETENTION_DAYS and say how many",
    )
    stats.add_argument(
        "--guild", type=int, default=None, metavar="ID", help="one Discord server only"
    )
    stats.add_argument(
        "--database",
        type=Path,
        default=None,
        metavar="FILE",
        help="the SQLite file (default: DATELINE_DATABASE_PATH)",
    )

    _add_scale_commands(commands)

    run = commands.add_parser(
        "run",
        help="start the Discord bot",
        description="Start the Discord bot (token from DISCORD_TOKEN or .env).",
    )
    _add_knowledge_option(run)
    _with_exit_codes(parser)
    return parser


def _add_scale_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dateline index build|status` and `dateline bench` (see docs/scale.md)."""
    index = commands.add_parser(
        "index",
        help="build or inspect the knowledge snapshot",
        description="`index build` parses, analyzes and indexes the knowledge and publishes a "
        "versioned snapshot in DATELINE_CACHE_DIR (only files changed since the last snapshot "
        "are parsed again); `index status` says whether the published one is current.",
    )
    actions = index.add_subparsers(dest="index_action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build and publish the snapshot")
    build.add_argument("--full", action="store_true", help="ignore the stored snapshot")
    build.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even if most of the published snapshot's articles are gone "
        "(by default such a build is refused: see README, Reload safety)",
    )
    build.add_argument("--json", action="store_true", help="write one JSON object for scripts")
    _add_knowledge_option(build)
    status = actions.add_parser(
        "status", help="show the published snapshot and whether it is stale"
    )
    status.add_argument("--json", action="store_true", help="write one JSON object for scripts")
    _add_knowledge_option(status)

    bench = commands.add_parser(
        "bench",
        help="benchmark build, snapshots, retrieval, ask and reloads at scale",
        description="Measure on the shared news corpus (~100k passages, or ~1M repeated with "
        "variation) with 1,000 questions: build, snapshot save/load, cold start, peak RSS, "
        "retrieval and ask latency, reload stalls; plus rank-bm25 and bm25s in the same run. "
        "Needs the 'bench' extra. Run each size in its own process.",
    )
    bench.add_argument("--size", choices=["tiny", "100k", "1m"], default="100k")
    bench.add_argument("--json", action="store_true", help="write the figures as JSON")
    bench.add_argument(
        "--shared-data",
        type=Path,
        default=None,
        metavar="DIR",
        help="the shared data folder (default: ../shared/data)",
    )
    bench.add_argument("--questions", type=int, default=1000, metavar="N")
    bench.add_argument(
        "--neural-questions",
        type=int,
        default=200,
        metavar="N",
        help="questions timed with the neural stage, cold then warm vectors (0: skip)",
    )
    bench.add_argument(
        "--rank-bm25-sample",
        type=int,
        default=100,
        metavar="N",
        help="questions timed on plain rank-bm25 (slow: ~0.2 s each at 100k)",
    )
    bench.add_argument(
        "--baselines",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run rank-bm25 and bm25s (default: yes, except at 1m)",
    )
    bench.add_argument(
        "--rebuild-stall",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="time adoption and a full rebuild too (default: yes, except at 1m)",
    )
    bench.add_argument(
        "--workdir",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the corpus and snapshots here instead of a temporary folder",
    )


def _with_exit_codes(parser: argparse.ArgumentParser) -> None:
    """Every command's `--help` ends with the exit codes."""
    parser.epilog = EXIT_CODES
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _with_exit_codes(child)


def _settings_for(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    knowledge = getattr(args, "knowledge", None)
    if knowledge:
        overrides["knowledge_paths"] = knowledge
    return load_settings(**overrides)


def _handlers() -> dict[str, Handler]:
    # Imported lazily so `dateline --help` stays instant and `run` alone pulls in discord.
    from bot.frontends.cli.commands import (
        ask_command,
        bench_command,
        chat_command,
        check_command,
        eval_command,
        index_command,
        run_command,
        stats_command,
    )

    return {
        "check": check_command,
        "ask": ask_command,
        "chat": chat_command,
        "eval": eval_command,
        "run": run_command,
        "stats": stats_command,
        "index": index_command,
        "bench": bench_command,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `dateline` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:  # `dateline run` replaces these with its own
        handler.addFilter(RedactSecrets())
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    errors = Console(stderr=True)
    try:
        settings = _settings_for(args)
        return _handlers()[args.command](args, settings)
    except InputError as error:
        errors.print(f"[red]dateline:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except DatelineError as error:
        errors.print(f"[red]dateline:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        return EXIT_FAILURE
    except json.JSONDecodeError as error:  # pragma: no cover - defensive
        errors.print(f"[red]dateline:[/red] invalid JSON: {error}")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
