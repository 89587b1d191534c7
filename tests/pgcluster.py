"""A private PostgreSQL cluster for one test, which the test may stop, crash and start at will
without disturbing the shared server on 5432: ``initdb`` into a temporary folder, a free port
on 127.0.0.1, trust authentication, its socket in that folder.

The binaries come from ``/usr/lib/postgresql/<version>/bin`` (the newest version there); when
they are absent the test is skipped saying so (and fails under CI, which has them). PostgreSQL
refuses to run as root: when the tests run as root the cluster runs as the ``postgres`` system
user (``runuser``), otherwise as the current user.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from conftest import absent
from mailserver import free_port


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found and Path(found[-1]).with_name("pg_ctl").exists() else None


class Cluster:
    def __init__(self, root: Path, bindir: Path, port: int, as_user: str | None):
        self.root, self.bindir, self.port, self.as_user = root, bindir, port, as_user
        self.data, self.log = root / "data", root / "server.log"
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bindir / tool), *args]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)}: {done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c synchronous_commit=off -c max_connections=100")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: a clean shutdown; ``immediate``: a crash (every backend killed, recovery at
        the next start). fsync is off, which only matters for a crash of the machine."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, down: float = 1.0, mode: str = "immediate") -> None:
        """The server goes away (every connection cut) and comes back after ``down`` seconds."""
        self.stop(mode)
        time.sleep(down)
        self.start()
        self.restarts += 1


@contextmanager
def private_postgres() -> Iterator[Cluster]:
    bindir = _bindir()
    if bindir is None or shutil.which("runuser") is None and os.geteuid() == 0:
        absent("a private PostgreSQL cluster", "initdb/pg_ctl not found under /usr/lib/postgresql/*/bin")
    as_user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="cocrea-pg-"))
    if as_user:
        shutil.chown(root, as_user)
    cluster = Cluster(root, bindir, free_port(), as_user)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop("immediate")
        except Exception:  # noqa: BLE001 - already down
            pass
        shutil.rmtree(root, ignore_errors=True)
