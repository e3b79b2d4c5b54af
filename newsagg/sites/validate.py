"""TOML data checked against a JSON Schema shipped beside it: the first mistake, as one line.

The schemas carry an `x-message` where a bare validator message would not tell a newcomer what
to write ("expected an http(s) URL"); a regex key is checked with `"format": "regex"`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from newsagg.errors import ProfileError

_TYPE_NAMES = {"array": "list", "object": "table", "integer": "whole number"}


def check(data: dict[str, Any], schema_name: str, filename: str) -> None:
    """Raise `ProfileError("<filename>: <key>: <what is wrong>")` for the most relevant
    mistake in `data`; return quietly when there is none."""
    error = best_match(_validator(schema_name).iter_errors(data))
    if error is not None:
        key, message = _explain(error)
        raise ProfileError(f"{filename}: {key}: {message}")


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    """The schema `newsagg/sites/<schema_name>`, read and checked once."""
    text = (resources.files("newsagg.sites") / schema_name).read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _explain(error: ValidationError) -> tuple[str, str]:
    """The dotted key (list positions left out) and a message that names what was expected."""
    path = [part for part in error.absolute_path if isinstance(part, str)]
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        known = schema.get("x-keys") or f"one of {', '.join(sorted(schema.get('properties', {})))}"
        return _dotted(
            [*path, _unknown_key(error.instance, schema)]
        ), f"unknown key; expected {known}"
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in error.instance)
        return _dotted([*path, missing]), "missing"
    if error.validator == "type":
        return _dotted(
            path
        ), f"expected a {_type_name(error.validator_value)}, got {error.instance!r}"
    if error.validator == "format" and error.cause is not None:
        return _dotted(path), f"bad regex {error.instance!r}: {error.cause}"
    message = schema.get("x-message", error.message)
    return _dotted(path), f"{message}, got {error.instance!r}"


def _unknown_key(instance: dict[str, Any], schema: dict[str, Any]) -> str:
    patterns = schema.get("patternProperties", {})
    return sorted(
        key
        for key in instance
        if key not in schema.get("properties", {}) and not any(re.search(p, key) for p in patterns)
    )[0]


def _type_name(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else expected
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def _dotted(path: list[str]) -> str:
    return ".".join(path) or "(top level)"
