"""A real WordPress on 127.0.0.1 for the WordPress publisher's tests.

Debian's `wordpress` package (copied into a temporary folder, with our own wp-config.php),
MariaDB in a temporary data folder on a free port, and PHP's built-in web server. Installing
WordPress and creating an Application Password for its administrator is done by WordPress's own
functions (`wp_install`, `WP_Application_Passwords`), in a PHP script, exactly as the admin screens
do it. Everything runs as the current user (root included: MariaDB then needs `--user=root`).

`WP_ENVIRONMENT_TYPE = local` is what lets WordPress accept Application Passwords over plain HTTP
(`wp_is_application_passwords_supported`); everything that would call out to wordpress.org (cron,
update checks) is switched off, as the test machines have no internet.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.push.servers import free_port, wait_for_port

WORDPRESS = Path("/usr/share/wordpress")
ADMIN = "cmbadmin"
_PROGRAMS = ("mariadb-install-db", "mariadbd", "php")
_PACKAGES = "apt-get install -y wordpress mariadb-server php-cli php-mysql (scripts/system-deps)"


def program(name: str) -> str | None:
    """Where a program is; /usr/sbin is searched too (it is not on a normal user's PATH)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


def unavailable() -> str | None:
    """Why the peer cannot run here, or None."""
    missing = [name for name in _PROGRAMS if program(name) is None]
    if not (WORDPRESS / "wp-settings.php").exists():
        missing.append(str(WORDPRESS))
    if missing:
        return f"{', '.join(missing)} not installed ({_PACKAGES})"
    probe = subprocess.run(
        [program("php") or "php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"],
        capture_output=True,
        check=False,
        timeout=30,
    )
    if probe.returncode != 0:
        return f"PHP has no mysqli extension ({_PACKAGES})"
    return None


_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '127.0.0.1:{db_port}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
{keys}
$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""

_INSTALL = """<?php
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$installed = wp_install(
    'CMB test blog', '{admin}', 'admin@example.test', false, '', wp_generate_password(24)
);
update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
$created = WP_Application_Passwords::create_new_application_password(
    $installed['user_id'], array('name' => 'cmbuild')
);
if (is_wp_error($created)) {{ fwrite(STDERR, $created->get_error_message()); exit(1); }}
echo json_encode(array('user_id' => $installed['user_id'], 'app_password' => $created[0]));
"""


class WordPress:
    """MariaDB + WordPress + `php -S`, started in `folder`, stopped on exit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.user = ADMIN
        self.app_password = ""
        # A socket path must stay under ~100 bytes: keep it out of pytest's deep folders.
        self.socket_dir = Path(tempfile.mkdtemp(prefix="cmb-wp-"))

    def __enter__(self) -> WordPress:
        try:
            db_port = self._start_database()
            self._install_wordpress(db_port)
            self._start_web()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            # Each runs in a process group of its own: `php -S` may fork workers.
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=5)
        for log in self.logs:
            log.close()
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def _spawn(self, name: str, command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 (closed in __exit__)
        self.logs.append(log)
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **options
        )
        self.processes.append(process)
        return process

    def _log(self, name: str, limit: int | None = 2000) -> str:
        path = self.folder / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text[-limit:] if limit else text

    def _start_database(self) -> int:
        data = self.folder / "mariadb"
        # MariaDB refuses to run as root unless told to; as anyone else it runs as that user.
        user = getpass.getuser()
        as_user = ["--user=root"] if os.geteuid() == 0 else []
        install = subprocess.run(
            [
                program("mariadb-install-db") or "mariadb-install-db",
                "--no-defaults",
                f"--datadir={data}",
                f"--user={user}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if install.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed: {install.stdout}{install.stderr}")
        port = free_port()
        self._spawn(
            "mariadb",
            [
                program("mariadbd") or "mariadbd",
                "--no-defaults",
                *as_user,
                f"--datadir={data}",
                "--bind-address=127.0.0.1",
                f"--port={port}",
                f"--socket={self.socket_dir / 'mysqld.sock'}",
                f"--pid-file={self.socket_dir / 'mysqld.pid'}",
                "--skip-name-resolve",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=16M",
                "--innodb-log-file-size=8M",
            ],
        )
        try:
            wait_for_port(port, timeout=60)
        except TimeoutError:
            raise RuntimeError(f"mariadbd did not start: {self._log('mariadb')}") from None
        return port

    def _install_wordpress(self, db_port: int) -> None:
        root = self.folder / "wordpress"
        shutil.copytree(WORDPRESS, root, symlinks=True)
        (root / "wp-content" / "uploads").mkdir(parents=True, exist_ok=True)
        keys = "\n".join(
            f"define('{name}', '{base64.b64encode(os.urandom(32)).decode()}');"
            for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")
            for name in (f"{kind}_KEY", f"{kind}_SALT")
        )
        (root / "wp-config.php").write_text(
            _CONFIG.format(db_port=db_port, url=self.url, keys=keys), encoding="utf-8"
        )
        create = "CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        php = program("php") or "php"
        database = subprocess.run(
            [
                php,
                "-r",
                f"$db = new mysqli('127.0.0.1', 'root', '', '', {db_port}); "
                f"exit($db->query('{create}') ? 0 : 1);",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if database.returncode != 0:
            raise RuntimeError(f"cannot create the database: {database.stdout}{database.stderr}")
        (root / "cmb-install.php").write_text(_INSTALL.format(admin=ADMIN), encoding="utf-8")
        installed = subprocess.run(
            [php, str(root / "cmb-install.php")],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        (root / "cmb-install.php").unlink()
        try:
            self.app_password = json.loads(installed.stdout.strip().splitlines()[-1])[
                "app_password"
            ]
        except (ValueError, IndexError, KeyError):
            raise RuntimeError(
                f"installing WordPress failed: {installed.stdout[-2000:]}{installed.stderr}"
            ) from None
        self.root = root

    def _start_web(self) -> None:
        self._spawn(
            "php",
            [program("php") or "php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root)],
            cwd=self.root,
        )
        try:
            wait_for_port(self.port, timeout=30)
        except TimeoutError:
            raise RuntimeError(f"php -S did not start: {self._log('php')}") from None

    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request the web server has answered, from its log."""
        found = re.findall(r"\[\d{3}\]: ([A-Z]+) (\S+)", self._log("php", limit=None))
        return [(method, path) for method, path in found]

    def api(
        self,
        method: str,
        route: str,
        body: dict[str, Any] | None = None,
        **query: str,
    ) -> Any:
        """Call the REST API as the administrator (through `?rest_route=`); its JSON answer."""
        params = "".join(f"&{name}={value}" for name, value in query.items())
        token = base64.b64encode(f"{self.user}:{self.app_password}".encode()).decode()
        request = urllib.request.Request(
            f"{self.url}/?rest_route={route}{params}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    return json.loads(answer.read())
            except urllib.error.HTTPError as error:
                raise AssertionError(f"{method} {route}: {error.code} {error.read()!r}") from None
            except ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def _signal_group(process: subprocess.Popen[bytes], signal_number: int) -> None:
    """Signal the process group a peer process leads (it was started in a session of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal_number)
