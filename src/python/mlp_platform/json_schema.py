"""A validator for the subset of JSON Schema (draft 2020-12) that zod's ``z.toJSONSchema`` emits for
mlp's contract: ``plan.schema.json`` and ``events.schema.json``, generated from src/contract/.

Why not a library: the platform runs in the client project's locked environment, whose uv.lock pins no
JSON Schema validator (pydantic validates its own models, not schema documents), and the trainer loads
the plan before its sandbox with the standard library alone. So this implements the keywords those
schemas use and nothing else, and ``check_schema`` refuses a schema with any other keyword: a contract
change this cannot check fails the tests (and the import of ``contract``) instead of passing unchecked.

Where Python and JavaScript differ, it follows zod, which wrote the schema and parses in mlp: a
boolean is neither an integer nor a number (Python's bool is an int), an integer is an int (mlp never
writes ``1.0`` for one), a number is finite. ``validate`` returns a copy of the value in which an
absent property that has a ``default`` holds it.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

Schema = Mapping[str, Any]

_ANNOTATIONS = frozenset({"$schema", "$comment", "title", "description", "default"})
_ASSERTIONS = frozenset(
    {
        "type",
        "const",
        "enum",
        "minLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "items",
        "minItems",
        "anyOf",
        "oneOf",
    }
)
_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
_NOUNS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}
_SAFE_INTEGER = 2**53 - 1
"""zod bounds every integer by JavaScript's safe integers; messages leave these bounds out."""


class SchemaError(Exception):
    """The schema uses what this validator does not implement."""


class Invalid(ValueError):
    """A value does not fit the schema: ``field`` (dotted, ``(root)`` for the whole value) and what
    is wrong with it (``clause``, e.g. ``must be an integer >= 2, got 1``)."""

    def __init__(self, path: Sequence[str | int], clause: str) -> None:
        self.field = ".".join(map(str, path)) or "(root)"
        self.clause = clause
        super().__init__(f'field "{self.field}" {clause}')


def check_schema(schema: object, where: str = "(root)") -> None:
    """Raises SchemaError when `schema`, or any schema inside it, has a keyword ``validate`` does
    not implement, a type it does not know, or a pattern that Python would read differently."""
    if not isinstance(schema, Mapping):
        raise SchemaError(f'the schema at "{where}" is not an object')
    for keyword in schema:
        if keyword not in _ANNOTATIONS | _ASSERTIONS:
            raise SchemaError(f'JSON Schema keyword "{keyword}" at "{where}" is not implemented by {__name__}')
    for name in _types(schema):
        if name not in _TYPES:
            raise SchemaError(f'type "{name}" at "{where}" is not implemented by {__name__}')
    if "$" in schema.get("pattern", ""):
        # Python's "$" also matches before a final newline, JavaScript's does not.
        raise SchemaError(f'the pattern at "{where}" uses "$": end it with (?![\\s\\S]) instead')
    for key, sub in schema.get("properties", {}).items():
        check_schema(sub, f"{where}.properties.{key}")
    for keyword in ("additionalProperties", "propertyNames", "items"):
        if isinstance(schema.get(keyword), Mapping):
            check_schema(schema[keyword], f"{where}.{keyword}")
    for keyword in ("anyOf", "oneOf"):
        for index, sub in enumerate(schema.get(keyword, [])):
            check_schema(sub, f"{where}.{keyword}.{index}")


def validate(schema: Schema, value: object, path: Sequence[str | int] = ()) -> Any:
    """`value` checked against `schema`, with the defaults of absent properties filled in.

    Raises Invalid for the first problem found, naming its field."""
    if "type" in schema and not any(is_type(value, name) for name in _types(schema)):
        raise _mismatch(schema, value, path)
    if "const" in schema and not _same(value, schema["const"]):
        raise _mismatch(schema, value, path)
    if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
        raise _mismatch(schema, value, path)
    if isinstance(value, str) and not _fits_string(schema, value):
        raise _mismatch(schema, value, path)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not _fits_bounds(schema, value):
        raise _mismatch(schema, value, path)
    if "anyOf" in schema or "oneOf" in schema:
        value = _one_of(schema, value, path)
    if isinstance(value, list):
        return _validate_list(schema, value, path)
    if isinstance(value, dict):
        return _validate_object(schema, value, path)
    return value


