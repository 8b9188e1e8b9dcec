"""Diagram code that must not take the host down: each payload, what it attacks, and a word its refusal contains.

Shared by tests/test_sandbox.py and bench/sandbox_report.py (which runs them all and prints the tally)."""
from __future__ import annotations

# One C-level operation that runs long: only the child's deadline stops it.
LONG_CALLS = {
    "a huge power": "r = pow(3, 4 * 10 ** 7)",
    "a modular power with a huge exponent": "m = (1 << 99999) - 1\nr = pow(3, m, m)",
    "round to a huge negative precision": "r = round(7, -10 ** 7)",
    "sorting a million megabyte strings": 'r = sorted(["a" * 10 ** 6] * 10 ** 6)',
}

# One operation, or a short loop, that allocates gigabytes: only the child's memory limit stops it.
MEMORY_BOMBS = {
    "a string doubled in a loop": "s = 'a' * 1000\nwhile True:\n    s += s",
    "a list extended by itself": "x = [1] * 1000\nwhile True:\n    x.extend(x)",
    "a %-format star width": 'r = "%*d" % (1500000000, 1)',
    "int.to_bytes of a huge length": 'r = (1).to_bytes(1500000000, "big")',
    "a join of a long separator": 'r = ("x" * 2000).join("y" * 10 ** 6)',
    "str.translate to long strings": 'r = ("a" * 10 ** 6).translate({97: "b" * 10 ** 4})',
    "repr of a list of big strings": 's = "a" * 10 ** 6\nr = repr([s] * 2000)',
    "rows of a big list": "rows = [[0] * 900000 for i in range(5000)]",
}

# Values task data cannot hold: the data rule refuses them, naming the variable.
UNSTORABLE = {
    "a range": ("r = range(3)", "r", "range"),
    "a set": ("r = {1, 2}", "r", "集合"),
    "bytes": ('r = b"x"', "r", "字节串"),
    "a complex number": ("r = complex(1, 2)", "r", "复数"),
    "a tuple key": ("r = {(1, 2): 1}", "r", "不是文字"),
    "a huge integer": ("r = 10 ** 5000", "r", "整数"),
    "a list nested 5,000 deep": ("r = []\nfor i in range(5000):\n    r = [r]", "r", "嵌套"),
    "not a number": ('r = float("nan")', "r", "NaN"),
    "an integer key": ('names = {1: "甲"}', "names", "键 1 不是文字"),
    "a tuple": ("r = (1, 2)", "r", "请改用列表"),
}

# Ways to end the process from inside a script: each ends as a ScriptError, the host goes on.
EXITS = {
    "SystemExit": "raise SystemExit(0)",
    "KeyboardInterrupt": "raise KeyboardInterrupt",
    "a generator thrown SystemExit": "def g():\n    yield 1\n    yield 2\nx = g()\nfor v in x:\n    x.throw(SystemExit)",
}

# A gateway condition that runs long, and one that would grow the data.
LONG_CONDITION = '"a" * 999999 + "b" in ["a" * 10 ** 6] * 10 ** 6'
GROWING_CONDITION = "decisions.extend(decisions * 1000) or True"
