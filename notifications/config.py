"""Mail settings: from the environment or a config file (TOML or YAML), never from code.

Environment (wins over the file)::

    COCREA_SMTP_HOST       no host: mail is written as .eml files to COCREA_OUTBOX_DIR
    COCREA_SMTP_PORT       default 587 (starttls), 465 (tls), 25 (none)
    COCREA_SMTP_SECURITY   starttls | tls | none          (default starttls)
    COCREA_SMTP_USER, COCREA_SMTP_PASSWORD
    COCREA_SMTP_FROM       sender address                 (default cocrea@localhost)
    COCREA_SMTP_FROM_NAME  sender name                    (default cocrea)
    COCREA_SMTP_TIMEOUT    seconds per SMTP command       (default 30)
    COCREA_SMTP_CONCURRENCY  parallel connections         (default 4)
    COCREA_SMTP_CA_FILE    CA certificates to trust (PEM) besides the system's
    COCREA_OUTBOX_DIR      folder of .eml files           (default ./cocrea-outbox)
    COCREA_CONFIG          path of a config file

Config file (read by :mod:`storage.settings`, which checks every table and key; docs/settings.md
lists them all): a ``[smtp]`` table with the same names in lower case (``host``, ``port``,
``security``, ``user``, ``password``, ``from``, ``from_name``, ``timeout``, ``concurrency``,
``outbox_dir``, ``ca_file``) and an optional ``[delivery]`` table (``batch``, ``lease_seconds``,
``max_attempts``, ``backoff_seconds``, ``backoff_cap_seconds``).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from stages.errors import ConfigError
from storage.settings import read_file, settings  # noqa: F401  (the web app reads its settings through here)

SECURITY = ("starttls", "tls", "none")
#: Keys of the config file's ``[smtp]`` table; each but ``outbox_dir`` and ``message_id_domain``
#: is also ``COCREA_SMTP_<KEY>`` in the environment (docs/settings.md lists them all).
SMTP_KEYS = ("host", "port", "security", "user", "password", "from", "from_name", "timeout", "concurrency",
             "ca_file", "outbox_dir", "message_id_domain")
SMTP_ENV_KEYS = SMTP_KEYS[:10]
#: Keys of the config file's ``[delivery]`` table (file only).
DELIVERY_KEYS = ("batch", "lease_seconds", "max_attempts", "backoff_seconds", "backoff_cap_seconds")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "cocrea@localhost"
    sender_name: str = "cocrea"
    message_id_domain: str = ""
    timeout: float = 30.0
    concurrency: int = 4
    outbox_dir: str = "cocrea-outbox"
    ca_file: str | None = None

    @property
    def uses_smtp(self) -> bool:
        return bool(self.host)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    def describe(self) -> str:
        if not self.uses_smtp:
            return f".eml → {Path(self.outbox_dir).resolve()}"
        who = f"{self.user}@" if self.user else ""
        return f"smtp://{who}{self.host}:{self.effective_port} ({self.security})"


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the sender claims and retries. Backoff doubles from ``backoff`` up to ``backoff_cap``."""

    batch: int = 200
    lease: dt.timedelta = dt.timedelta(minutes=5)
    lease_margin: dt.timedelta = dt.timedelta(seconds=30)
    max_attempts: int = 8
    backoff: dt.timedelta = dt.timedelta(minutes=1)
    backoff_cap: dt.timedelta = dt.timedelta(hours=1)

    def next_delay(self, attempts: int) -> dt.timedelta:
        return min(self.backoff * (2 ** max(attempts - 1, 0)), self.backoff_cap)


#: Where the public site is reached when neither the file (``public_url``) nor ``COCREA_PUBLIC_URL`` says.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class MailConfig:
    smtp: SmtpSettings = SmtpSettings()
    delivery: DeliveryPolicy = DeliveryPolicy()
    #: The public site's address, for the links of the emails to citizens (confirm, unsubscribe).
    public_url: str = DEFAULT_PUBLIC_URL


def _read_file(path: Path) -> dict[str, Any]:
    return read_file(path)  # TOML or YAML; every table and key checked (storage.settings)


def _int(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: not a whole number: {value!r}") from None


def load(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> MailConfig:
    """Settings from ``path`` (or ``COCREA_CONFIG``), then the environment on top."""
    env = os.environ if env is None else env
    path = path or env.get("COCREA_CONFIG")
    file = _read_file(Path(path)) if path else {}
    smtp: dict[str, Any] = dict(file.get("smtp") or {})
    for table, known in (("smtp", SMTP_KEYS), ("delivery", DELIVERY_KEYS)):
        unknown = sorted(set(file.get(table) or {}) - set(known))
        if unknown:  # a misspelt setting is not silently ignored
            raise ConfigError(f"[{table}] {', '.join(unknown)}: not a setting (docs/settings.md lists them)")
    for key in SMTP_ENV_KEYS:
        value = env.get(f"COCREA_SMTP_{key.upper()}")
        if value not in (None, ""):
            smtp[key] = value
    if env.get("COCREA_OUTBOX_DIR"):
        smtp["outbox_dir"] = env["COCREA_OUTBOX_DIR"]
    security = str(smtp.get("security", "starttls")).lower()
    if security not in SECURITY:
        raise ConfigError(f"security: {security!r} is not one of {', '.join(SECURITY)}")
    settings = SmtpSettings(
        host=str(smtp["host"]) if smtp.get("host") else None,
        port=_int("port", smtp["port"]) if smtp.get("port") else None,
        security=security, user=smtp.get("user") or None, password=smtp.get("password") or None,
        sender=str(smtp.get("from") or SmtpSettings.sender),
        sender_name=str(smtp.get("from_name") or SmtpSettings.sender_name),
        message_id_domain=str(smtp.get("message_id_domain") or ""),
        timeout=float(smtp.get("timeout") or SmtpSettings.timeout),
        concurrency=max(1, _int("concurrency", smtp.get("concurrency") or SmtpSettings.concurrency)),
        outbox_dir=str(smtp.get("outbox_dir") or SmtpSettings.outbox_dir),
        ca_file=str(smtp["ca_file"]) if smtp.get("ca_file") else None)
    if settings.user and not settings.password:
        raise ConfigError("user given without password")
    d = dict(file.get("delivery") or {})
    policy = DeliveryPolicy()
    if d:
        policy = replace(policy, batch=_int("batch", d.get("batch", policy.batch)),
                         lease=dt.timedelta(seconds=_int("lease_seconds", d.get("lease_seconds", 300))),
                         max_attempts=_int("max_attempts", d.get("max_attempts", policy.max_attempts)),
                         backoff=dt.timedelta(seconds=_int("backoff_seconds", d.get("backoff_seconds", 60))),
                         backoff_cap=dt.timedelta(seconds=_int("backoff_cap_seconds", d.get("backoff_cap_seconds", 3600))))
    public_url = str(env.get("COCREA_PUBLIC_URL") or file.get("public_url") or DEFAULT_PUBLIC_URL).strip().rstrip("/")
    return MailConfig(settings, policy, public_url)
