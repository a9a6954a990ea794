"""json_schema: the subset of JSON Schema that zod emits for mlp's contract, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from mlp_platform import contract
from mlp_platform.json_schema import Invalid, SchemaError, check_schema, validate

INTEGER = {"type": "integer", "minimum": 2, "maximum": 9007199254740991}
FRACTION = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}
CHOICE = {"type": "string", "enum": ["a", "b"]}
NULLABLE = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}]}
RELATIVE = contract.PLAN_SCHEMA["properties"]["project_src"]


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        (INTEGER, 1, 'field "(root)" must be an integer >= 2, got 1'),
        (INTEGER, True, 'field "(root)" must be an integer >= 2, got true'),
        (INTEGER, 2.0, 'field "(root)" must be an integer >= 2, got 2.0'),
        (INTEGER, 2**53, 'field "(root)" must be an integer >= 2, got 9007199254740992'),
        (FRACTION, 1, 'field "(root)" must be a number between 0 and 1 (exclusive), got 1'),
        (
            {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            1,
            'field "(root)" must be a number >= 0 and < 1, got 1',
        ),
        (
            {"type": "integer", "minimum": 1, "maximum": 9},
            0,
            'field "(root)" must be an integer between 1 and 9, got 0',
        ),
        (FRACTION, float("inf"), 'field "(root)" must be a number between 0 and 1 (exclusive), got Infinity'),
        (CHOICE, "c", 'field "(root)" must be one of a, b, got "c"'),
        (NULLABLE, "", 'field "(root)" must be a non-empty string or null, got ""'),
        ({"type": "string", "minLength": 3}, "ab", 'field "(root)" must be a string of 3 characters or more, got "ab"'),
        ({"type": "number", "const": 2}, 3, 'field "(root)" must be 2, got 3'),
        (
            {"type": ["string", "number", "boolean"]},
            [],
            'field "(root)" must be a string, a number or a boolean, got []',
        ),
        ({"type": "array", "items": CHOICE}, ["a", "c"], 'field "(root)" must be a list of a, b, got ["a", "c"]'),
        (
            {"type": "array", "minItems": 1, "items": {}},
            [],
            'field "(root)" must be a non-empty list of any JSON value',
        ),
        (
            {"type": "object", "properties": {"n": INTEGER}, "required": ["n"], "additionalProperties": False},
            {"n": 2, "m": 1},
            'field "m" is unknown: the fields here are n',
        ),
        (
            {"type": "object", "propertyNames": {"type": "string"}, "additionalProperties": CHOICE},
            {"x": "a", "y": "z"},
            'field "y" must be one of a, b, got "z"',
        ),
        (
            {"type": "object", "propertyNames": CHOICE, "additionalProperties": {}},
            {"c": 1},
            'field "c" is not allowed: a name here is one of a, b',
        ),
        (
            {"oneOf": [{"type": "integer"}, {"type": "number"}]},
            1,
            'field "(root)" must be an integer or a number, got 1',
        ),
    ],
)
def test_validate_names_the_field_and_what_it_must_be(schema: dict[str, Any], value: object, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        validate(schema, value)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("path", ["/etc", "a/../b", "..", "a/..", "a\\b", "", "a/b\n/.."])
def test_a_project_path_is_below_the_root(path: str) -> None:
    with pytest.raises(Invalid, match=r"must be a path relative to the project root"):
        validate(RELATIVE, path)


@pytest.mark.parametrize("path", ["src", ".mlp/runs/r1/scratch", "a/...b", "..a", "a/b.."])
def test_a_path_below_the_root_passes(path: str) -> None:
    assert validate(RELATIVE, path) == path


def test_validate_fills_in_defaults_and_copies() -> None:
    schema = {
        "type": "object",
        "properties": {"n": {**INTEGER, "default": 5}, "x": {"type": "object", "default": {}}},
        "additionalProperties": False,
    }
    value: dict[str, Any] = {}
    checked = validate(schema, value)
    assert checked == {"n": 5, "x": {}}
    assert value == {}
    checked["x"]["y"] = 1
    assert validate(schema, {}) == {"n": 5, "x": {}}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "string", "format": "email"}, 'JSON Schema keyword "format" at "s" is not implemented'),
        (
            {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}},
            'JSON Schema keyword "$ref" at "s.properties.a" is not implemented',
        ),
        ({"anyOf": [{"type": "tuple"}]}, 'type "tuple" at "s.anyOf.0" is not implemented'),
        ({"type": "array", "items": {"uniqueItems": True}}, 'JSON Schema keyword "uniqueItems" at "s.items"'),
        ({"type": "string", "pattern": "^a$"}, 'the pattern at "s" uses "$"'),
    ],
)
def test_check_schema_refuses_what_validate_does_not_implement(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        check_schema(schema, "s")
    assert str(caught.value).startswith(message)


def test_the_generated_schemas_use_only_what_validate_implements() -> None:
    # contract checks them at import; this says so where a failure would be read.
    for name in ("plan.schema.json", "events.schema.json"):
        check_schema(contract._load(name), name)
