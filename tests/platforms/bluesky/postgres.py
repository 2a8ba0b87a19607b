"""A throwaway PostgreSQL cluster on 127.0.0.1 and a free port, for the Bluesky AppView peer.

Debian's `postgresql` binaries (`initdb`, `pg_ctl`), with our own data folder: nothing of the
machine's clusters is used or changed. PostgreSQL refuses to run as root, so as root the cluster
belongs to the `postgres` user the package creates (`runuser -u postgres`). Durability is switched
off (fsync, synchronous commit, full-page writes): a test cluster that lives for one run only.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.push.servers import free_port

_INSTALL = "apt-get install -y postgresql (scripts/system-deps)"
_SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c listen_addresses=127.0.0.1"
)


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's programs (/usr/lib/postgresql/<version>/bin)."""
    found = [d / "bin" for d in Path("/usr/lib/postgresql").glob("*") if (d / "bin").is_dir()]
    found = [d for d in found if (d / "initdb").exists() and (d / "pg_ctl").exists()]
    return max(found, key=lambda d: int(d.parent.name), default=None) if found else None


def _as_root() -> bool:
    return os.geteuid() == 0


def unavailable() -> str | None:
    """Why a cluster cannot be started here, or None."""
    if bin_dir() is None:
        return f"PostgreSQL is not installed ({_INSTALL})"
    if _as_root():
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return f"there is no `postgres` user to run PostgreSQL as ({_INSTALL})"
        if shutil.which("runuser") is None:
            return "runuser (util-linux) is missing: PostgreSQL cannot be run as root"
    return None


class Postgres:
    """A running cluster; `url` connects as the superuser `postgres` (trust, local only)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        # Not under pytest's temporary folders: those are private to the current user, and as root
        # the cluster runs as `postgres`, which must reach its data folder.
        self.folder = Path(tempfile.mkdtemp(prefix="cmbuild-postgres-"))
        self.data = self.folder / "data"

    def _run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        programs = bin_dir()
        assert programs is not None
        argv = [str(programs / command[0]), *command[1:]]
        if _as_root():
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.folder
        )

    def __enter__(self) -> Postgres:
        if _as_root():
            shutil.chown(self.folder, "postgres", "postgres")
        init = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        if init.returncode != 0:
            self._remove()
            raise RuntimeError(f"initdb failed: {init.stdout}{init.stderr}")
        options = f"-p {self.port} -k {self.folder} {_SETTINGS}"
        log = str(self.folder / "postgres.log")
        start = self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        if start.returncode != 0:
            detail = (self.folder / "postgres.log").read_text(errors="replace")[-2000:]
            self._remove()
            raise RuntimeError(f"PostgreSQL did not start: {start.stderr}{detail}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self._remove()

    def _remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
