"""Which diagram code may run in the host process: code whose cost its shape bounds.

A round trip to a child process (``engine.isolation``) costs about half a millisecond; most of a diagram's code is
``not agree``, ``len(lead_units) > 0`` or ``submitted_on = today()``, which cannot run long or grow large whatever
the data holds. The rule, checked on the syntax tree:

- an expression is cheap when it holds only names, constants, comparisons, ``and``/``or``/``not``, unary
  ``-``/``+``, ``+``/``-``, literal lists/tuples/sets, subscripts ``x[...]`` with a constant index, ``len(x)``,
  and calls of the functions the caller offers (they run in the host anyway, with bounded arguments), and has at
  most :data:`MAX_OPERANDS` names and constants. Each of these operations is linear in its operands; operands are
  task data (at most 2 MB by ``engine.data``) or literals, so no value made is larger than ``MAX_OPERANDS`` times
  the largest variable, and the time is linear in that;
- a script is cheap when each statement assigns a cheap expression to one name, with at most ``MAX_OPERANDS``
  names and constants in all, and ``+``/``-`` never read a name assigned earlier in the script (so values cannot
  double statement after statement).

No attribute access, no ``*``, ``**``, ``%``, no comprehensions, loops or function definitions: all of those go to a
child. The host still compiles the code with the same RestrictedPython policy and checks a script's result with the
data rule, exactly as a child would.
"""
from __future__ import annotations

import ast
from functools import lru_cache

MAX_OPERANDS = 16

_NODES = (ast.Expression, ast.Module, ast.Assign, ast.Name, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp,
          ast.List, ast.Tuple, ast.Set, ast.Subscript, ast.Call, ast.Load, ast.Store, ast.cmpop, ast.boolop, ast.Not,
          ast.USub, ast.UAdd, ast.BinOp, ast.Add, ast.Sub)


def _cheap_call(node: ast.Call, functions: frozenset[str]) -> bool:
    if not isinstance(node.func, ast.Name) or node.keywords:
        return False
    return node.func.id in functions or (node.func.id == "len" and len(node.args) == 1)


def _cheap_tree(tree: ast.AST, functions: frozenset[str]) -> bool:
    operands = 0
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            return False
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
            return False
        if isinstance(node, ast.Call) and not _cheap_call(node, functions):
            return False
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return False
        if isinstance(node, ast.Assign) and (len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name)):
            return False
        if isinstance(node, (ast.Name, ast.Constant)) and not isinstance(getattr(node, "ctx", None), ast.Store):
            operands += 1
    return operands <= MAX_OPERANDS


def _no_growth(statements: list[ast.stmt]) -> bool:
    """``+``/``-`` read no name an earlier statement assigned."""
    assigned: set[str] = set()
    for statement in statements:
        for node in ast.walk(statement.value):
            if isinstance(node, ast.BinOp) and any(isinstance(part, ast.Name) and part.id in assigned
                                                   for part in ast.walk(node)):
                return False
        assigned.add(statement.targets[0].id)
    return True


@lru_cache(maxsize=4096)
def is_cheap(code: str, functions: frozenset[str] = frozenset(), *, is_script: bool = False) -> bool:
    """True when ``code`` may run in the host by the module's rule; ``functions`` are the names the caller offers."""
    try:
        tree = ast.parse(code if is_script else code.strip(), mode="exec" if is_script else "eval")
    except SyntaxError:
        return False
    if not _cheap_tree(tree, functions):
        return False
    return not is_script or (all(isinstance(s, ast.Assign) for s in tree.body) and _no_growth(tree.body))
