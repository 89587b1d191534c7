"""Sign-in under attack and under load (issue 12).

- The limits hold under concurrency and across web processes: a guess is counted, in the
  database, before its password is checked, per account and per address, and a blocked
  account waits an exponential backoff (not a fixed lock-out).
- Slow work never runs inside a write transaction: on SQLite no password is checked while
  the write lock is held, a write goes through while sign-ins are being checked, and an
  authenticated read does not wait for a writer.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from builders import process_at
from fastapi.testclient import TestClient
from sqlmodel import SQLModel
from webkit import PASSWORD, app_for, client, csrf_of, live_server, sign_in

import reads.accounts
from storage.db import make_engine
from workflow import actions

GUESSES = 120


@pytest.fixture
def file_db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _process(engine, clock, *handles):
    p = process_at(engine, clock, "declaration")
    for h in ("coord", *handles):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    return p


def _count_password_checks(monkeypatch) -> list:
    """Every password check the sign-in makes (``reads.accounts.password_matches``)."""
    checks: list = []
    lock = threading.Lock()
    real = reads.accounts.password_matches

    def counted(hashed, password):
        with lock:
            checks.append(password)
        return real(hashed, password)

    monkeypatch.setattr(reads.accounts, "password_matches", counted)
    return checks


def _guess(url: str, handle: str, password: str, start: threading.Barrier | None = None) -> int:
    with httpx.Client(base_url=url, follow_redirects=False, timeout=120) as c:
        token = csrf_of(c.get("/login").text)
        if start is not None:
            start.wait(timeout=60)
        form = {"process": "p", "handle": handle, "password": password, "csrf": token}
        return c.post("/login", data=form).status_code


def test_parallel_guesses_on_two_web_processes_get_at_most_the_allowed_checks(db, clock, monkeypatch):
    """120 wrong guesses at once on one account, split between two app instances sharing the
    database (two web processes), on SQLite and on PostgreSQL: at most 5 passwords are
    checked; then even the right password waits the backoff, and is let in once it has passed."""
    _process(db, clock, "gob")
    checks = _count_password_checks(monkeypatch)
    start = threading.Barrier(GUESSES)
    with live_server(app_for(db, clock)) as one, live_server(app_for(db, clock)) as two:
        with ThreadPoolExecutor(GUESSES) as pool:
            statuses = list(pool.map(lambda n: _guess(one if n % 2 else two, "gob", f"mala-{n:04d}-contraseña", start),
                                     range(GUESSES)))
        assert set(statuses) <= {401, 429}, statuses
        assert len(checks) <= 5 and statuses.count(401) == len(checks), (len(checks), statuses.count(401))
        assert statuses.count(429) >= GUESSES - 5

        with httpx.Client(base_url=one, follow_redirects=False) as c:
            token = csrf_of(c.get("/login").text)
            right = c.post("/login", data={"process": "p", "handle": "gob", "password": PASSWORD, "csrf": token})
            assert right.status_code == 429 and "too_many_attempts" in right.text
            wait = int(right.headers["retry-after"])
            assert 0 < wait <= 15 * 60  # a short backoff first, not a long lock-out
            assert len(checks) <= 5  # refused before its password was checked
            clock.advance(seconds=wait + 1)
            ok = c.post("/login", data={"process": "p", "handle": "gob", "password": PASSWORD, "csrf": token})
            assert ok.status_code == 303 and ok.headers["location"] == "/w/p"
    assert PASSWORD in checks


def test_the_backoff_doubles_and_a_success_clears_it(db, clock, monkeypatch):
    _process(db, clock, "gob")
    checks = _count_password_checks(monkeypatch)
    c = client(db, clock)
    waits = []
    for _ in range(4):
        for _ in range(6):
            r = sign_in(c, "p", "gob", "mala-contraseña")
            if r.status_code == 429:
                waits.append(int(r.headers["retry-after"]))
                break
        clock.advance(seconds=waits[-1] + 1)
    assert waits[1] >= 2 * waits[0] - 1 and waits[2] >= 2 * waits[1] - 1 and waits[3] >= 2 * waits[2] - 1, waits
    before = len(checks)
    assert sign_in(c, "p", "gob").status_code == 303
    assert len(checks) == before + 1
    # a success forgets the failures: five more tries before any wait
    other = client(db, clock)
    assert [sign_in(other, "p", "gob", "mala-contraseña").status_code for _ in range(5)] == [401] * 5


def test_guesses_spread_over_many_accounts_from_one_address_are_limited_too(file_db, clock, monkeypatch):
    _process(file_db, clock, "gob", "osc", "garante")
    checks = _count_password_checks(monkeypatch)
    c = client(file_db, clock)
    statuses = [sign_in(c, "p", f"nadie{n}", "mala-contraseña").status_code for n in range(80)]
    assert 429 in statuses and len(checks) <= 60, (len(checks), statuses.count(429))


def test_a_stranger_cannot_lock_the_real_user_out_of_a_browser_it_signed_in_with(file_db, clock):
    """The browser the person signed in with before keeps its own count: a stranger guessing
    the account's password (from the same shared address or any other) does not lock it out."""
    _process(file_db, clock, "gob")
    app = app_for(file_db, clock)  # one web process, one address (the test client's) for both
    mine = TestClient(app, follow_redirects=False)
    assert sign_in(mine, "p", "gob").status_code == 303
    mine.post("/logout", data={"csrf": csrf_of(mine.get("/w/p/account").text)})
    stranger = TestClient(app, follow_redirects=False)
    statuses = [sign_in(stranger, "p", "gob", "mala-contraseña").status_code for _ in range(10)]
    assert statuses[-1] == 429
    assert sign_in(mine, "p", "gob").status_code == 303


