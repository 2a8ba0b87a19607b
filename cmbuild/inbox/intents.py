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
from typing import Any

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
    classify = classifier(wording).classify
    by_name = {intent.name: intent for intent in wording.intents}
    fingerprint = _fingerprint(wording)
    known = _load(cache, fingerprint)
    fresh: dict[str, list[Any]] = {}
    found: list[Intent | None] = []
    for item in items:
        check = zlib.crc32(f"{item.language}\0{item.text}".encode())
        entry = known.get(item.id)
        if entry is not None and entry[1] == check and (entry[0] is None or entry[0] in by_name):
            intent = by_name[entry[0]] if entry[0] is not None else None
        else:
            intent = classify(item.text, item.language)
        fresh[item.id] = [intent.name if intent is not None else None, check]
        found.append(intent)
    if cache is not None and fresh != known:
        data = orjson.dumps({"fingerprint": fingerprint, "intents": fresh})
        write_atomic(cache, data, durable=False)
    return found


def _fingerprint(wording: Wording) -> str:
    triggers = [
        [i.name, {lang: list(terms) for lang, terms in i.triggers.items()}] for i in wording.intents
    ]
    data = orjson.dumps([FORMAT, triggers], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()


def _load(cache: Path | None, fingerprint: str) -> dict[str, list[Any]]:
    if cache is None:
        return {}
    try:
        data = orjson.loads(cache.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return {}
    intents = data.get("intents")
    if not isinstance(intents, dict):
        return {}
    return {
        key: entry
        for key, entry in intents.items()
        if isinstance(entry, list)
        and len(entry) == 2
        and (entry[0] is None or isinstance(entry[0], str))
    }
