"""Diagram code that must not take the host down: each payload, what it attacks, and a word its refusal contains.

Shared by tests/test_sandbox.py and bench/sandbox_report.py (which runs them all and prints the tally)."""
from __future__ import annotations

# Refused when the diagram is deployed: the code itself shows the attempt.
SEEN_AT_DEPLOY = {
    "import statement": "import os",
    "from-import": "from os import system",
    "the __import__ function": "r = __import__('os')",
    "the builtins module": "r = __builtins__",
    "subclasses of object": "r = ().__class__.__bases__[0].__subclasses__()",
    "subclasses through type()": "r = type(()).__subclasses__",
    "exec": "exec('import os')",
    "eval": "r = eval('1+1')",
    "a generator's frame": "g = (i for i in [1])\nr = g.gi_frame",
    "a generator's code": "g = (i for i in [1])\nr = g.gi_code",
    "a function's globals": "def f():\n    pass\nr = f.__globals__",
    "a function's code": "def f():\n    pass\nr = f.__code__",
    "a lambda's code": "r = (lambda: 1).__code__",
    "an exception's traceback": "try:\n    1 / 0\nexcept Exception as e:\n    r = e.__traceback__",
    "a module through a class": "r = datetime.__module__",
    "an f-string reaching a dunder": "r = f'{().__class__}'",
    "an f-string with a huge width": "r = f'{1:>999999999}'",
    "a class definition": "class X:\n    pass",
}

# Refused when the code runs: what it names is not there, or what it asks for is too large or too long.
STOPPED_AT_RUN = {
    "open a file": ("r = open('/etc/passwd').read()", "open"),
    "compile": ("r = compile('1', 'x', 'eval')", "compile"),
    "getattr on a dunder": ("r = getattr(1, '__class__')", "getattr"),
    "globals()": ("r = globals()", "globals"),
    "vars()": ("r = vars()", "vars"),
    "type() with three arguments": ("r = type('X', (), {})", "type"),
    "setattr": ("setattr(limits, 'MAX_SECONDS', 1e9)", "setattr"),
    "str.format reaching an attribute": ("r = '{0.__class__}'.format(1)", "format"),
    "str.format_map": ("r = '{x.__class__}'.format_map({'x': 1})", "format"),
    "replacing a list's method": ("x = []\nx.append = 1", "read-only"),
    "a power bomb": ("r = 10 ** 10 ** 10", "乘方"),
    "a shift bomb": ("r = 1 << 10 ** 9", "移位"),
    "a string repeat bomb": ("r = 'a' * 10 ** 10", "序列"),
    "a list repeat bomb": ("r = [0] * 10 ** 10", "序列"),
    "an augmented repeat bomb": ("r = 'a'\nr *= 10 ** 10", "序列"),
    "a padding bomb": ("r = 'a'.ljust(10 ** 10)", "宽度"),
    "a zfill bomb": ("r = '1'.zfill(10 ** 10)", "宽度"),
    "a replace bomb": ("r = ('a' * 1000).replace('a', 'a' * 10000)", "替换"),
    "a %-format width bomb": ("r = '%999999999d' % 1", "格式宽度"),
    "summing a huge range": ("r = sum(range(10 ** 12))", "range"),
    "listing a huge range": ("r = list(range(10 ** 9))", "range"),
    "a comprehension over a huge range": ("r = [i for i in range(10 ** 9)]", "range"),
    "an endless loop": ("while True:\n    pass", "秒"),
    "exponential recursion": ("def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nr = f(100)", "秒"),
    "endless recursion": ("def f():\n    return f()\nr = f()", "递归"),
    "a lambda calling itself": ("r = (lambda f: f(f))(lambda f: f(f))", "递归"),
    "a huge result": ("r = ['x' * 900000 for i in range(5)]", "数据过大"),
    "a result that repeats one list a million times": ("a = [0] * 1000000\nr = [a] * 1000000", "数据过大"),
}

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
