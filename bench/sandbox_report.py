"""`python -m bench.sandbox_report [--seconds 2 --megabytes 256]`: every sandbox payload once, and the tally.

Runs each payload of tests/sandbox_payloads.py (escapes seen at deploy, at run time, long C-level calls, memory
bombs, unstorable values, exits, a long gateway condition) under the given bounds in this process as the host,
and prints: payloads tried, escapes (a payload that ran without being refused), evaluations over the time bound
(wall time past the bound plus one second of grace), host processes lost, and the peak memory of the host and of
a child."""
from __future__ import annotations

import argparse
import resource
import time

from engine import Bounds, ScriptError
from engine.isolation import pool
from engine.sandbox import SandboxEnvironment, check
from tests.sandbox_payloads import (EXITS, LONG_CALLS, LONG_CONDITION, MEMORY_BOMBS, SEEN_AT_DEPLOY, STOPPED_AT_RUN,
                                    UNSTORABLE)

GRACE_SECONDS = 1.0


def payloads() -> list[tuple[str, str, str]]:
    """(family, name, code) for every payload; the family says how it is run."""
    found = [("deploy", name, code) for name, code in SEEN_AT_DEPLOY.items()]
    found += [("script", name, code) for name, (code, _) in STOPPED_AT_RUN.items()]
    found += [("script", name, code) for name, code in (LONG_CALLS | MEMORY_BOMBS | EXITS).items()]
    found += [("script", name, code) for name, (code, _, _) in UNSTORABLE.items()]
    return found + [("condition", "a long gateway condition", LONG_CONDITION)]


def attempt(environment: SandboxEnvironment, family: str, code: str) -> bool:
    """True when the payload was refused."""
    try:
        if family == "deploy":
            check(code, is_script=True)
        elif family == "condition":
            environment.evaluate(code, {})
        else:
            environment.execute(code, {"values": [1]})
    except ScriptError:
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_report", description=__doc__)
    parser.add_argument("--seconds", type=float, default=Bounds().seconds)
    parser.add_argument("--megabytes", type=int, default=Bounds().megabytes)
    args = parser.parse_args()
    bounds = Bounds(args.seconds, args.megabytes)
    environment = SandboxEnvironment({}, bounds)
    tried, escapes, slow, lost, slowest = 0, [], [], 0, 0.0
    for family, name, code in payloads():
        tried += 1
        started = time.monotonic()
        try:
            refused = attempt(environment, family, code)
        except BaseException:  # noqa: BLE001 - anything but a ScriptError reaching the host counts as lost
            lost += 1
            refused = True
        seconds = time.monotonic() - started
        slowest = max(slowest, seconds)
        if not refused:
            escapes.append(name)
        if seconds > bounds.seconds + GRACE_SECONDS:
            slow.append(f"{name} ({seconds:.1f} s)")
    print(f"bounds: {bounds.seconds:g} s, {bounds.megabytes} MB per evaluation")
    print(f"payloads tried: {tried}")
    print(f"escapes: {len(escapes)}" + (f" ({', '.join(escapes)})" if escapes else ""))
    print(f"evaluations over the time bound (+{GRACE_SECONDS:g} s): {len(slow)}" + (f" ({', '.join(slow)})" if slow else "")
          + f"; slowest {slowest:.2f} s")
    print(f"host processes lost: {lost}; children killed and replaced: {pool().replaced}")
    print(f"peak RSS: host {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
          f"a child {pool().peak_kib() / 1024:.0f} MB")


if __name__ == "__main__":
    main()
