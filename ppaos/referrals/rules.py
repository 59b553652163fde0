"""A small declarative rule language for eligibility and benefit amounts (JSON-logic style).

A rule is JSON, stored as data and edited by coordinators; it is interpreted here and never
passed to `eval`. An expression is a literal (number, string, true/false, null, an ISO date
string) or an object with exactly one operator key:

    {"var": "age"}                                 a fact about the person or household
    {"and": [e, ...]}  {"or": [e, ...]}  {"not": e}
    {">=": [a, b]}  (also ==, !=, <, <=, >)
    {"between": [x, low, high]}                    low ≤ x ≤ high
    {"in": [x, [v, ...]]}
    {"receiving": "service_code"}                  currently receives that service's benefit
    {"tiers": [x, [[from, value], ...]]}           value of the highest `from` ≤ x
    {"if": [cond, then, cond2, then2, ..., else]}
    {"+": [a, b, ...]}  {"-": [a, b]}  {"*": [a, b, ...]}  {"/": [a, b]}
    {"min": [...]}  {"max": [...]}

Every expression has a type (number, true/false, text, date, list) and every fact declares
its type once (`Fact.type`); `validate` checks a rule against those types before it is saved:
and/or/not take true/false, arithmetic takes numbers, <, <=, >, >= and `between` take numbers
or dates, `==` compares like with like, an eligibility rule is true/false and an amount a
number. A rule that passed an older, laxer check may still fail when evaluated: callers
catch `RuleError` per rule (see `eligibility.py`) so one bad rule never breaks a page.

Logic is three-valued: a missing fact (no birth date, income not recorded) makes a comparison
*unknown* (None), not false; `and` is false if any part is false, else unknown if any part is
unknown; `or` the reverse. Every result carries its reasons, each a true statement about the
facts ("age 67 ≥ 60", "not receiving old-age allowance"), so a page can say why.
"""

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ppaos.lib.thaidate import format_be_numeric

COMPARISONS: dict[str, tuple[str, Callable[[Any, Any], bool], str]] = {
    # operator: (symbol, test, symbol of the negation)
    "==": ("=", lambda a, b: a == b, "≠"),
    "!=": ("≠", lambda a, b: a != b, "="),
    "<": ("<", lambda a, b: a < b, "≥"),
    "<=": ("≤", lambda a, b: a <= b, ">"),
    ">": (">", lambda a, b: a > b, "≤"),
    ">=": ("≥", lambda a, b: a >= b, "<"),
}
ARITHMETIC = {"+", "-", "*", "/", "min", "max"}
LOGIC = {"and", "or", "not"}
OTHER = {"var", "between", "in", "receiving", "tiers", "if"}
OPERATORS = set(COMPARISONS) | ARITHMETIC | LOGIC | OTHER

# The types of values. ANY is a fact declared without a type (it matches every type); NULL is
# the literal null (unknown).
NUMBER, BOOL, STRING, DATE, LIST = "number", "bool", "string", "date", "list"
ANY, NULL = "any", "null"
TYPE_NAMES = {
    NUMBER: gettext_lazy("a number"),
    BOOL: gettext_lazy("true/false"),
    STRING: gettext_lazy("text"),
    DATE: gettext_lazy("a date"),
    LIST: gettext_lazy("a list"),
    ANY: gettext_lazy("any value"),
    NULL: gettext_lazy("null"),
}
# Deeper rules are refused when saved (no real rule comes near; evaluation recurses).
MAX_DEPTH = 32


@dataclass(frozen=True)
class Fact:
    """A fact rules may name. `yes`/`no` describe a true/false boolean fact in reasons."""

    label: str
    yes: str = ""
    no: str = ""
    display: Callable[[Any], str] | None = None
    type: str = ANY


@dataclass
class Result:
    value: Any
    reasons: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return ", ".join(self.reasons)


class RuleError(ValueError):
    """A malformed rule: an unknown operator or fact, the wrong number or type of arguments."""


