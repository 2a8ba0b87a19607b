"""Where things live in a content repository. Light on purpose: the no-op build path imports it."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

CHANNELS_FILE = "channels.toml"
CHARTER_FILE = "brand/charter.toml"
TEMPLATES_DIR = "brand/templates"
POSTS_DIR = "posts"
REPLIES_FILE = "brand/replies.toml"  # the approved wording for answering people
REPLIES_DIR = "replies"  # one answer per file, replies/<id>.md, sent by push
WATCH_FILE = "brand/watch.toml"  # veille: sources, topics, alerts (cmbuild/load/watch.py)
DEFAULT_OUTPUT = "output"
MANIFEST_FILE = "manifest.json"  # in the output folder: what push may publish
# What cmbuild keeps in the repository's state/ folder (read and written by cmbuild/stores/).
STATE_DIR = "state"
LEDGER_FILE = "state/ledger.jsonl"  # what push sent, append-only
METRICS_DIR = "state/metrics"  # YYYY-MM.jsonl: what posts and channels measured, append-only
INBOX_FILE = "state/inbox.jsonl"  # what the community said to the brand, append-only
HALT_FILE = "state/halt.toml"  # campaigns and channels stopped by `cmbuild halt`
WATCH_DIR = "state/watch"  # what veille heard and how its sources are (cmbuild/stores/watch.py)
LOCK_SUFFIX = ".lock"  # beside a state file: one writer at a time (ledger.jsonl.lock)


def post_files(root: Path) -> list[Path]:
    """Every Markdown post under posts/, in order (README.md, `.` and `_` files skipped)."""
    return [root / source for source in post_sources(root)]


def post_sources(root: Path) -> list[str]:
    """The repository-relative paths (with `/`) of `post_files`, in the same order."""
    found: list[str] = []
    base = os.path.join(root, POSTS_DIR)
    skip = len(os.fspath(root)) + 1
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        prefix = folder[skip:].replace(os.sep, "/") + "/"
        found.extend(prefix + f for f in files if _is_post(f))
    found.sort(key=lambda source: source.split("/"))  # folder by folder, as paths sort
    return found


def _is_post(name: str) -> bool:
    # README.md explains a folder to writers; `_draft.md` and hidden files are set aside.
    return name.endswith(".md") and not name.startswith((".", "_")) and name.lower() != "readme.md"


def resolve_image(post_source: str, path: str) -> str:
    """The repository-relative path of an image written in a post (`./x.jpg` is post-relative)."""
    if path.startswith(("./", "../")):
        joined = PurePosixPath(post_source).parent / path
    else:
        joined = PurePosixPath(path)
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not parts:
                return "../" + path  # escapes the repository; reported by the caller
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)
