"""Typed settings from TOML tables: each component's settings dataclass *is* its config section.

A component (the fetcher, the verdict rules, a delivery channel...) declares one frozen
dataclass whose fields are its config keys and whose defaults are the only defaults there are.
:func:`from_table` builds that dataclass from a parsed TOML table, checking every key against
the fields and every value against the field's type, so the config file, the code and the
README's key reference cannot drift apart (dlt's "typed config per stage", urlwatch's "config as
data").  Validation that needs more than a type (a value in a range, one of a set of names)
lives in the dataclass's ``__post_init__`` and raises ``ValueError``; it is reported the same way.

Types understood: ``str``, ``int``, ``float`` (an int is accepted), ``bool`` (never an int),
``Path``, ``X | None`` (TOML has no null: the key is simply left out), ``tuple[str, ...]``/``list[str]``,
and ``dict[str, float]``/``dict[str, str]``.  A table-valued field is *merged* over its default:
``recheck_hours = {dead = 168}`` changes one state and keeps the others.

Fields whose ``metadata`` has ``config=False`` are not config keys (injected collaborators).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["SettingsError", "from_table", "config_keys"]


class SettingsError(ValueError):
    """A key or value that does not fit the settings class; the message names the key."""


def config_keys(cls: type) -> dict[str, Any]:
    """The config keys of a settings class: field name -> resolved type."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)
            if f.init and f.metadata.get("config", True)}


def from_table(cls: type[T], table: dict[str, Any], where: str) -> T:
    """Build ``cls`` from a TOML table.  ``where`` names the table in messages (``fetch``,
    ``delivery.email``); errors are :class:`SettingsError` with one line naming the key."""
    keys = config_keys(cls)
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in keys:
            raise SettingsError(f"unknown key '{where}.{key}'")
        value = _coerce(raw, keys[key], f"{where}.{key}")
        default = _default(cls, key)
        if isinstance(value, dict) and isinstance(default, dict):
            value = {**default, **value}
        values[key] = value
    try:
        return cls(**values)
    except (ValueError, TypeError) as exc:
        # A class's own check names its field ('runner' must be ...): name it as the file does.
        message = str(exc)
        if message.startswith("'"):
            raise SettingsError(f"'{where}.{message[1:]}") from None
        raise SettingsError(f"[{where}] {message}") from None


def _default(cls: type, name: str) -> Any:
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def _coerce(value: Any, expected: Any, key: str) -> Any:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _coerce(value, inner[0], key)
    if origin in (tuple, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(key, "a list of strings", value)
        return tuple(value) if origin is tuple else list(value)
    if origin is dict:
        value_type = args[1] if len(args) == 2 else Any
        if not isinstance(value, dict):
            raise _bad(key, "a table", value)
        return {k: _coerce(v, value_type, f"{key}.{k}") for k, v in value.items()}
    return _scalar(value, expected, key)


def _scalar(value: Any, expected: Any, key: str) -> Any:
    if expected is Any:
        return value
    if expected is bool:
        if not isinstance(value, bool):
            raise _bad(key, "true or false", value)
        return value
    if isinstance(value, bool):  # bool is an int in Python, never in a config
        raise _bad(key, _NAMES.get(expected, str(expected)), value)
    if expected is float:
        if not isinstance(value, (int, float)):
            raise _bad(key, "a number", value)
        return float(value)
    if expected is Path:
        if not isinstance(value, str):
            raise _bad(key, "a path (a string)", value)
        return Path(value)
    if expected in (int, str):
        if not isinstance(value, expected):
            raise _bad(key, _NAMES[expected], value)
        return value
    raise TypeError(f"settings field '{key}' has a type TOML cannot hold: {expected!r}")


_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _bad(key: str, what: str, value: Any) -> SettingsError:
    return SettingsError(f"'{key}' must be {what}, not {type(value).__name__} {value!r}"[:300])
