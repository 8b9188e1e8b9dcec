"""`make conformance [DIR=…]`: how much of a folder of other people's BPMN diagrams the product accepts and starts.

Every ``.bpmn`` under DIR (default ``../shared/corpus/``) is deployed through the real API
(``POST /api/process-definitions`` with the office's Bearer token) on a scratch SQLite database in a temporary
directory, and each process a deployment created is started (``POST /api/process-instances`` as the admin; a
process that only a message starts, by that message: ``POST /api/messages``).
Printed per folder (the first level under DIR): files, accepted (201), started (201 on a start of at least one of
its processes), refused (4xx) by rule (count per rule of the answer's ``problems``), and answers 5xx. A 5xx is a
bug. Not part of ``make test``: it reads data that is no part of the project. Usage:
``python -m tools.conformance [DIR] [--verbose]`` (``--verbose`` prints every refusal and 5xx).
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "corpus"
XML = {"Content-Type": "application/xml"}
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def start_messages(document: bytes, process_id: str) -> list[str]:
    """The names of the messages that start ``process_id`` (its message start events): a process without a none
    start event is started by sending one of them (``POST /api/messages``), as in Camunda."""
    from engine.parser import safe_xml

    tree = safe_xml(document, "conformance", "BPMN")
    names = {message.get("id"): message.get("name") or message.get("id") for message in tree.iter(f"{BPMN}message")}
    process = next((p for p in tree.iter(f"{BPMN}process") if p.get("id") == process_id), None)
    if process is None:
        return []
    return [names.get(definition.get("messageRef"), definition.get("messageRef"))
            for start in process.findall(f"{BPMN}startEvent")
            for definition in start.findall(f"{BPMN}messageEventDefinition") if definition.get("messageRef")]


def _start(call, document: bytes, key: str):
    """Start ``key`` by hand; if it has no none start event, by the first of its start messages."""
    response = call("admin", "POST", "/api/process-instances", json={"process_key": key})
    if response.status_code == 422:
        for name in start_messages(document, key)[:1]:
            return call("office", "POST", "/api/messages", json={"name": name})
    return response


@dataclass
class Tally:
    """One folder's counts."""
    files: int = 0
    accepted: int = 0
    started: int = 0
    refused: int = 0
    server_errors: int = 0
    rules: Counter = field(default_factory=Counter)


def _api(directory: Path):
    """A request function ``(username, method, path, **options) -> response`` on a fresh app and database."""
    from web import create_app
    from web.core.db import get_session
    from web.core.migrate import upgrade
    from workflows.accounts.tokens import issue_token
    from workflows.accounts.users import create_user
    from workflows.directory import units

    app = create_app({"DATABASE_URL": f"sqlite:///{directory / 'conformance.db'}", "TESTING": True,
                      "SECRET_KEY": "conformance", "WTF_CSRF_ENABLED": False})
    tokens = {}
    with app.app_context():
        upgrade()
        session = get_session()
        units.load_directory(session)
        for name, role in (("office", "office"), ("admin", "admin")):
            user = create_user(session, username=name, unit_code="tuijinban", role=role, password="conformance")
            session.flush()
            tokens[name] = issue_token(session, user, datetime.utcnow())
        session.commit()
    client = app.test_client()

    def call(username, method, path, **options):
        headers = {"Authorization": f"Bearer {tokens[username]}", **options.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **options)

    return call


def _folder(path: Path, base: Path) -> str:
    parts = path.relative_to(base).parts
    return parts[0] if len(parts) > 1 else "."


def run(base: Path, verbose: bool = False, out=sys.stdout) -> dict[str, Tally]:
    """Deploy and start every diagram under ``base``; returns the tallies by folder (and prints details if verbose)."""
    logging.disable(logging.CRITICAL)
    tallies: dict[str, Tally] = defaultdict(Tally)
    with tempfile.TemporaryDirectory(prefix="conformance-") as scratch:
        call = _api(Path(scratch))
        for path in sorted(base.rglob("*.bpmn")):
            tally = tallies[_folder(path, base)]
            tally.files += 1
            name = str(path.relative_to(base))
            try:
                response = call("office", "POST", "/api/process-definitions", data=path.read_bytes(), headers=XML)
            except Exception as error:  # the tool reports what the app let escape; it must go on
                response = None
                detail = f"{type(error).__name__}: {error}"
            if response is None or response.status_code >= 500:
                tally.server_errors += 1
                if verbose:
                    print(f"5xx deploy {name}: {detail if response is None else response.get_data(as_text=True)[:300]}",
                          file=out)
                continue
            if response.status_code != 201:
                tally.refused += 1
                body = response.get_json(silent=True) or {}
                rules = {problem.get("rule") or "?" for problem in body.get("problems", [])} or {"(none)"}
                tally.rules.update(rules)
                if verbose:
                    print(f"refused {name}: {response.status_code} "
                          + "; ".join(f"[{p.get('rule')}] {p.get('element')}: {p.get('message')}"
                                      for p in body.get("problems", [])[:4]) or body.get("error"), file=out)
                continue
            tally.accepted += 1
            started = False
            for definition in response.get_json()["definitions"]:
                try:
                    start = _start(call, path.read_bytes(), definition["key"])
                except Exception as error:  # as above
                    tally.server_errors += 1
                    if verbose:
                        print(f"5xx start {name} {definition['key']}: {type(error).__name__}: {error}", file=out)
                    continue
                if start.status_code >= 500:
                    tally.server_errors += 1
                    if verbose:
                        print(f"5xx start {name} {definition['key']}: {start.get_data(as_text=True)[:300]}", file=out)
                elif start.status_code in (200, 201):
                    started = True
                elif verbose:
                    print(f"not started {name} {definition['key']}: {start.status_code} "
                          f"{(start.get_json(silent=True) or {}).get('error')}", file=out)
            tally.started += started
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    """The Markdown table of the tallies, a total row last."""
    rows = ["| folder | files | accepted | started | refused (by rule) | 5xx |", "|---|---|---|---|---|---|"]
    total = Tally()
    for folder, tally in sorted(tallies.items()):
        rows.append(_row(folder, tally))
        for attribute in ("files", "accepted", "started", "refused", "server_errors"):
            setattr(total, attribute, getattr(total, attribute) + getattr(tally, attribute))
        total.rules.update(tally.rules)
    rows.append(_row("**total**", total))
    return "\n".join(rows)


def _row(folder: str, tally: Tally) -> str:
    rules = ", ".join(f"{rule} {count}" for rule, count in tally.rules.most_common())
    return (f"| {folder} | {tally.files} | {tally.accepted} | {tally.started} | {tally.refused}"
            f"{f' ({rules})' if rules else ''} | {tally.server_errors} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(DEFAULT_DIR))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    base = Path(args.directory).resolve()
    if not base.is_dir():
        print(f"没有这个目录：{base}", file=sys.stderr)
        return 2
    print(table(run(base, verbose=args.verbose)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
