"""Which diagram code may run in the host process: code whose cost its shape bounds.

A round trip to a child process (``engine.isolation``) costs about half a millisecond; most of a diagram's code is
``not agree``, ``len(lead_units) > 0`` or ``submitted_on = today()``, which cannot run long or grow large whatever
the data holds. The rule, checked on the syntax tree:

- an expression is cheap when it holds only names, constants, comparisons, ``and``/``or``/``not``, unary
  ``-``/``+``, ``+``/``-``, literal lists/tuples/sets, subscripts ``x[...]`` with a constant index, ``len(x)``,
  and calls of the functions the caller offers (they run in the host anyway, with bounded arguments);
- a script is cheap when each statement assigns a cheap expression to one name;
- and no value can grow past :data:`MAX_OPERANDS` times the largest operand: an expression's *weight* is the sum
  of its operands' (a name from the data, a constant, a call's result: 1; a name the script assigned: the weight
  of what it was given), and no expression may weigh more than ``MAX_OPERANDS``, so ``a = b + b; c = a + a …``
  stops at the fourth doubling; a call's arguments are weighed the same way (``len(a + a + … + a)``), and all the
  values a piece of code builds together may weigh no more than ``MAX_TOTAL`` (each assignment keeps its value
  alive until the end: a thousand ``v = a + a`` lines would hold a thousand copies). Each of these operations is linear in its operands; operands are task data (at
  most 2 MB by ``engine.data``), literals of the diagram or results of the offered functions, so the time and
  the memory are bounded by construction.

No attribute access, no ``*``, ``**``, ``%``, no comprehensions, loops or function definitions: all of those go to a
child. The host still compiles the code with the same RestrictedPython policy and checks a script's result with the
data rule, exactly as a child would.
"""
from __future__ import annotations

import ast
from functools import lru_cache

MAX_OPERANDS = 16
MAX_TOTAL = 4 * MAX_OPERANDS

_NODES = (ast.Expression, ast.Module, ast.Assign, ast.Name, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp,
          ast.List, ast.Tuple, ast.Set, ast.Subscript, ast.Call, ast.Load, ast.Store, ast.cmpop, ast.boolop, ast.Not,
          ast.USub, ast.UAdd, ast.BinOp, ast.Add, ast.Sub)


def _cheap_call(node: ast.Call, functions: frozenset[str]) -> bool:
    if not isinstance(node.func, ast.Name) or node.keywords:
        return False
    return node.func.id in functions or (node.func.id == "len" and len(node.args) == 1)


def _cheap_tree(tree: ast.AST, functions: frozenset[str]) -> bool:
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
    return True


def _weight(node: ast.AST, weights: dict[str, int], built: list[int]) -> int:
    """The node's weight; the weight of every value the host builds on the way (a call's arguments) goes in
    ``built``: ``len(a + a + … + a)`` weighs 1 but builds the whole sum first."""
    if isinstance(node, ast.Name):
        return weights.get(node.id, 1)
    if isinstance(node, ast.Constant):
        return 1
    if isinstance(node, ast.Call):
        built.extend(_weight(argument, weights, built) for argument in node.args)
        return 1
    return sum(_weight(child, weights, built) for child in ast.iter_child_nodes(node))


def _light(statements: list[ast.AST]) -> bool:
    """No value built weighs more than MAX_OPERANDS, and all of them together no more than MAX_TOTAL (a script of
    a thousand ``v = a + a`` lines keeps every value alive: see the module's rule)."""
    weights: dict[str, int] = {}
    built: list[int] = []
    for statement in statements:
        value = statement.value if isinstance(statement, ast.Assign) else statement
        weight = _weight(value, weights, built)
        built.append(weight)
        if max(built) > MAX_OPERANDS or sum(built) > MAX_TOTAL:
            return False
        if isinstance(statement, ast.Assign):
            weights[statement.targets[0].id] = weight
    return True


@lru_cache(maxsize=4096)
def is_cheap(code: str, functions: frozenset[str] = frozenset(), *, is_script: bool = False) -> bool:
    """True when ``code`` may run in the host by the module's rule; ``functions`` are the names the caller offers."""
    try:
        tree = ast.parse(code if is_script else code.strip(), mode="exec" if is_script else "eval")
    except (SyntaxError, RecursionError):
        return False
    if not _cheap_tree(tree, functions):
        return False
    try:
        if not is_script:
            return _light([tree.body])
        return all(isinstance(statement, ast.Assign) for statement in tree.body) and _light(tree.body)
    except RecursionError:  # ``a + a + … + a`` thousands long: a child will say what it costs
        return False
