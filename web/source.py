"""The source of the running program, offered to everyone who uses it over the network.

cocrea is under the GNU AGPL (version 3 or later, ``LICENSE``), whose section 13 asks a
modified version run on a server to offer its users the corresponding source. ``GET /source``
answers it: a ``.tar.gz`` of the code this very process runs (the project's packages as
installed, with ``LICENSE``, ``README.md`` and ``pyproject.toml`` where present), built once per
process, the same bytes every time. Only the project's package folders are read: never a
settings file, a database or anything else beside them.
"""
from __future__ import annotations

import functools
import importlib.metadata
import io
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The project's packages when the installed metadata does not list them.
PACKAGES = ("i18n", "stages", "storage", "compliance", "notifications", "workflow", "reads", "web", "cli", "migrations")
#: What a package folder holds that is source (compiled catalogues and caches are not).
SUFFIXES = {".py", ".html", ".css", ".js", ".svg", ".po", ".mako", ".ini", ".txt", ".md", ".json", ".yaml", ".toml"}
TOP_FILES = ("LICENSE", "README.md", "pyproject.toml")


def version() -> str:
    try:
        return importlib.metadata.version("cocrea")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "0"


def _packages() -> list[str]:
    try:
        listed = (importlib.metadata.distribution("cocrea").read_text("top_level.txt") or "").split()
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        listed = []
    return sorted(set(listed) & set(PACKAGES)) or sorted(PACKAGES)


def _license() -> bytes | None:
    """``LICENSE`` beside the packages (a checkout) or in the installed metadata (a wheel)."""
    if (ROOT / "LICENSE").is_file():
        return (ROOT / "LICENSE").read_bytes()
    try:
        for f in importlib.metadata.distribution("cocrea").files or []:
            if f.name == "LICENSE":
                return Path(f.locate()).read_bytes()
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        pass
    return None


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    tar.addfile(info, io.BytesIO(data))


@functools.lru_cache(maxsize=1)
def archive() -> bytes:
    """The running code as a .tar.gz under ``cocrea-<version>/`` (deterministic: sorted, mtime 0)."""
    prefix = f"cocrea-{version()}"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in TOP_FILES:
            data = _license() if name == "LICENSE" else ((ROOT / name).read_bytes() if (ROOT / name).is_file() else None)
            if data is not None:
                _add(tar, f"{prefix}/{name}", data)
        for package in _packages():
            folder = ROOT / package
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                    _add(tar, f"{prefix}/{path.relative_to(ROOT).as_posix()}", path.read_bytes())
    import gzip

    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)
