"""A real mail system on 127.0.0.1 for the newsletter's inbox: aiosmtpd receives (requiring a
login) into a Maildir, and Debian's Dovecot serves that Maildir over IMAP.

Dovecot runs in the foreground with a configuration of its own (`dovecot -F -c`), one
passwd-file user, plain IMAP on a free port, its state and indexes in a temporary folder. Dovecot
refuses to give mail to uid 0: run as root, the mailbox belongs to `nobody`, and the Maildir's
folders are created open for it before aiosmtpd (in this process, as root) writes into them.
Run as anyone else, Dovecot runs as that user too (its "rootless" setup).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.push.servers import SmtpServer, free_port, wait_for_port

_PACKAGES = "apt-get install -y dovecot-imapd (scripts/system-deps)"
NOBODY = 65534

_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {state}/run
state_dir = {state}/lib
log_path = {state}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{maildir}:INDEX={state}/index
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {state}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {state}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{rootless}}}
"""
_ROOTLESS = """\
  chroot =
}}
service anvil {{
  chroot =
}}
default_internal_user = {user}
default_login_user = {user}
default_internal_group = {group}
service imap {{
"""


def program() -> str | None:
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/bin")


def unavailable() -> str | None:
    """Why the peer cannot run here, or None."""
    return None if program() else f"dovecot not installed ({_PACKAGES})"


class MailPeer:
    """aiosmtpd + Dovecot on one Maildir; `user`/`password` log in to both."""

    def __init__(self, user: str, password: str) -> None:
        # Out of pytest's folders, which only their owner may enter: Dovecot's processes run as
        # users of their own and must reach the password file and the mailbox.
        self.folder = Path(tempfile.mkdtemp(prefix="cmb-mail-"))
        os.chmod(self.folder, 0o755)
        self.user, self.password = user, password
        self.state = self.folder / "dovecot"
        self.imap_port = free_port()
        self.smtp = SmtpServer(self.folder / "mail", user, password)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def smtp_port(self) -> int:
        return self.smtp.port

    def __enter__(self) -> MailPeer:
        root = os.geteuid() == 0
        uid, gid = (NOBODY, NOBODY) if root else (os.getuid(), os.getgid())
        for sub in ("", "cur", "new", "tmp"):
            (self.smtp.maildir / sub).mkdir(parents=True, exist_ok=True)
            os.chmod(self.smtp.maildir / sub, 0o777)  # a test mailbox, open for nobody
        for sub in ("run", "lib", "index"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        os.chown(self.state / "index", uid, gid)
        (self.state / "users").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{uid}:{gid}::{self.folder}::\n", encoding="utf-8"
        )
        rootless = "" if root else _rootless()
        config = self.state / "dovecot.conf"
        config.write_text(
            _CONFIG.format(
                state=self.state, maildir=self.smtp.maildir, port=self.imap_port, rootless=rootless
            ),
            encoding="utf-8",
        )
        self.smtp.__enter__()
        self.process = subprocess.Popen(
            [program() or "dovecot", "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(self.imap_port, timeout=30)
        except TimeoutError:
            self.__exit__()
            raise RuntimeError(f"dovecot did not start: {self.log()}") from None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None
        self.smtp.__exit__()
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        path = self.state / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _rootless() -> str:
    user = getpass.getuser()
    group = subprocess.run(["id", "-gn"], capture_output=True, text=True, check=True).stdout
    return _ROOTLESS.format(user=user, group=group.strip())
