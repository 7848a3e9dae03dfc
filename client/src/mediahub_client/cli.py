"""The `mediahub` command: login, push, pull, ls.

Exit codes: 0 all done; 1 some files failed (each reason printed, the run went on);
2 wrong usage; 3 the run could not go on (portal unreachable, token refused, not signed in);
130 interrupted (run it again: a push resumes, a pull goes on where it stopped)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mediahub_client import __version__, pull, push
from mediahub_client.api import Api, ClientError, base_url
from mediahub_client.config import Config, NotSignedIn, config_load, config_save
from mediahub_client.files import files_under

OK, SOME_FAILED, USAGE, STOPPED, INTERRUPTED = 0, 1, 2, 3, 130
LIST_FILTERS = ("q", "kind", "status", "order", "owner", "size")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    err = Console(stderr=True, highlight=False)
    try:
        code: int = args.run(args)
    except (ClientError, NotSignedIn) as exc:
        err.print(f"mediahub: {exc}", markup=False)
        return STOPPED
    except KeyboardInterrupt:
        err.print("mediahub: interrupted; run the same command again to finish what is missing.")
        return INTERRUPTED
    return code


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="mediahub", description="Media Hub from the command line.")
    main_parser.add_argument("--version", action="version", version=f"mediahub {__version__}")
    commands = main_parser.add_subparsers(required=True, metavar="COMMAND")

    login = commands.add_parser("login", help="check a token and store it for the other commands")
    login.add_argument("url", help="the portal's address, e.g. https://media.example.org")
    login.add_argument("--token", help="the token (default: $MEDIAHUB_TOKEN, else asked without echo)")
    login.set_defaults(run=run_login)

    push_ = commands.add_parser("push", help="upload files and folder trees")
    push_.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    push_.add_argument("--caption", default="", help="the caption of every file sent")
    push_.add_argument("--jobs", type=_positive, default=4, help="transfers at once (default 4)")
    push_.set_defaults(run=run_push)

    pull_ = commands.add_parser("pull", help="download every item you can see, with metadata.jsonl")
    pull_.add_argument("dir", type=Path, metavar="DIR")
    pull_.add_argument("--jobs", type=_positive, default=4, help="transfers at once (default 4)")
    pull_.set_defaults(run=run_pull)

    ls = commands.add_parser("ls", help="list media, with the portal's filters")
    ls.add_argument("--q", default="", help="words that begin words of the name, caption or file name")
    ls.add_argument("--kind", default="", choices=["image", "video", "audio", "document"])
    ls.add_argument("--status", default="", choices=["pending", "ready", "rejected"])
    ls.add_argument("--order", default="", choices=["newest", "oldest", "taken-newest", "taken-oldest"])
    ls.add_argument("--owner", default="", help="admins: one member's media")
    ls.add_argument("--size", default="", choices=["10", "25", "50", "100"], help="items fetched a page")
    ls.add_argument("--json", action="store_true", help="one JSON object a line, every field")
    ls.set_defaults(run=run_ls)
    return main_parser


def _positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 32:
        raise argparse.ArgumentTypeError("give a number from 1 to 32")
    return value


def api_from_config() -> Api:
    config = config_load()
    return Api(config.url, config.token)


def run_login(args: argparse.Namespace) -> int:
    url = base_url(args.url)
    token = args.token or os.environ.get("MEDIAHUB_TOKEN") or getpass.getpass("Token (from the API tokens page): ")
    if not token.strip():
        raise NotSignedIn("No token given.")
    me = Api(url, token.strip()).get("/me")
    path = config_save(Config(url=url, token=token.strip()))
    print(f"Signed in to {url} as {me['username']} ({me['role']}); saved in {path}.")
    return OK


def run_push(args: argparse.Namespace) -> int:
    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        print(f"mediahub: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return USAGE
    api = api_from_config()
    outcome = push.push(api, files_under(args.paths), caption=args.caption, jobs=args.jobs)
    for label, reason in outcome.failed:
        print(f"failed: {label}: {reason}", file=sys.stderr)
    print(f"{len(outcome.uploaded)} uploaded, {len(outcome.skipped)} skipped, {len(outcome.failed)} failed")
    return SOME_FAILED if outcome.failed else OK


def run_pull(args: argparse.Namespace) -> int:
    outcome = pull.pull(api_from_config(), args.dir, jobs=args.jobs)
    for label, reason in outcome.failed:
        print(f"failed: {label}: {reason}", file=sys.stderr)
    print(f"{len(outcome.downloaded)} downloaded, {len(outcome.unchanged)} unchanged, {len(outcome.failed)} failed")
    return SOME_FAILED if outcome.failed else OK


def run_ls(args: argparse.Namespace) -> int:
    filters = {name: getattr(args, name) for name in LIST_FILTERS if getattr(args, name)}
    items = pull.media_all(api_from_config(), **filters)
    if args.json:
        for item in items:
            print(json.dumps(item, ensure_ascii=False))
        return OK
    table = Table("id", "name", "kind", "status", "size", "uploaded", "owner", box=None)
    for item in items:
        table.add_row(
            item["id"],
            item["name"],
            item["kind"],
            item["status"],
            f"{item['size']:,}",
            item["uploaded_at"][:16].replace("T", " "),
            item["owner"],
        )
    Console().print(table)
    return OK
