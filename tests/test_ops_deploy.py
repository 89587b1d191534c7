"""The production setup of docs/deploy.md, run here (issue 12): one PostgreSQL, three web
processes (``cocrea serve`` on three ports, as a reverse proxy would balance them), two
``cocrea worker`` processes sending through one SMTP server (aiosmtpd), and a process walked
through them: a sign-in made on one web process holds on the others and ends everywhere at
sign-out, the sign-in limit counts guesses made on all of them, what one process writes the
others show at once, and every reminder is delivered exactly once.

A second test starts ``cocrea serve --workers 3`` (three processes behind one address).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from conftest import PG_URL, pg_or_skip
from mailserver import free_port, smtp_server

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "contraseña-de-despliegue"
MEMBERS = [("gob", "government"), ("garante", "guarantor"), ("osc", "civil_society"), ("udg", "academia"),
           ("canaco", "business"), ("gdl", "municipality")]


@pytest.fixture
def schema_url():
    """A PostgreSQL schema of its own, by URL (what COCREA_DATABASE_URL says in production)."""
    pg_or_skip()
    schema = f"cocrea_deploy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # application_name: these processes' connections, and only theirs, can be cut by the test
        yield f"{PG_URL}?options=-csearch_path%3D{schema}&application_name={schema}", admin, schema
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def env_for(url: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCREA_")}
    return {**env, "PYTHONPATH": str(ROOT), "COCREA_DATABASE_URL": url, "COCREA_PUBLIC_URL": "https://cocrea.example.org",
            **more}


def cocrea(env: dict, *args: str, input: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          input=input, timeout=180)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def start(env: dict, *args: str, log: Path) -> subprocess.Popen:
    out = log.open("w")
    return subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(url: str, procs: list[subprocess.Popen], logs: list[Path], seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).text == "ok":
                return
        except httpx.TransportError:
            pass
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise AssertionError("a process did not start:\n" + "\n".join(log.read_text()[-2000:] for log in logs))
        time.sleep(0.3)


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)  # its own session: the process and any children it made
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(web: str, handle: str, password: str) -> httpx.Response:
    c = httpx.Client(base_url=web, follow_redirects=False, timeout=60)
    token = csrf(c.get("/login").text)
    r = c.post("/login", data={"process": "p", "handle": handle, "password": password, "csrf": token})
    r.client = c
    return r


def set_up(env: dict, tmp_path: Path) -> str:
    """A process with six members (emails private), passwords, and an API token; returns it."""
    cocrea(env, "init", "--template", "inai_local", "--slug", "p", "--name", "Ejercicio local", "--coordinator", "ana")
    members = [{"action": "add_person", "actor": "ana", "process": "p", "handle": h, "name": f"Integrante {h}",
                "role": "member", "sector": s, "email": f"{h}@example.org", "idempotency_key": f"member-{h}"}
               for h, s in MEMBERS]
    (tmp_path / "members.yaml").write_text(yaml.safe_dump(members), encoding="utf-8")
    cocrea(env, "apply", str(tmp_path / "members.yaml"))
    for h in ("ana", "gob"):
        cocrea(env, "user", "set-password", "p", h, "--as", h, "--password", PASSWORD)
    return cocrea(env, "user", "new-token", "p", "ana", "--as", "ana").strip().splitlines()[-1]


def test_three_web_processes_and_two_workers_on_one_postgresql(schema_url, tmp_path):
    url, admin, schema = schema_url
    with smtp_server() as (host, smtp_port, server):
        env = env_for(url, COCREA_SMTP_HOST=host, COCREA_SMTP_PORT=str(smtp_port), COCREA_SMTP_SECURITY="none",
                      COCREA_SMTP_FROM="avisos@cocrea.example", COCREA_OUTBOX_DIR=str(tmp_path / "outbox"))
        token = set_up(env, tmp_path)
        ports = [free_port() for _ in range(3)]
        webs = [f"http://127.0.0.1:{port}" for port in ports]
        logs = [tmp_path / f"web{n}.log" for n in range(3)] + [tmp_path / f"worker{n}.log" for n in range(2)]
        procs = [start(env, "serve", "--port", str(port), log=logs[n]) for n, port in enumerate(ports)]
        procs += [start(env, "worker", "--every", "1", log=logs[3 + n]) for n in range(2)]
        try:
            for web in webs:
                wait_healthy(web, procs, logs)

            # a sign-in made on web 1 holds on webs 2 and 3
            signed = sign_in(webs[0], "ana", PASSWORD)
            assert signed.status_code == 303 and signed.headers["location"] == "/w/p"
            assert "server" not in signed.headers  # `cocrea serve` does not name what it runs on
            cookies = dict(signed.client.cookies)
            for web in webs:
                page = httpx.get(f"{web}/w/p", cookies=cookies, follow_redirects=False, timeout=60)
                assert page.status_code == 200 and "ana" in page.text, web

            # what web 3 writes (through the API), webs 1 and 2 show at once: no stale cache
            before = [httpx.get(f"{web}/api/processes/p/history", headers={"Authorization": f"Bearer {token}"},
                                timeout=60).json() for web in webs[:2]]
            when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).replace(microsecond=0)
            convened = httpx.post(f"{webs[2]}/api/processes/p/actions/convene_session",
                                  headers={"Authorization": f"Bearer {token}"}, timeout=60,
                                  json={"key": "S1", "scheduled_for": when.isoformat(), "place": "Palacio de Gobierno",
                                        "agenda": ["Instalación del secretariado"]})
            assert convened.status_code in (200, 201), convened.text
            for web, old in zip(webs[:2], before):
                history = httpx.get(f"{web}/api/processes/p/history", headers={"Authorization": f"Bearer {token}"},
                                    timeout=60).json()
                assert len(history) == len(old) + 1 and history[-1]["action"] == "convene_session"
                public = httpx.get(f"{web}/p/p", timeout=60)
                assert public.status_code == 200 and "S1" in public.text and "@example.org" not in public.text

            # every database connection of the web processes and workers cut at once (what a
            # database restart does to them): the next requests are served, on new connections
            with admin.connect() as c:
                cut = c.execute(text("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                                     "where application_name = :name"), {"name": schema}).scalar_one()
            assert cut >= 3
            for web in webs:
                assert httpx.get(f"{web}/p/p", timeout=60).status_code == 200, web
                assert httpx.get(f"{web}/w/p", cookies=cookies, follow_redirects=False, timeout=60).status_code == 200

            # signing out on web 2 ends the session on every web process
            page = httpx.get(f"{webs[1]}/w/p", cookies=cookies, timeout=60)
            out = httpx.post(f"{webs[1]}/logout", cookies=cookies, data={"csrf": csrf(page.text)},
                             follow_redirects=False, timeout=60)
            assert out.status_code == 303
            for web in webs:
                after = httpx.get(f"{web}/w/p", cookies=cookies, follow_redirects=False, timeout=60)
                assert after.status_code in (303, 401) and "/login" in after.headers.get("location", "/login"), web

            # the sign-in limit counts guesses on every web process: 5 wrong ones, spread over
            # the three, and then even the right password waits, wherever it is tried
            wrong = [sign_in(webs[n % 3], "gob", f"mala-{n}").status_code for n in range(5)]
            assert wrong == [401] * 5
            for web in webs:
                right = sign_in(web, "gob", PASSWORD)
                assert right.status_code == 429 and int(right.headers["retry-after"]) > 0, web

            # every reminder (the session's notice to each member) delivered exactly once
            deadline = time.monotonic() + 120
            while len(server.messages) < len(MEMBERS) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(4)  # both workers tick again at least twice: nothing more may arrive
            received = sorted(m.rcpt_tos[0] for m in server.messages)
            assert received == sorted(f"{h}@example.org" for h, _ in MEMBERS), received
            assert len({m.message_id for m in server.messages}) == len(MEMBERS)
            with admin.connect() as c:
                rows = c.execute(text(f'select status, count(*) from "{schema}".outbox group by status')).all()
            assert dict(rows) == {"sent": len(MEMBERS)}
        finally:
            stop(procs)
        assert "Internal error" not in "".join(log.read_text() for log in logs)
        assert "Bitácora íntegra" in cocrea(env, "audit", "verify")


def test_serve_with_three_workers_behind_one_address(schema_url, tmp_path):
    url, _, _ = schema_url
    env = env_for(url)
    set_up(env, tmp_path)
    port = free_port()
    web = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    procs = [start(env, "serve", "--port", str(port), "--workers", "3", log=log)]
    try:
        wait_healthy(web, procs, [log])
        deadline = time.monotonic() + 120
        while log.read_text().count("Application startup complete") < 3 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert log.read_text().count("Started server process") == 3, log.read_text()
        signed = sign_in(web, "ana", PASSWORD)
        assert signed.status_code == 303
        cookies = dict(signed.client.cookies)
        # whichever worker answers, the session holds; and then, signed out, it holds nowhere
        pages = [httpx.get(f"{web}/w/p", cookies=cookies, follow_redirects=False, timeout=60) for _ in range(12)]
        assert [p.status_code for p in pages] == [200] * 12
        out = httpx.post(f"{web}/logout", cookies=cookies, data={"csrf": csrf(pages[0].text)}, follow_redirects=False,
                         timeout=60)
        assert out.status_code == 303
        after = [httpx.get(f"{web}/w/p", cookies=cookies, follow_redirects=False, timeout=60).status_code
                 for _ in range(12)]
        assert 200 not in after
    finally:
        stop(procs)


DEPLOY = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def units() -> dict[str, str]:
    """The systemd units of docs/deploy.md, by file name."""
    return {block.splitlines()[0].rsplit("/", 1)[-1]: block for block in re.findall(r"```ini\n(.*?)```", DEPLOY, re.S)}


def test_the_service_units_of_the_deployment_guide_verify(tmp_path):
    """``systemd-analyze verify`` on the guide's units (cocrea's path replaced by this checkout's)."""
    import shutil

    from conftest import absent

    if not shutil.which("systemd-analyze"):
        absent("systemd-analyze", "systemd-analyze no está instalado")
    found = units()
    assert set(found) == {"cocrea-web.service", "cocrea-worker.service", "cocrea-backup.service",
                          "cocrea-backup.timer"}
    cocrea_bin = Path(sys.executable).with_name("cocrea")
    for name, body in found.items():
        (tmp_path / name).write_text(body.replace("/opt/cocrea/bin/cocrea", str(cocrea_bin)), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_the_commands_of_the_service_units_exist():
    """Every ``cocrea`` command line of the units parses (its options exist)."""
    from click.testing import CliRunner

    from cli.main import main

    lines = re.findall(r"/opt/cocrea/bin/cocrea ([a-z][^'\n]*)", "".join(units().values()))
    assert len(lines) == 3
    for line in lines:
        args = [a for a in line.split() if "$(" not in a]
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0, (line, result.output)
