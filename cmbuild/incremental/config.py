"""The loaded configuration (channels and charter), kept between builds by the digest of its files.

Validating channels.toml and the charter is quick; importing and building their validation models
is not (about 30 ms of a one-post rebuild, once the posts' own models are built). A build keeps
what it loaded in `<output>/.cmbuild/config.pickle`, with the digest of channels.toml, the charter,
the templates and the tool's version; the next build with the same digest reads it back instead of
importing the models. Any other digest, or an unreadable file, means loading as usual.

The file is read with an unpickler that builds nothing but the configuration's own dataclasses
(`cmbuild.model`), so a file planted in `output/` cannot run code.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from pathlib import Path
from typing import Any

from cmbuild import model
from cmbuild.files import write_atomic
from cmbuild.model import Channel, Charter

FILE = "config.pickle"
_FORMAT = 3  # 2: the charter carries its graphic identity (ImageSettings); 3: the queue

Config = tuple[tuple[Channel, ...], Charter]


def read_cached(state_dir: Path, digest: str) -> Config | None:
    """The configuration saved with `digest`, or None (none saved, another digest, unreadable)."""
    try:
        data = (state_dir / FILE).read_bytes()
    except OSError:
        return None
    try:
        saved = _ModelUnpickler(io.BytesIO(data)).load()
    except Exception:  # any damage to a cache file only means loading again
        return None
    if not (isinstance(saved, tuple) and len(saved) == 4 and saved[:2] == (_FORMAT, digest)):
        return None
    channels, charter = saved[2], saved[3]
    if not isinstance(charter, Charter) or not isinstance(channels, tuple):
        return None
    if not all(isinstance(channel, Channel) for channel in channels):
        return None
    return channels, charter


def save(state_dir: Path, digest: str, config: Config) -> None:
    channels, charter = config
    data = pickle.dumps((_FORMAT, digest, channels, charter), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(state_dir / FILE, data, durable=False)


class _ModelUnpickler(pickle.Unpickler):
    """Builds only `cmbuild.model` dataclasses (and plain values): no other class, no function."""

    def find_class(self, module: str, name: str) -> Any:
        if module == model.__name__:
            found = getattr(model, name, None)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a configuration")
