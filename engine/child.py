"""A child process of ``engine.isolation``: evaluates diagram code under the operating system's limits.

Run as ``python -I engine/child.py MEGABYTES`` (a script, not ``-m engine.child``: importing the ``engine``
package would pull in SQLAlchemy and SpiffWorkflow). It loads ``errors``, ``limits``, ``data`` and ``restricted``
only, sets ``RLIMIT_AS`` (address space) to MEGABYTES for itself and cannot raise it again, says it is ready,
then answers requests until its stdin closes (its host is gone).

Protocol, one frame = 4-byte big-endian length + payload, on stdin/stdout (the diagram's code never sees them:
fd 1 is pointed at /dev/null, the channel is a private copy):

- host → child, pickle (the child trusts its host): ``{"kind": "eval"|"exec", "code", "names", "external",
  "functions", "seconds"}``, or ``("value", result)`` / ``("error", message)`` answering a function call;
- child → host, JSON only (the host must not unpickle what diagram code could have shaped): ``{"ready": true}``,
  ``{"call": name, "args": [...], "kwargs": {...}}``, ``{"value": ...}`` (an expression; dates tagged),
  ``{"data": {...}}`` (a script's variables, already through the data rule) or ``{"error": kind, "message", …}``.
"""
from __future__ import annotations

import json
import os
import pickle
import resource
import struct
import sys
import types

FRAME = struct.Struct("!I")


def write_frame(fd: int, payload: bytes) -> None:
    """Write one frame whole (``os.write`` may write less than asked on a pipe)."""
    view = memoryview(FRAME.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def read_exact(fd: int, count: int) -> bytes | None:
    """``count`` bytes from ``fd``, or None at end of file."""
    chunks, missing = [], count
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _bootstrap() -> None:
    """Make ``engine.x`` importable without running ``engine/__init__.py``."""
    package = types.ModuleType("engine")
    package.__path__ = [os.path.dirname(os.path.abspath(__file__))]
    sys.modules["engine"] = package


class _Channel:
    def __init__(self, reader: int, writer: int):
        self.reader, self.writer = reader, writer

    def send(self, message: dict) -> None:
        # "replace": a lone surrogate in a message (``raise ValueError("\\ud800")``) becomes "?" instead of killing
        # the child; data has passed the data rule, which refuses such text, so no value changes here
        write_frame(self.writer, json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8", "replace"))

    def receive(self):
        header = read_exact(self.reader, FRAME.size)
        if header is None:
            return None
        return pickle.loads(read_exact(self.reader, FRAME.unpack(header)[0]))


def _proxy(channel: _Channel, name: str):
    """A function the host offers, called over the channel: arguments go as JSON (dates as ISO text)."""
    from engine.data import storable
    from engine.errors import DataNotStorable, ScriptError

    def call(*args, **kwargs):
        try:
            sent = storable({"args": list(args), "kwargs": kwargs})
        except DataNotStorable as error:
            raise ScriptError(f"函数 {name} 的参数不能传递：{error.message}") from None
        channel.send({"call": name, **sent})
        outcome, value = channel.receive()
        if outcome == "error":
            raise ScriptError(value)
        return value

    call.__name__ = name
    return call


def _encoded(value):
    """An expression's result as JSON can carry it: dates and durations tagged, the rest by the data rule."""
    from datetime import date, datetime, timedelta

    from engine.data import storable

    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"timedelta": value.total_seconds()}
    return {"value": storable({"表达式的结果": value})["表达式的结果"]}


def _line(error: BaseException) -> int | None:
    traceback, line = error.__traceback__, None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename in ("<script>", "<expression>"):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _limit_cpu(seconds: float) -> None:
    """A backstop behind the host's clock: SIGXCPU a little after this evaluation's CPU time is spent."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (int(spent + seconds) + 2, hard))


def _run(channel: _Channel, request: dict) -> dict:
    from engine import limits, restricted
    from engine.data import storable

    _limit_cpu(request["seconds"])
    functions = set(request["functions"])
    namespace = {name: _proxy(channel, name) for name in functions}
    namespace.update(request["external"])
    namespace.update(request["names"])
    namespace.update(restricted.guards())
    with limits.time_limit(request["seconds"]):
        if request["kind"] == "eval":
            return _encoded(eval(restricted.compile_expression(request["code"]), namespace))
        exec(restricted.compile_script(request["code"]), namespace)
    external = request["external"]
    left = {name: value for name, value in namespace.items()
            if name not in restricted.GUARD_NAMES and name not in functions and name not in external
            and not callable(value)}
    return {"data": storable(left)}


def _answer(channel: _Channel, request: dict) -> dict:
    """The answer to one request; whatever the code raises (SystemExit included) becomes an error answer."""
    from engine.errors import DataNotStorable, ScriptError

    try:
        return _run(channel, request)
    except DataNotStorable as error:
        return {"error": "data", "message": error.message, "variable": error.variable}
    except ScriptError as error:  # a MemoryError behind it: a fresh child serves the next evaluation
        return {"error": "script", "message": error.message, "retire": isinstance(error.__cause__, MemoryError)}
    except MemoryError:
        return {"error": "memory", "retire": True}
    except RecursionError as error:
        return {"error": "exception", "type": "RecursionError", "message": str(error)[:300], "line": _line(error)}
    except BaseException as error:  # noqa: BLE001 - the diagram's SystemExit, KeyboardInterrupt … end here
        return {"error": "exception", "type": type(error).__name__, "message": _message(error), "line": _line(error)}


def _message(error: BaseException) -> str:
    try:
        return str(error)[:300]
    except Exception:  # noqa: BLE001 - an exception whose text cannot be made
        return ""


def _apply_limits(megabytes: int) -> None:
    size = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def main() -> None:
    """Set up, say ready, serve until the host closes the channel."""
    megabytes = int(sys.argv[1])
    _bootstrap()
    from engine import data, restricted  # noqa: F401 - loaded before the memory limit, once

    restricted.compile_script("x = [i for i in range(3)]")
    writer = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    channel = _Channel(0, writer)
    _apply_limits(megabytes)
    channel.send({"ready": True})
    while (request := channel.receive()) is not None:
        answer = _answer(channel, request)
        try:
            channel.send(answer)
        except MemoryError:
            channel.send({"error": "memory", "retire": True})


if __name__ == "__main__":
    main()