def expected(schema: Schema) -> str:
    """What a value of `schema` is, as messages say it: its description, else from its keywords."""
    if "description" in schema:
        return str(schema["description"])
    if "const" in schema:
        return _shown(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(_bare(option) for option in schema["enum"])
    branches = schema.get("anyOf", schema.get("oneOf"))
    if branches is not None:
        return _alternatives([expected(branch) for branch in branches])
    names = _types(schema)
    if len(names) != 1:
        return _alternatives([_NOUNS[name] for name in names]) if names else "any JSON value"
    name = names[0]
    if name in ("integer", "number"):
        return _NOUNS[name] + _bounds(schema)
    if name == "string":
        if "pattern" in schema:
            return f"a string matching {schema['pattern']}"
        shortest = schema.get("minLength", 0)
        return {0: "a string", 1: "a non-empty string"}.get(shortest, f"a string of {shortest} characters or more")
    if name == "array":
        items = schema.get("items", {})
        what = ", ".join(map(_bare, items["enum"])) if "enum" in items else expected(items)
        return f"a {'non-empty ' if schema.get('minItems', 0) >= 1 else ''}list of {what}"
    return _NOUNS[name]


def _types(schema: Schema) -> list[str]:
    names = schema.get("type", [])
    return [names] if isinstance(names, str) else list(names)


def is_type(value: object, name: str) -> bool:
    """True when `value` (as ``json`` reads it) is of JSON Schema type `name`, as zod sees it."""
    if isinstance(value, bool):
        return name == "boolean"
    if name == "integer":
        return isinstance(value, int)
    if name == "number":
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    kinds: dict[str, type | None] = {"object": dict, "array": list, "string": str, "null": type(None)}
    kind = kinds.get(name)
    return kind is not None and isinstance(value, kind)


def _same(value: object, other: object) -> bool:
    return isinstance(value, bool) == isinstance(other, bool) and value == other


def _fits_string(schema: Schema, value: str) -> bool:
    if len(value) < schema.get("minLength", 0):
        return False
    return "pattern" not in schema or re.search(schema["pattern"], value) is not None


def _fits_bounds(schema: Schema, value: float) -> bool:
    low: float = schema.get("minimum", -math.inf)
    high: float = schema.get("maximum", math.inf)
    above: float = schema.get("exclusiveMinimum", -math.inf)
    below: float = schema.get("exclusiveMaximum", math.inf)
    return low <= value <= high and above < value < below


def _one_of(schema: Schema, value: object, path: Sequence[str | int]) -> Any:
    """The value as the branch it fits checked it: any branch for anyOf, exactly one for oneOf."""
    fits = []
    for branch in schema.get("anyOf", schema.get("oneOf", [])):
        try:
            fits.append(validate(branch, value, path))
        except Invalid:
            continue
    if not fits or ("oneOf" in schema and len(fits) > 1):
        raise _mismatch(schema, value, path)
    return fits[0]


def _validate_list(schema: Schema, value: list[Any], path: Sequence[str | int]) -> list[Any]:
    if len(value) < schema.get("minItems", 0):
        raise _mismatch(schema, value, path)
    if "items" not in schema:
        return list(value)
    try:
        return [validate(schema["items"], item, [*path, index]) for index, item in enumerate(value)]
    except Invalid:
        # Said of the whole list, as the list's description puts it.
        raise _mismatch(schema, value, path) from None


def _validate_object(schema: Schema, value: dict[str, Any], path: Sequence[str | int]) -> dict[str, Any]:
    """The properties in the schema's order (so a plan of another version says so first), then the
    others."""
    properties: Mapping[str, Schema] = schema.get("properties", {})
    required = schema.get("required", [])
    checked: dict[str, Any] = {}
    for key, sub in properties.items():
        if key in value:
            checked[key] = validate(sub, value[key], [*path, key])
        elif key in required:
            raise Invalid([*path, key], f"is missing: it must be {expected(sub)}")
        elif "default" in sub:
            checked[key] = copy.deepcopy(sub["default"])
    names, extra = schema.get("propertyNames"), schema.get("additionalProperties", True)
    for key, item in value.items():
        if names is not None and not _fits(names, key):
            raise Invalid([*path, key], f"is not allowed: a name here is {expected(names)}")
        if key in properties:
            continue
        if extra is False:
            raise Invalid([*path, key], f"is unknown: the fields here are {', '.join(properties)}")
        checked[key] = validate(extra, item, [*path, key]) if isinstance(extra, Mapping) else item
    return checked


def _fits(schema: Schema, value: object) -> bool:
    try:
        validate(schema, value)
    except Invalid:
        return False
    return True


def _mismatch(schema: Schema, value: object, path: Sequence[str | int]) -> Invalid:
    return Invalid(path, f"must be {expected(schema)}, got {_shown(value)}")


def _bounds(schema: Schema) -> str:
    ops = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
    bounds = [(op, schema[key]) for key, op in ops.items() if key in schema and abs(schema[key]) != _SAFE_INTEGER]
    if [op for op, _ in bounds] in ([">=", "<="], [">", "<"]):
        exclusive = " (exclusive)" if bounds[0][0] == ">" else ""
        return f" between {_shown(bounds[0][1])} and {_shown(bounds[1][1])}{exclusive}"
    return " and".join(f" {op} {_shown(bound)}" for op, bound in bounds)


def _alternatives(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} or {phrases[-1]}"


def _bare(value: object) -> str:
    """An option as lists of options show it: a string without quotes."""
    return value if isinstance(value, str) else _shown(value)


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
