"""Diagram code cannot reach the server: every escape is refused, at deploy time where it shows, else when it runs.

Each attempt writes what it got into ``r``; an attempt that got through would leave ``r`` in the task's data.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine import InvalidDiagram, ProcessDefinition, ProcessInstance, ScriptError, limits
from engine.sandbox import SandboxEnvironment, check
from tests.engine_support import diagram, make_engine

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
    "endless recursion": ("def f():\n    return f()\nr = f()", "RecursionError"),
    "a lambda calling itself": ("r = (lambda f: f(f))(lambda f: f(f))", "RecursionError"),
    "a huge result": ("r = ['x' * 900000 for i in range(5)]", "数据过大"),
    "a result that repeats one list a million times": ("a = [0] * 1000000\nr = [a] * 1000000", "数据过大"),
}


@pytest.fixture(autouse=True)
def short_time_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SECONDS", 0.3)


def test_there_are_at_least_thirty_escape_attempts():
    assert len(SEEN_AT_DEPLOY) + len(STOPPED_AT_RUN) >= 30


@pytest.mark.parametrize("code", SEEN_AT_DEPLOY.values(), ids=SEEN_AT_DEPLOY.keys())
def test_an_escape_that_shows_in_the_code_is_refused_before_it_is_deployed(code):
    with pytest.raises(ScriptError, match="拒绝"):
        check(code, is_script=True)


@pytest.mark.parametrize("code, message", STOPPED_AT_RUN.values(), ids=STOPPED_AT_RUN.keys())
def test_an_escape_that_only_shows_when_it_runs_is_stopped_and_leaves_nothing(code, message):
    check(code, is_script=True)  # nothing to see statically
    data = {"values": [1]}
    with pytest.raises(Exception, match=message):
        SandboxEnvironment({}).execute(code, data)
    assert "r" not in data


@pytest.mark.parametrize("code, expected", [
    ("r = 2 ** 100", 2 ** 100),
    ("r = [1, 2] * 3", [1, 2, 1, 2, 1, 2]),
    ("r = 'a%5d' % 3", "a    3"),
    ("r = 1\nr += 2", 3),
    ("r = max([3, 1, 2]) + min(4, 5)", 7),
    ("r = ''.join(str(i) for i in range(5)).rjust(7, '0')", "0001234"),
    ("r = sorted(dict(b=1, a=2))", ["a", "b"]),
    ("r = f'{3.14159:.2f}'", "3.14"),
])
def test_ordinary_code_still_runs(code, expected):
    data = {}
    SandboxEnvironment({}).execute(code, data)
    assert data["r"] == expected


def test_the_worker_puts_an_endless_script_in_error_and_fires_the_other_instances(app, db, runner):
    engine = make_engine(db)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("timers.bpmn").replace(b"total = sum(values)", b"while True:\n    total = 1"),
                  deployed_by="tester")
    endless = engine.start_instance("timers", data={"values": [1]}).id
    engine.deploy(diagram("timers.bpmn"), deployed_by="tester")
    healthy = engine.start_instance("timers", data={"values": [1]}).id
    db.commit()
    runner.invoke(args=["clock", "advance", "4d"])
    result = runner.invoke(args=["worker", "--once"])
    assert "已触发 1 个" in result.output and "失败 1 个" in result.output
    db.expire_all()
    assert db.get(ProcessInstance, endless).status == "error"
    assert "秒" in db.get(ProcessInstance, endless).error_message
    assert db.get(ProcessInstance, healthy).status == "completed"


def test_a_diagram_with_an_import_is_not_deployed_and_the_element_is_named(engine_db):
    unsafe = diagram("timers.bpmn").replace(b"total = sum(values)", b"import os\ntotal = 1")
    with engine_db() as session:
        with pytest.raises(InvalidDiagram) as refused:
            make_engine(session).deploy(unsafe, deployed_by="tester")
        assert refused.value.element == "compute" and "import" in refused.value.message
        assert session.scalars(select(ProcessDefinition)).all() == []
