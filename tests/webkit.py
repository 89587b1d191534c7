"""Helpers for the web tests: the app on a real SQLite file, a live server on loopback,
sign-in through the real form, and the private values a public page must never show."""
from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from storage.models import AuditEntry
from web import create_app

PASSWORD = "contraseña-de-prueba"
#: Every private value the builders record (people's emails, the input's contact).
PRIVATE_VALUES = ("@example.org", "Ana Pérez", "ana@example.org")


def app_for(engine, clock, **kw):
    return create_app(engine, clock=clock, **kw)


def client(engine, clock, **kw) -> TestClient:
    return TestClient(app_for(engine, clock, **kw), base_url="http://testserver", follow_redirects=False)


def atom_entries(data: bytes) -> list[dict]:
    """The entries of an Atom feed, in its order: id, title and updated (aware)."""
    import datetime as dt
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2005/Atom}"
    return [{"id": e.find(f"{ns}id").text, "title": e.find(f"{ns}title").text,
             "updated": dt.datetime.fromisoformat(e.find(f"{ns}updated").text)}
            for e in ET.fromstring(data).findall(f"{ns}entry")]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(c: TestClient, process: str, handle: str, password: str = PASSWORD):
    page = c.get("/login")
    return c.post("/login", data={"process": process, "handle": handle, "password": password,
                                  "csrf": csrf_of(page.text)})


def audit_count(engine) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(AuditEntry)).one()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 and a free port, in a thread; yields its URL."""
    port = free_port()
    # Keep idle connections open for two minutes (uvicorn's default is 5 s): tests that hold a
    # connection at a barrier on a loaded machine would otherwise see it reset.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           timeout_keep_alive=120))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
