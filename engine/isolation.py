"""Evaluate diagram code in child processes that the operating system bounds: wall time and memory per evaluation.

Why processes: a trace function (``engine.limits.time_limit``) sees only Python-level lines, so one C-level call
(``pow(3, 4*10**7)``, ``sorted(["a"*10**6]*10**6)``, ``(1).to_bytes(1500000000, "big")``) runs to its end, and
Python has no memory bound at all. A child process can be given one by the kernel (``RLIMIT_AS``, the address
space: an allocation past it fails with MemoryError inside the child) and can be killed by its host when its time
is up, whatever it is doing; the host never runs the code, so it survives both. Threads cannot be killed, and
``signal.alarm`` cannot interrupt a C call either. Python's own ``multiprocessing`` would import the ``engine``
package (SQLAlchemy, SpiffWorkflow) into each child; a plain ``subprocess`` running ``engine/child.py`` as a script
with pipes starts in a few tens of milliseconds and stays at ~15 MB.

How: a warm pool per host process (per PID: a forked host builds its own). An evaluation takes an idle child (or
starts one), sends the request, and waits for the answer with a deadline (``Bounds.seconds`` plus a short grace, so
the child's own trace-function limit, with its clearer message, usually comes first). On a breach (deadline
passed, child dead, MemoryError, an answer that is not well-formed JSON) the child is killed and a fresh one is
started at once, so the next evaluation finds it warm. Functions the host offers (``today()``, ``add_workdays`` …)
run in the host when the child calls them over the pipe; their time counts against the same deadline. The child
answers in JSON only: the host never unpickles anything diagram code could have shaped.
"""
from __future__ import annotations

import json
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .child import FRAME, write_frame
from .errors import ScriptError

CHILD_SCRIPT = Path(__file__).with_name("child.py")
STARTUP_SECONDS = 30.0     # a loaded machine can take long to start Python; not the diagram's time
GRACE_SECONDS = 0.5        # after Bounds.seconds, before the kill: the child's own limit speaks first
MAX_ANSWER_BYTES = 16_000_000
MAX_IDLE = 4               # idle children kept per memory bound


@dataclass(frozen=True)
class Bounds:
    """What one evaluation of diagram code may spend: wall-clock seconds and megabytes of address space."""

    seconds: float = 2.0
    megabytes: int = 256

    def __post_init__(self):
        if not (0 < self.seconds <= 3600) or not (64 <= self.megabytes <= 65536):
            raise ValueError(f"脚本限制不合理：{self.seconds} 秒、{self.megabytes} MB")


class _Breach(Exception):
    """The child broke a bound or the protocol; it is killed and the evaluation fails with this message."""

    def __init__(self, message: str, *, died: bool = False):
        super().__init__(message)
        self.died = died


class _DiedIdle(Exception):
    """A child that had waited idle died before it answered (the OOM killer, an operator): try once more on a
    fresh one. Code that kills its child itself fails again there, and then as a ScriptError."""


