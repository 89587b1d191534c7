"""Every setting of a deployment: from the environment or from the one config file.

The config file (TOML, or YAML when it ends in ``.yaml``/``.yml``) is named by ``COCREA_CONFIG``.
Besides the mail tables read by ``notifications.config`` (``[smtp]``, ``[delivery]``), it holds
``[database]`` and ``[web]``, whose keys are the environment variables' names without their
prefix (:data:`FILE_KEYS`). The environment wins over the file. docs/settings.md lists them all.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from stages.errors import ConfigError

#: The database when none is named: this file in the current folder.
DEFAULT_SQLITE = "cocrea.db"

#: (table, key) of the config file -> the environment variable it stands for.
FILE_KEYS: dict[tuple[str, str], str] = {
    ("database", "url"): "COCREA_DATABASE_URL",
    ("web", "public_url"): "COCREA_PUBLIC_URL",
    ("web", "https_only"): "COCREA_HTTPS_ONLY",
    ("web", "trusted_proxies"): "COCREA_TRUSTED_PROXIES",
    ("web", "session_idle_minutes"): "COCREA_SESSION_IDLE_MINUTES",
    ("web", "session_hours"): "COCREA_SESSION_HOURS",
    ("web", "token_days"): "COCREA_TOKEN_DAYS",
    ("web", "signin_account_attempts"): "COCREA_SIGNIN_ACCOUNT_ATTEMPTS",
    ("web", "signin_address_attempts"): "COCREA_SIGNIN_ADDRESS_ATTEMPTS",
}
#: The tables a config file may have (the mail ones are checked key by key by their reader).
TABLES = ("database", "web", "smtp", "delivery")


def read_file(path: str | os.PathLike) -> dict[str, Any]:
    """The config file as a table; :class:`ConfigError` (exit 5) if it cannot be used."""
    import tomllib

    import yaml  # only for a config file, and only here: a command's start does not pay for it

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a table")
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise ConfigError(f"{path}: [{', '.join(unknown)}]: not a table of settings (docs/settings.md lists them)")
    for table in ("database", "web"):
        section = data.get(table) or {}
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [{table}]: expected a table")
        wrong = sorted(k for k in section if (table, k) not in FILE_KEYS)
        if wrong:
            raise ConfigError(f"[{table}] {', '.join(wrong)}: not a setting (docs/settings.md lists them)")
    return data


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``COCREA_*`` settings in force: the config file's ``[database]`` and ``[web]`` under
    their environment names, with the environment (a variable that is set and not empty) on top."""
    env = os.environ if env is None else env
    merged: dict[str, str] = {}
    path = env.get("COCREA_CONFIG")
    if path:
        data = read_file(path)
        for (table, key), name in FILE_KEYS.items():
            value = (data.get(table) or {}).get(key)
            if value is not None:
                merged[name] = _text(value)
    merged.update({k: v for k, v in env.items() if k.startswith("COCREA_") and v != ""})
    return merged


def database_url(explicit: str | None = None) -> str:
    """``explicit``, else ``COCREA_DATABASE_URL`` (environment or config file), else ./cocrea.db."""
    url = explicit or settings().get("COCREA_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(DEFAULT_SQLITE).resolve()}"
