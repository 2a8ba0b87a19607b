"""`cmbuild init`: a new content repository, copied from the package's `scaffold/` data folder.

The starter is plain files (channels, charter, one post, one image, a README for writers) read
through importlib.resources, so it works from a wheel or a zip too, plus a template for every
platform: its starter template, which each platform keeps in its own folder.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from cmbuild import __version__
from cmbuild.layout import TEMPLATES_DIR

_DATA = "scaffold"
_SKIPPED = {"__pycache__", ".DS_Store"}
# The workflows install cmbuild from its own repository at a fixed revision, never "whatever a
# package index answers to the name cmbuild": a name can be taken by someone else, a revision
# cannot change under you. `cmbuild init --cmbuild-repository/--cmbuild-revision` change both.
DEFAULT_REPOSITORY = "https://github.com/cmbuild/cmbuild"
DEFAULT_REVISION = f"v{__version__}"
_REQUIREMENT_MARK = b"@CMBUILD_REQUIREMENT@"


def requirement(repository: str = DEFAULT_REPOSITORY, revision: str = DEFAULT_REVISION) -> str:
    """The pip requirement the starter workflows install: cmbuild from git at a revision."""
    if not revision or any(c.isspace() or c in "'\"@#" for c in revision):
        raise ValueError(f"cmbuild revision {revision!r}: give a tag, a branch or a commit id")
    if not repository.startswith("https://") or any(c.isspace() or c in "'\"" for c in repository):
        raise ValueError(
            f"cmbuild repository {repository!r}: give an https:// address of a git repository"
        )
    return f"cmbuild @ git+{repository.rstrip('/')}@{revision}"


def scaffold(dest: Path, *, install: str | None = None) -> list[Path]:
    """Copy the starter repository into `dest` and return the written files, sorted.

    `dest` is created if needed. It may exist if it is an empty folder; anything else is refused
    with FileExistsError, so that nobody's work is ever overwritten. `install` is the pip
    requirement the workflows install cmbuild with (`requirement()` by default).
    """
    mark = (install or requirement()).encode()
    if dest.exists():
        if not dest.is_dir():
            raise FileExistsError(f"{dest} exists and is not a folder; choose a new folder name")
        if any(dest.iterdir()):
            raise FileExistsError(
                f"{dest} is not empty; choose a new folder, or empty this one first"
            )
    source = files("cmbuild").joinpath(_DATA)
    entries = [(parts, entry.read_bytes()) for parts, entry in _walk(source, ())]
    entries.extend(_starters())
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for parts, data in sorted(entries, key=lambda item: item[0]):
        target = dest.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.replace(_REQUIREMENT_MARK, mark))
        written.append(target)
    return sorted(written)


def _starters() -> list[tuple[tuple[str, ...], bytes]]:
    """brand/templates/<template> for every platform that has a starter template."""
    from cmbuild import platforms

    found: list[tuple[tuple[str, ...], bytes]] = []
    for name in platforms.names():
        platform = platforms.get(name)
        data = platform.starter_template()
        if data is not None:
            found.append(((*TEMPLATES_DIR.split("/"), platform.template_name()), data))
    return found


def _walk(folder: Traversable, parts: tuple[str, ...]) -> list[tuple[tuple[str, ...], Traversable]]:
    """Every file under `folder`, with its path parts relative to the scaffold's root."""
    found: list[tuple[tuple[str, ...], Traversable]] = []
    for entry in folder.iterdir():
        if entry.name in _SKIPPED or entry.name.endswith((".pyc", ".py")):
            continue
        if entry.is_dir():
            found.extend(_walk(entry, (*parts, entry.name)))
        elif entry.is_file():
            found.append(((*parts, entry.name), entry))
    return found