# What evaluating a rule may raise on a rule saved before its types were checked (strings in
# arithmetic, a date compared with a number, a table that is not one): each is a rule error.
EVALUATION_ERRORS = (
    RuleError,
    TypeError,
    ValueError,
    ArithmeticError,
    KeyError,
    IndexError,
    RecursionError,
)


@dataclass
class Context:
    """What a rule is evaluated against: the facts, the facts' descriptions, and a way to
    ask whether the person (or household) receives a service."""

    facts: dict[str, Any]
    known: dict[str, Fact]
    receiving: Callable[[str], bool]
    service_names: dict[str, str] = field(default_factory=dict)
    explain: bool = True


def _date(value: Any) -> Any:
    """ISO date strings in rules compare with date facts."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def show(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return format_be_numeric(value)
    if isinstance(value, float | Decimal):
        value = round(float(value), 2)
        if value != int(value):
            return f"{value:,.2f}"  # 31,885.71, not 31885.71
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def _args(node: dict, op: str, count: int | None = None, at_least: int | None = None) -> list:
    args = node[op]
    if not isinstance(args, list):
        args = [args]
    if count is not None and len(args) != count:
        raise RuleError(
            _("%(op)s takes %(count)s arguments, not %(given)s")
            % {"op": repr(op), "count": count, "given": len(args)}
        )
    if at_least is not None and len(args) < at_least:
        raise RuleError(
            _("%(op)s takes at least %(count)s arguments") % {"op": repr(op), "count": at_least}
        )
    return args


def _operator(node: Any) -> str | None:
    if isinstance(node, dict):
        if len(node) != 1:
            raise RuleError(
                _("an operation has exactly one key, not %(keys)s") % {"keys": sorted(node)}
            )
        op = next(iter(node))
        if op not in OPERATORS:
            raise RuleError(_("unknown operator %(op)s") % {"op": repr(op)})
        return op
    return None


def _describe(node: Any, value: Any, ctx: Context) -> str:
    """How an operand reads in a reason: "age 67", "household income per person a year 36,000",
    or just the literal."""
    if isinstance(node, dict) and "var" in node:
        fact = ctx.known.get(node["var"])
        label = str(fact.label) if fact else node["var"]
        if value is None:
            return _("%(fact)s not recorded") % {"fact": label}
        shown = fact.display(value) if fact and fact.display else show(value)
        return f"{label} {shown}"
    return show(value)


def _why(ctx: Context, make) -> list[str]:
    """A reason in a list, or no reason when the context does not explain."""
    return [make()] if ctx.explain else []


def _arithmetic(op: str, numbers: list) -> Any:
    """+, -, *, /, min and max over numbers that are all known; None on division by zero."""
    if op == "+":
        return sum(numbers)
    if op == "*":
        product = 1
        for n in numbers:
            product *= n
        return product
    if op == "min":
        return min(numbers)
    if op == "max":
        return max(numbers)
    if len(numbers) != 2:
        raise RuleError(f"{op!r} takes 2 arguments")
    if op == "-":
        return numbers[0] - numbers[1]
    return None if numbers[1] == 0 else numbers[0] / numbers[1]


def evaluate(node: Any, ctx: Context) -> Result:
    """Evaluate an expression; the value may be None (unknown). With `ctx.explain` off, no
    reason is written (a batch only needs the values; reasons are worked out for the rows
    that are shown). Each operator has its handler in `EVALUATORS`."""
    op = _operator(node)
    if op is None:
        if isinstance(node, list):
            return Result([evaluate(n, ctx).value for n in node])
        return Result(_date(node))
    return EVALUATORS[op](node, op, ctx)


def _eval_var(node: dict, op: str, ctx: Context) -> Result:
    name = node["var"]
    fact = ctx.known.get(name)
    if fact is None:
        raise RuleError(f"unknown fact {name!r}")
    value = ctx.facts.get(name)
    if isinstance(value, bool) and fact.yes:
        return Result(value, _why(ctx, lambda: str(fact.yes if value else fact.no)))
    if value is None:
        return Result(None, _why(ctx, lambda: _("%(fact)s not recorded") % {"fact": fact.label}))
    return Result(value, _why(ctx, lambda: _describe(node, value, ctx)))


def _eval_and(node: dict, op: str, ctx: Context) -> Result:
    parts = [evaluate(n, ctx) for n in _args(node, op, at_least=1)]
    truths = [_truth(p.value) for p in parts]
    if False in truths:
        return Result(False, _reasons(p for p, t in zip(parts, truths, strict=True) if t is False))
    if None in truths:
        return Result(None, _reasons(p for p, t in zip(parts, truths, strict=True) if t is None))
    return Result(True, _reasons(parts))


def _eval_or(node: dict, op: str, ctx: Context) -> Result:
    parts = [evaluate(n, ctx) for n in _args(node, op, at_least=1)]
    truths = [_truth(p.value) for p in parts]
    if True in truths:
        return Result(True, _reasons(p for p, t in zip(parts, truths, strict=True) if t is True))
    if None in truths:
        return Result(None, _reasons(p for p, t in zip(parts, truths, strict=True) if t is None))
    return Result(False, _reasons(parts))


def _eval_not(node: dict, op: str, ctx: Context) -> Result:
    (inner,) = _args(node, op, 1)
    part = evaluate(inner, ctx)
    return Result(None if part.value is None else not part.value, part.reasons)


def _eval_compare(node: dict, op: str, ctx: Context) -> Result:
    left, right = _args(node, op, 2)
    a, b = _date(evaluate(left, ctx).value), _date(evaluate(right, ctx).value)
    if a is None or b is None:
        missing = left if a is None else right
        return Result(None, _why(ctx, lambda: _describe(missing, None, ctx)))
    symbol, test, negation = COMPARISONS[op]
    try:
        outcome = test(_number(a), _number(b))
    except TypeError as e:
        raise RuleError(f"cannot compare {a!r} with {b!r}") from e
    shown = symbol if outcome else negation
    return Result(
        outcome,
        _why(ctx, lambda: f"{_describe(left, a, ctx)} {shown} {_describe(right, b, ctx)}"),
    )


def _eval_between(node: dict, op: str, ctx: Context) -> Result:
    x, low, high = _args(node, op, 3)
    value = evaluate(x, ctx).value
    lo, hi = evaluate(low, ctx).value, evaluate(high, ctx).value
    if value is None:
        return Result(None, _why(ctx, lambda: _describe(x, None, ctx)))
    if _number(lo) <= _number(value) <= _number(hi):
        return Result(
            True, _why(ctx, lambda: f"{show(lo)} ≤ {_describe(x, value, ctx)} ≤ {show(hi)}")
        )
    return Result(
        False,
        _why(
            ctx,
            lambda: (
                _("%(value)s outside %(low)s–%(high)s")
                % {"value": _describe(x, value, ctx), "low": show(lo), "high": show(hi)}
            ),
        ),
    )


def _eval_in(node: dict, op: str, ctx: Context) -> Result:
    x, options = _args(node, op, 2)
    value = evaluate(x, ctx).value
    choices = evaluate(options, ctx).value
    if not isinstance(choices, list):
        raise RuleError("'in' takes a list as its second argument")
    if value is None:
        return Result(None, _why(ctx, lambda: _describe(x, None, ctx)))
    if value in choices:
        return Result(True, _why(ctx, lambda: _describe(x, value, ctx)))
    return Result(
        False,
        _why(ctx, lambda: _("%(value)s (not listed)") % {"value": _describe(x, value, ctx)}),
    )


def _eval_receiving(node: dict, op: str, ctx: Context) -> Result:
    code = node["receiving"]
    if not isinstance(code, str):
        raise RuleError("'receiving' takes a service code")
    name = ctx.service_names.get(code, code)
    if ctx.receiving(code):
        return Result(True, _why(ctx, lambda: _("receiving %(service)s") % {"service": name}))
    return Result(False, _why(ctx, lambda: _("not receiving %(service)s") % {"service": name}))


def _eval_tiers(node: dict, op: str, ctx: Context) -> Result:
    x, table = _args(node, op, 2)
    value = evaluate(x, ctx).value
    if not isinstance(table, list) or not all(isinstance(r, list) and len(r) == 2 for r in table):
        raise RuleError("'tiers' takes [value, [[from, result], ...]]")
    if value is None:
        return Result(None, _why(ctx, lambda: _describe(x, None, ctx)))
    chosen = None
    for start, result in sorted(table, key=lambda r: _number(r[0])):
        if _number(value) >= _number(start):
            chosen = (start, result)
    if chosen is None:
        return Result(
            None,
            _why(
                ctx, lambda: _("%(value)s below every tier") % {"value": _describe(x, value, ctx)}
            ),
        )
    return Result(
        chosen[1],
        _why(
            ctx,
            lambda: (
                _("%(value)s: tier from %(start)s")
                % {"value": _describe(x, value, ctx), "start": show(chosen[0])}
            ),
        ),
    )


def _eval_if(node: dict, op: str, ctx: Context) -> Result:
    args = _args(node, op, at_least=1)
    reasons: list[str] = []
    for i in range(0, len(args) - 1, 2):
        condition = evaluate(args[i], ctx)
        if condition.value is None:
            return Result(None, reasons + condition.reasons)
        if condition.value:
            branch = evaluate(args[i + 1], ctx)
            return Result(branch.value, reasons + condition.reasons + branch.reasons)
        reasons += condition.reasons
    if len(args) % 2 == 1:
        branch = evaluate(args[-1], ctx)
        return Result(branch.value, reasons + branch.reasons)
    return Result(None, reasons)


def _eval_arithmetic(node: dict, op: str, ctx: Context) -> Result:
    parts = [evaluate(n, ctx) for n in _args(node, op, at_least=1)]
    values = [p.value for p in parts]
    reasons = _reasons(parts)
    if any(v is None for v in values):
        return Result(None, reasons)
    return Result(_arithmetic(op, [_number(v) for v in values]), reasons)


# One handler per operator: (node, operator, context) -> Result.
EVALUATORS: dict[str, Callable[[dict, str, Context], Result]] = (
    {
        "var": _eval_var,
        "and": _eval_and,
        "or": _eval_or,
        "not": _eval_not,
        "between": _eval_between,
        "in": _eval_in,
        "receiving": _eval_receiving,
        "tiers": _eval_tiers,
        "if": _eval_if,
    }
    | {op: _eval_compare for op in COMPARISONS}
    | {op: _eval_arithmetic for op in ARITHMETIC}
)


def _truth(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _reasons(parts) -> list[str]:
    out: list[str] = []
    for p in parts:
        for r in p.reasons:
            if r not in out:
                out.append(r)
    return out


Compiled = Callable[[dict[str, Any], Callable[[str], bool]], Any]


def compile_value(node: Any, known: dict[str, Fact]) -> Compiled:
    """The same rule as a tree of closures computing only the value (no reasons): what a
    whole-registry batch runs, several times faster than `evaluate`. Tests check that both
    agree on every shipped rule. Each operator has its handler in `COMPILERS`."""
    op = _operator(node)
    if op is None:
        if isinstance(node, list):
            items = [compile_value(n, known) for n in node]
            return lambda f, r: [item(f, r) for item in items]
        constant = _date(node)
        return lambda f, r: constant
    return COMPILERS[op](node, op, known)


def _compile_var(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    name = node["var"]
    if name not in known:
        raise RuleError(f"unknown fact {name!r}")
    return lambda f, r: f.get(name)


def _compile_receiving(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    code = node["receiving"]
    if not isinstance(code, str):
        raise RuleError("'receiving' takes a service code")
    return lambda f, r: bool(r(code))


def _compile_logic(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    """`and` and `or`."""
    parts = [compile_value(n, known) for n in _args(node, op, at_least=1)]
    decisive = op == "or"  # the truth value that settles the whole expression

    def logic(f, r):
        unknown = False
        for part in parts:
            value = part(f, r)
            if value is None:
                unknown = True
            elif bool(value) is decisive:
                return decisive
        return None if unknown else not decisive

    return logic


def _compile_not(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    (inner,) = _args(node, op, 1)
    part = compile_value(inner, known)

    def negate(f, r):
        value = part(f, r)
        return None if value is None else not value

    return negate


def _compile_compare(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    left, right = (compile_value(n, known) for n in _args(node, op, 2))
    test = COMPARISONS[op][1]

    def compare(f, r):
        a, b = _date(left(f, r)), _date(right(f, r))
        if a is None or b is None:
            return None
        try:
            return test(_number(a), _number(b))
        except TypeError as e:
            raise RuleError(f"cannot compare {a!r} with {b!r}") from e

    return compare


def _compile_between(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    x, low, high = (compile_value(n, known) for n in _args(node, op, 3))

    def between(f, r):
        value = x(f, r)
        if value is None:
            return None
        return _number(low(f, r)) <= _number(value) <= _number(high(f, r))

    return between


def _compile_in(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    x_node, options_node = _args(node, op, 2)
    x, options = compile_value(x_node, known), compile_value(options_node, known)

    def member(f, r):
        value, choices = x(f, r), options(f, r)
        if not isinstance(choices, list):
            raise RuleError("'in' takes a list as its second argument")
        return None if value is None else value in choices

    return member


def _compile_tiers(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    x_node, table = _args(node, op, 2)
    if not isinstance(table, list) or not all(
        isinstance(row, list) and len(row) == 2 for row in table
    ):
        raise RuleError("'tiers' takes [value, [[from, result], ...]]")
    x = compile_value(x_node, known)
    steps = sorted(((_number(a), b) for a, b in table), key=lambda step: step[0])

    def tiers(f, r):
        value = x(f, r)
        if value is None:
            return None
        chosen = None
        for start, result in steps:
            if _number(value) >= start:
                chosen = result
        return chosen

    return tiers


def _compile_if(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    args = [compile_value(n, known) for n in _args(node, op, at_least=1)]

    def choose(f, r):
        for i in range(0, len(args) - 1, 2):
            condition = args[i](f, r)
            if condition is None:
                return None
            if condition:
                return args[i + 1](f, r)
        return args[-1](f, r) if len(args) % 2 == 1 else None

    return choose


def _compile_arithmetic(node: dict, op: str, known: dict[str, Fact]) -> Compiled:
    parts = [compile_value(n, known) for n in _args(node, op, at_least=1)]

    def arithmetic(f, r):
        values = [part(f, r) for part in parts]
        if any(v is None for v in values):
            return None
        return _arithmetic(op, [_number(v) for v in values])

    return arithmetic


# One handler per operator: (node, operator, known facts) -> the compiled closure.
COMPILERS: dict[str, Callable[[dict, str, dict[str, Fact]], Compiled]] = (
    {
        "var": _compile_var,
        "receiving": _compile_receiving,
        "and": _compile_logic,
        "or": _compile_logic,
        "not": _compile_not,
        "between": _compile_between,
        "in": _compile_in,
        "tiers": _compile_tiers,
        "if": _compile_if,
    }
    | {op: _compile_compare for op in COMPARISONS}
    | {op: _compile_arithmetic for op in ARITHMETIC}
)


def validate(node: Any, known: dict[str, Fact], expect: str | None = None) -> None:
    """Raise ValidationError naming the first fault in a rule, so a coordinator can fix it:
    its shape (operators, facts, arguments) and its types (`type_of`). With `expect`, the
    whole rule must be of that type (BOOL for eligibility, NUMBER for an amount)."""
    try:
        check(node, known, expect)
    except RuleError as e:
        raise ValidationError(_("Rule error: %(error)s") % {"error": e}) from e


def check(node: Any, known: dict[str, Fact], expect: str | None = None) -> str:
    """The type of a rule, or RuleError naming what is wrong (see `type_of`)."""
    try:
        found = type_of(node, known)
    except RecursionError as e:
        raise RuleError(_too_deep()) from e
    if expect is not None and not _fits(found, {expect}):
        raise RuleError(
            _("the rule gives %(found)s where %(expected)s is needed")
            % {"found": TYPE_NAMES[found], "expected": TYPE_NAMES[expect]}
        )
    return found


def _too_deep() -> str:
    return _("the rule is nested too deeply (more than %(limit)s levels)") % {"limit": MAX_DEPTH}


def _fits(found: str, allowed: set[str]) -> bool:
    return found == ANY or ANY in allowed or found in allowed


def _snippet(node: Any) -> str:
    text = json.dumps(node, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _need(op: str, position: int, node: Any, found: str, allowed: set[str]) -> None:
    """RuleError unless argument `position` (from 1) of `op`, of type `found`, is allowed."""
    if _fits(found, allowed):
        return
    expected = _(" or ").join(str(TYPE_NAMES[t]) for t in sorted(allowed))
    raise RuleError(
        _("%(op)s needs %(expected)s as argument %(position)s, not %(found)s (%(value)s)")
        % {
            "op": repr(op),
            "expected": expected,
            "position": position,
            "found": TYPE_NAMES[found],
            "value": _snippet(node),
        }
    )


def _same(op: str, nodes: list, types: list[str]) -> str:
    """The one type that `types` (of `nodes`) share, ignoring ANY; RuleError if two differ."""
    seen = ANY
    for node, found in zip(nodes, types, strict=True):
        if found == ANY:
            continue
        if seen != ANY and found != seen:
            raise RuleError(
                _("%(op)s mixes %(first)s and %(second)s (%(value)s): use one type")
                % {
                    "op": repr(op),
                    "first": TYPE_NAMES[seen],
                    "second": TYPE_NAMES[found],
                    "value": _snippet(node),
                }
            )
        seen = found
    return seen


def _literal_type(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise RuleError(_("%(value)s is not a number a rule can use") % {"value": value})
        return NUMBER
    if isinstance(value, str):
        return DATE if isinstance(_date(value), dt.date) else STRING
    raise RuleError(_("%(value)s is not a value a rule can use") % {"value": _snippet(value)})


FIXED_ARGUMENTS = {"not": 1, "between": 3, "in": 2, "tiers": 2, "-": 2, "/": 2} | {
    c: 2 for c in COMPARISONS
}
SCALARS = {NUMBER, BOOL, STRING, DATE}
ORDERED = {NUMBER, DATE}


def type_of(node: Any, known: dict[str, Fact], depth: int = 0) -> str:
    """The type of an expression, checking every operator's arguments against their types,
    or RuleError naming the first fault."""
    if depth > MAX_DEPTH:
        raise RuleError(_too_deep())
    op = _operator(node)
    if op is None:
        if isinstance(node, list):
            for n in node:
                type_of(n, known, depth + 1)
            return LIST
        if isinstance(node, dict):
            raise RuleError(_("an empty object is not a rule"))
        return _literal_type(node)
    if op == "var":
        name = node["var"]
        if not isinstance(name, str) or name not in known:
            raise RuleError(
                _("unknown fact %(fact)s; known: %(known)s")
                % {"fact": _snippet(name), "known": ", ".join(sorted(known))}
            )
        return known[name].type
    if op == "receiving":
        if not isinstance(node["receiving"], str):
            raise RuleError(_("'receiving' takes a service code"))
        return BOOL
    args = _args(node, op, FIXED_ARGUMENTS.get(op), at_least=1)
    if op == "tiers":
        return _tiers_type(args, known, depth)
    if op == "in":
        return _in_type(args, known, depth)
    types = [type_of(a, known, depth + 1) for a in args]
    if op in LOGIC:
        for i, (a, t) in enumerate(zip(args, types, strict=True), 1):
            _need(op, i, a, t, {BOOL})
        return BOOL
    if op in ("==", "!="):
        for i, (a, t) in enumerate(zip(args, types, strict=True), 1):
            _need(op, i, a, t, SCALARS)
        _same(op, args, types)
        return BOOL
    if op in COMPARISONS or op == "between":
        for i, (a, t) in enumerate(zip(args, types, strict=True), 1):
            _need(op, i, a, t, ORDERED)
        _same(op, args, types)
        return BOOL
    if op == "if":
        conditions = [i for i in range(0, len(args) - 1, 2)]
        for i in conditions:
            _need(op, i + 1, args[i], types[i], {BOOL})
        branches = [i for i in range(len(args)) if i not in conditions]
        shown = [i for i in branches if types[i] != NULL]
        found = _same(op, [args[i] for i in shown], [types[i] for i in shown])
        return found if shown else NULL
    # Arithmetic.
    for i, (a, t) in enumerate(zip(args, types, strict=True), 1):
        _need(op, i, a, t, {NUMBER})
    return NUMBER


def _in_type(args: list, known: dict[str, Fact], depth: int) -> str:
    x, options = args
    found = type_of(x, known, depth + 1)
    _need("in", 1, x, found, SCALARS)
    if not isinstance(options, list):
        raise RuleError(_("'in' takes a list of values as its second argument"))
    types = [type_of(o, known, depth + 2) for o in options]
    for o, t in zip(options, types, strict=True):
        _need("in", 2, o, t, SCALARS)
    _same("in", [x, *options], [found, *types])
    return BOOL


def _tiers_type(args: list, known: dict[str, Fact], depth: int) -> str:
    x, table = args
    _need("tiers", 1, x, type_of(x, known, depth + 1), {NUMBER})
    if not isinstance(table, list) or not all(isinstance(r, list) and len(r) == 2 for r in table):
        raise RuleError(_("'tiers' takes [value, [[from, result], ...]]"))
    results = []
    for start, result in table:
        plain = not isinstance(start, dict | list)
        _need("tiers", 2, start, _literal_type(start) if plain else LIST, {NUMBER})
        if _operator(result) is not None or isinstance(result, list):
            raise RuleError(
                _("'tiers' takes plain values as results, not %(value)s")
                % {"value": _snippet(result)}
            )
        results.append(result)
    types = [_literal_type(r) for r in results]
    shown = [(r, t) for r, t in zip(results, types, strict=True) if t != NULL]
    if not shown:
        return NULL
    return _same("tiers", [r for r, _t in shown], [t for _r, t in shown])


def references(node: Any) -> set[str]:
    """Service codes a rule asks about with `receiving`."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "receiving" and isinstance(value, str):
                found.add(value)
            else:
                found |= references(value)
    elif isinstance(node, list):
        for n in node:
            found |= references(n)
    return found


