"""The intent of every stored item, kept between readings in output/.cmbuild/inbox-intents.json.

Classifying is the costly part of listing a large inbox (every word of every text folded and
stemmed); a stored item's text never changes, so its intent changes only when the triggers do.
The cache holds, for one fingerprint of the triggers (and of FORMAT, the way they are matched),
each item's intent name by id, with a checksum of its text and language: an item whose text or
language differs from the cached one is classified again, and another fingerprint starts over.
The cache is an aid only: a missing or unreadable one is classified afresh and written again.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from pathlib import Path

import orjson

from cmbuild.files import write_atomic
from cmbuild.inbox.classify import classifier
from cmbuild.load.replies import Intent, Wording
from cmbuild.stores.inbox import InboxItem

FORMAT = 1  # bump when cmbuild.text.terms matches differently: every cached intent is stale
# Under the output folder, in the cache folder the build keeps there (cmbuild.incremental).
CACHE = Path(".cmbuild") / "inbox-intents.json"


def intents_of(
    items: Sequence[InboxItem], wording: Wording, cache: Path | None
) -> list[Intent | None]:
    """Each item's intent (in order), from `cache` where it is current; the cache kept up."""
    by_name = {intent.name: intent for intent in wording.intents}
    fingerprint = _fingerprint(wording)
    ids = [item.id for item in items]
    checks = [zlib.crc32(f"{item.language}\0{item.text}".encode()) for item in items]
    cached = _load(cache, fingerprint)
    if cached is not None and cached[0] == ids and cached[1] == checks:
        # The same items as last time (the usual case between two readings): no lookup each.
        names: list[str | None] = cached[2]
    else:
        names = _classified(items, checks, wording, cached)
    found = [by_name.get(name) if name is not None else None for name in names]
    if cache is not None and (cached is None or cached[0] != ids or cached[1] != checks):
        data = {"fingerprint": fingerprint, "ids": ids, "checks": checks, "intents": names}
        write_atomic(cache, orjson.dumps(data), durable=False)
    return found


def _classified(
    items: Sequence[InboxItem],
    checks: list[int],
    wording: Wording,
    cached: tuple[list[str], list[int], list[str | None]] | None,
) -> list[str | None]:
    """The intent names of `items`: the cached one where text and language are unchanged."""
    classify = classifier(wording).classify
    known = {} if cached is None else {k: (c, n) for k, c, n in zip(*cached, strict=True)}
    names: list[str | None] = []
    for item, check in zip(items, checks, strict=True):
        entry = known.get(item.id)
        if entry is not None and entry[0] == check:
            names.append(entry[1])
        else:
            intent = classify(item.text, item.language)
            names.append(intent.name if intent is not None else None)
    return names


def _fingerprint(wording: Wording) -> str:
    triggers = [
        [i.name, {lang: list(terms) for lang, terms in i.triggers.items()}] for i in wording.intents
    ]
    data = orjson.dumps([FORMAT, triggers], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()


def _load(
    cache: Path | None, fingerprint: str
) -> tuple[list[str], list[int], list[str | None]] | None:
    """The cached ids, checksums and intent names, when the cache is for these triggers."""
    if cache is None:
        return None
    try:
        data = orjson.loads(cache.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return None
    ids, checks, names = data.get("ids"), data.get("checks"), data.get("intents")
    if not (isinstance(ids, list) and isinstance(checks, list) and isinstance(names, list)):
        return None
    if not len(ids) == len(checks) == len(names):
        return None
    if not set(map(type, ids)) <= {str} or not set(map(type, names)) <= {str, type(None)}:
        return None
    return ids, checks, names