def _probe_write_lock(path) -> bool:
    """Whether another connection holds the SQLite write lock right now."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def test_no_password_is_checked_while_the_write_lock_is_held(file_db, clock, monkeypatch):
    _process(file_db, clock, "gob")
    held = []
    real = reads.accounts.password_matches

    def probing(hashed, password):
        held.append(_probe_write_lock(file_db.url.database))
        return real(hashed, password)

    monkeypatch.setattr(reads.accounts, "password_matches", probing)
    c = client(file_db, clock)
    assert sign_in(c, "p", "gob").status_code == 303
    for n in range(4):
        assert sign_in(client(file_db, clock), "p", f"nadie{n}", "mala-contraseña").status_code == 401
    assert held and not any(held), held


def test_a_write_goes_through_while_a_burst_of_sign_ins_is_being_checked(file_db, clock, monkeypatch):
    """Every password check of a burst of sign-ins waits until a one-action write (as
    ``cocrea apply`` would make it, from another engine) has finished: the write must not
    wait for any of them. With the write lock held during the checks, it would wait for all."""
    _process(file_db, clock, "gob")
    written = threading.Event()
    waiting = []
    lock = threading.Lock()
    real = reads.accounts.password_matches

    def gated(hashed, password):
        with lock:
            waiting.append(password)
        written.wait(timeout=20)
        return real(hashed, password)

    monkeypatch.setattr(reads.accounts, "password_matches", gated)
    burst = 12
    done = []
    with live_server(app_for(file_db, clock)) as url:
        def one(n: int) -> int:
            status = _guess(url, f"nadie{n}" if n else "gob", "mala-contraseña" if n else PASSWORD)
            done.append(status)
            return status

        with ThreadPoolExecutor(burst) as pool:
            futures = [pool.submit(one, n) for n in range(burst)]
            deadline = time.monotonic() + 60
            while len(waiting) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(waiting) >= 3, "the sign-ins did not reach their password checks"
            writer = make_engine(str(file_db.url))  # like `cocrea apply`: another engine, another connection
            try:
                actions.apply(writer, "publish_document", {"kind": "rules", "title": "Reglas",
                                                           "ref": "https://x.org/r"}, actor="coord", process="p",
                              clock=clock)
                finished_before_write = len(done)
            finally:
                written.set()
                writer.dispose()
            results = [f.result(timeout=120) for f in futures]
    assert finished_before_write == 0, f"the write waited for {finished_before_write} of {burst} sign-ins"
    assert results.count(303) == 1 and results.count(401) == burst - 1


def test_an_authenticated_read_does_not_wait_for_a_writer(file_db, clock):
    """A page of the workspace and an API read are served while another connection holds the
    write lock (a long write, a migration): reads take no write lock."""
    p = _process(file_db, clock, "gob")
    c = client(file_db, clock)
    assert sign_in(c, "p", "gob").status_code == 303
    page = c.get("/w/p/account")
    c.post("/w/p/account/token", data={"csrf": csrf_of(page.text)})
    holder = sqlite3.connect(file_db.url.database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release_later():
        time.sleep(8)
        released.set()
        holder.execute("ROLLBACK")

    t = threading.Thread(target=release_later)
    t.start()
    try:
        dash = c.get("/w/p")
        served_while_locked = not released.is_set()
        assert dash.status_code == 200
    finally:
        t.join()
        holder.close()
    assert served_while_locked, "the workspace waited for the writer to finish"
    assert p.stage == "declaration"