def describe(node: Any, known: dict[str, Fact]) -> str:
    """A rule as a person reads it: `age ≥ 60 and Thai nationality`."""
    op = _operator(node)
    if op is None:
        if isinstance(node, list):
            return "[" + ", ".join(describe(n, known) for n in node) + "]"
        return show(_date(node))
    args = node[op] if isinstance(node[op], list) else [node[op]]
    if op == "var":
        fact = known.get(node["var"])
        return str(fact.label) if fact else str(node["var"])
    if op in ("and", "or"):
        joiner = f" {_('and') if op == 'and' else _('or')} "
        parts = [describe(a, known) for a in args]
        text = joiner.join(
            f"({p})" if _operator(a) in ("and", "or") else p
            for a, p in zip(args, parts, strict=True)
        )
        return text
    if op == "not":
        return _("not %(rule)s") % {"rule": describe(args[0], known)}
    if op in COMPARISONS:
        return f"{describe(args[0], known)} {COMPARISONS[op][0]} {describe(args[1], known)}"
    if op == "between":
        return (
            f"{describe(args[1], known)} ≤ {describe(args[0], known)} ≤ {describe(args[2], known)}"
        )
    if op == "in":
        return _("%(value)s in %(list)s") % {
            "value": describe(args[0], known),
            "list": describe(args[1], known),
        }
    if op == "receiving":
        return _("receiving %(service)s") % {"service": node["receiving"]}
    if op == "tiers":
        steps = "; ".join(f"{show(a)}+: {show(b)}" for a, b in args[1])
        return f"{describe(args[0], known)} → {steps}"
    if op == "if":
        parts = []
        for i in range(0, len(args) - 1, 2):
            parts.append(
                _("if %(cond)s then %(value)s")
                % {"cond": describe(args[i], known), "value": describe(args[i + 1], known)}
            )
        if len(args) % 2 == 1:
            parts.append(_("otherwise %(value)s") % {"value": describe(args[-1], known)})
        return "; ".join(parts)
    return f" {op} ".join(describe(a, known) for a in args)
