"""Reading settings from the environment: one helper a kind of value.

config/settings.py and gunicorn.conf.py read every variable through these, so a value that is
not what the setting needs stops the start with a message that names the variable, rather than a
bare ValueError from deep inside a library. An unset or blank variable gives the default.
"""

import json
import os
from collections.abc import Callable, Collection

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    """The variable's value, stripped; `default` when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list, each item stripped and blanks dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return _converted(name, default, int, "a whole number")


def env_float(name: str, default: float) -> float:
    return _converted(name, default, float, "a number")


def _converted(name: str, default, convert: Callable, kind: str):
    value = env_str(name)
    if not value:
        return default
    try:
        return convert(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not {kind}.") from None


def env_json(name: str, default):
    value = env_str(name)
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {error}") from None


def env_choice(name: str, default: str, choices: Collection[str]) -> str:
    """One of `choices` (compared as given, after stripping)."""
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: use one of {', '.join(choices)}.")
    return value
