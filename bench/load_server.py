"""The `Procfile`'s web process (gunicorn) on 127.0.0.1 and a free port, with a chosen number of workers."""
from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .database import ROOT

PROCFILE = ROOT / "Procfile"
READY_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_command(port: int, workers: int) -> list[str]:
    """The Procfile's `web:` line with its port and its `--workers` count replaced."""
    line = next(line for line in PROCFILE.read_text().splitlines() if line.startswith("web:"))
    line = line.removeprefix("web:").replace("${PORT:-5000}", str(port))
    line, replaced = re.subn(r"--workers \d+", f"--workers {workers}", line)
    if replaced != 1 or "127.0.0.1" not in line:
        raise RuntimeError(f"the Procfile's web line is not what the load test expects: {line}")
    return shlex.split(line)


class Gunicorn:
    """``with Gunicorn(url, workers) as server:`` serves the app on ``server.url`` until the block ends; the
    access log goes to ``log`` (var/load-gunicorn.log by default), not to the console."""

    def __init__(self, database_url: str, workers: int, log: Path = ROOT / "var" / "load-gunicorn.log"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = procfile_command(self.port, workers)
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench"}
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.log.parent.mkdir(exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        self._wait_until_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ended with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer /healthz within {READY_SECONDS} s; see {self.log}")
