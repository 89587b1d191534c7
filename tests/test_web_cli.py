"""``cocrea serve`` on the default SQLite file, and ``cocrea user`` setting credentials."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from alembic import command
from builders import process_at
from click.testing import CliRunner
from webkit import free_port

import migrations
from cli.main import main
from reads import accounts

ROOT = Path(__file__).resolve().parent.parent


def test_user_commands_set_a_hashed_password_and_print_a_token_once(sqlite_db, clock):
    command.stamp(migrations.config(sqlite_db), "head")  # the schema was made by create_all
    process_at(sqlite_db, clock, "declaration")
    url = str(sqlite_db.url)
    runner = CliRunner()
    r = runner.invoke(main, ["--db", url, "user", "set-password", "p", "gob", "--as", "gob"],
                      input="una-contraseña-larga\nuna-contraseña-larga\n")
    assert r.exit_code == 0, r.output
    assert accounts.authenticate(sqlite_db, "p", "gob", "una-contraseña-larga").handle == "gob"
    r = runner.invoke(main, ["--db", url, "user", "new-token", "p", "gob", "--as", "gob"])
    assert r.exit_code == 0, r.output
    token = r.output.strip()
    assert token.startswith("cct_") and accounts.token_identity(sqlite_db, token)[0].handle == "gob"
    # nobody sets another's password, not even a coordinator: refused, exit code 3, nothing written
    r = runner.invoke(main, ["--db", url, "user", "set-password", "p", "osc", "--as", "coord", "--password",
                             "otra-contraseña-larga"])
    assert r.exit_code == 3 and "password_only_owner" in r.output
    # a member may not touch another's credentials at all
    r = runner.invoke(main, ["--db", url, "user", "set-password", "p", "osc", "--as", "gob", "--password",
                             "otra-contraseña-larga"])
    assert r.exit_code == 3 and "credentials_only_own" in r.output
    assert accounts.authenticate(sqlite_db, "p", "osc", "otra-contraseña-larga") is None
    r = runner.invoke(main, ["--db", url, "user", "set-password", "p", "gob", "--as", "gob", "--password", "corta"])
    assert r.exit_code == 2 and "invalid_field" in r.output


def test_cocrea_serve_needs_no_set_up_beyond_the_default_sqlite_file(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # no key to set: sessions are kept by the server
    for name in ("COCREA_SECRET_KEY", "COCREA_DATABASE_URL", "COCREA_PUBLIC_URL", "COCREA_CONFIG"):
        env.pop(name, None)
    made = subprocess.run([sys.executable, "-m", "cli", "init", "--template", "inai_local", "--slug", "p",
                           "--name", "P", "--coordinator", "ana"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).text == "ok":
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()
            time.sleep(0.2)
        home = httpx.get(f"http://127.0.0.1:{port}/")
        assert home.status_code == 200 and '<html lang="es">' in home.text
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["title"] == "cocrea"
        assert (tmp_path / "cocrea.db").exists()
        # no COCREA_PUBLIC_URL: the feed links to where this server listens (not to port 8000), and it is said
        assert f"http://127.0.0.1:{port}/p/p" in httpx.get(f"http://127.0.0.1:{port}/p/p/feed.atom").text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    said = proc.stdout.read().decode()
    assert "COCREA_PUBLIC_URL no está definida" in said and f"http://127.0.0.1:{port} (docs/settings.md)" in said