class _Child:
    """One child process and its pipes."""

    def __init__(self, megabytes: int):
        self.megabytes = megabytes
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(CHILD_SCRIPT), str(megabytes)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, bufsize=0, close_fds=True, start_new_session=True,
            env={"LC_ALL": "C.UTF-8"}, cwd="/")  # none of the host's settings (database URL, secret key) go along
        self.ready = False

    def send(self, payload: bytes) -> None:
        try:
            write_frame(self.process.stdin.fileno(), payload)
        except OSError as error:  # BrokenPipeError: the child is gone
            raise _Breach("执行代码的子进程意外退出", died=True) from error

    def receive(self, deadline: float, seconds: float) -> dict:
        header = self._read(FRAME.size, deadline, seconds)
        size = FRAME.unpack(header)[0]
        if size > MAX_ANSWER_BYTES:
            raise _Breach("执行代码的子进程回答过大")
        try:
            return json.loads(self._read(size, deadline, seconds), parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            raise _Breach("执行代码的子进程回答无法读取") from error

    def _read(self, count: int, deadline: float, seconds: float) -> bytes:
        fd, chunks = self.process.stdout.fileno(), []
        while count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise _Breach(f"代码运行超过 {seconds:g} 秒，已中止")
            chunk = os.read(fd, min(count, 1 << 20))
            if not chunk:
                raise _Breach(self._death(), died=True)
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _death(self) -> str:
        code = self.process.wait()
        if code in (-9, -24):  # SIGKILL, SIGXCPU
            return "代码运行耗尽资源，执行它的子进程已被终止"
        return f"执行代码的子进程意外退出（{code}）"

    def peak_kib(self) -> int:
        """The child's peak resident memory (VmHWM), 0 when it cannot be read."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


def _no_constant(name: str):
    raise ValueError(f"JSON constant {name}")


class Pool:
    """Warm children by memory bound; thread-safe; one evaluation per child at a time."""

    def __init__(self):
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._idle: dict[int, list[_Child]] = {}
        self.replaced = 0          # children killed on a breach and replaced
        self.peak_child_kib = 0    # the highest VmHWM of a child seen at its end

    def warm(self, megabytes: int) -> None:
        """Start a child for this bound if none is idle, without waiting for it."""
        with self._lock:
            if not self._idle.get(megabytes):
                self._idle.setdefault(megabytes, []).append(_Child(megabytes))

    def _take(self, megabytes: int) -> _Child:
        """An idle child that is still alive (one that died idle is reaped), or a new one."""
        while True:
            with self._lock:
                idle = self._idle.setdefault(megabytes, [])
                child = idle.pop() if idle else None
            if child is None:
                return _Child(megabytes)
            if child.process.poll() is None:
                return child
            child.kill()

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            idle = self._idle.setdefault(child.megabytes, [])
            if len(idle) < MAX_IDLE:
                idle.append(child)
                return
        child.kill()

    def _replace(self, child: _Child) -> None:
        self.peak_child_kib = max(self.peak_child_kib, child.peak_kib())
        child.kill()
        self.replaced += 1
        self.warm(child.megabytes)

    def run(self, request: dict, functions: dict[str, Callable], bounds: Bounds) -> dict:
        """Send one request to a child and return its final answer; ScriptError on a breach of the bounds."""
        try:
            return self._run(request, functions, bounds)
        except _DiedIdle:
            return self._run(request, functions, bounds)

    def _run(self, request: dict, functions: dict[str, Callable], bounds: Bounds) -> dict:
        child = self._take(bounds.megabytes)
        was_idle, called = child.ready, False
        try:
            if not child.ready:
                child.receive(time.monotonic() + STARTUP_SECONDS, STARTUP_SECONDS)
                child.ready = True
            deadline = time.monotonic() + bounds.seconds + GRACE_SECONDS
            child.send(pickle.dumps(request | {"seconds": bounds.seconds}, protocol=pickle.HIGHEST_PROTOCOL))
            answer = child.receive(deadline, bounds.seconds)
            while "call" in answer:
                called = True
                child.send(pickle.dumps(_call(functions, answer)))
                answer = child.receive(deadline, bounds.seconds)
        except _Breach as breach:
            self._replace(child)
            if breach.died and was_idle and not called:
                raise _DiedIdle() from None
            raise ScriptError(str(breach)) from None
        except BaseException:
            self._replace(child)  # the host was interrupted mid-conversation: the child's state is unknown
            raise
        if answer.get("retire"):
            self._replace(child)
        else:
            self._give_back(child)
        return answer

    def idle_pids(self) -> list[int]:
        """The process ids of the idle children (what an operator sees in ``ps``)."""
        with self._lock:
            return [child.process.pid for children in self._idle.values() for child in children]

    def peak_kib(self) -> int:
        """The highest peak resident memory of any child this pool ran, live or ended."""
        with self._lock:
            live = [child.peak_kib() for children in self._idle.values() for child in children]
        return max([self.peak_child_kib, *live])


def _call(functions: dict[str, Callable], message: dict) -> tuple[str, object]:
    """Run a host function the child asked for; its failure goes back to the child as a message."""
    function = functions.get(message["call"])
    if function is None:
        return "error", f"没有函数 {message['call']}"
    try:
        return "value", function(*message.get("args", []), **message.get("kwargs", {}))
    except ScriptError as error:
        return "error", error.message
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        return "error", f"函数 {message['call']} 出错：{error}"


_pool: Pool | None = None
_pool_lock = threading.Lock()


def pool() -> Pool:
    """This process's pool (a forked process gets a new one; its parent's children are not its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = Pool()
        return _pool
