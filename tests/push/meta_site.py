"""tests/sites/basic with Facebook, Instagram and Threads channels pointed at local peers, and
three posts for them, built by the real build: what `cmbuild push` then publishes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

from cmbuild.build import build
from cmbuild.push.report import Report
from tests.push.graph_fake import IG_USER_ID, PAGE_ID
from tests.push.s3peer import S3Peer

ENV_NAMES = {
    "page_token": "CMB_FACEBOOK_PAGE_TOKEN",
    "ig_token": "CMB_INSTAGRAM_TOKEN",
    "threads_token": "CMB_THREADS_TOKEN",
    "media_key_id": "CMB_MEDIA_KEY_ID",
    "media_secret": "CMB_MEDIA_SECRET",
}
ALT = "Une salle de formation lumineuse."
SECOND_ALT = "Un tableau blanc couvert de schémas."
# Each post on its own day, so that pushing one does not publish another (they go stale).
TEXT_AT = "2026-12-01T09:01:00Z"  # meta-texte: Facebook (with a link) and Threads, no image
PHOTO_AT = "2026-12-02T09:01:00Z"  # meta-photo: one image everywhere
ALBUM_AT = "2026-12-04T09:01:00Z"  # meta-album: two images everywhere
IG_LAUNCH_AT = "2026-12-03T17:01:00Z"  # the basic site's own Instagram post

POSTS = {
    "2026-12-01-meta-texte.md": """---
title: "Portes ouvertes"
publish: 2026-12-01 10:00
campaign: portes
link: https://testbrand.fr/portes
status: approved
channels: [facebook-test, threads-test]
---
Nos portes ouvertes ont lieu samedi : venez rencontrer l'équipe et les anciens élèves.
""",
    "2026-12-02-meta-photo.md": f"""---
title: "La salle est prête"
publish: 2026-12-02 10:00
campaign: salle
image:
  path: media/photo.jpg
  alt: "{ALT}"
status: approved
channels: [facebook-test, threads-test, instagram-test]
---
La salle de formation est prête pour la rentrée.
""",
    "2026-12-04-meta-album.md": f"""---
title: "Retour en images"
publish: 2026-12-04 10:00
campaign: album
images:
  - path: media/photo.jpg
    alt: "{ALT}"
  - path: media/tableau.jpg
    alt: "{SECOND_ALT}"
status: approved
channels: [facebook-test, threads-test, instagram-test]
---
Retour en images sur la première semaine.
""",
}


def meta_site(root: Path, graph_url: str, s3: S3Peer | None, *, secret: str = "") -> Path:
    """Add the Meta channels and posts to the site at `root` (a copy of basic), and build it."""
    channels = root / "channels.toml"
    text = channels.read_text(encoding="utf-8")
    text += f"""
[channels.facebook-test]
platform = "facebook"
options = {{ page_id = "{PAGE_ID}", api_base = "{graph_url}" }}
credentials = {{ page_token = "{ENV_NAMES["page_token"]}" }}

[channels.threads-test]
platform = "threads"
"""
    media = ""
    if s3 is not None:
        media = (
            f'media_bucket = "{s3.bucket}"\nmedia_endpoint = "{s3.endpoint}"\n'
            f'media_public_url = "{s3.public_url}"\nmedia_prefix = "img/"\n'
        )
    keys = (
        f'media_key_id = "{ENV_NAMES["media_key_id"]}"\n'
        f'media_secret = "{ENV_NAMES["media_secret"]}"\n'
    )
    text += (
        f'\n[channels.threads-test.options]\napi_base = "{graph_url}"\n{media}'
        f'\n[channels.threads-test.credentials]\ntoken = "{ENV_NAMES["threads_token"]}"\n{keys}'
        f'\n[channels.instagram-test.options]\nig_user_id = "{IG_USER_ID}"\n'
        f'api_base = "{graph_url}"\n{media}'
        f'\n[channels.instagram-test.credentials]\ntoken = "{ENV_NAMES["ig_token"]}"\n{keys}'
    )
    channels.write_text(text, encoding="utf-8")
    templates = root / "brand" / "templates"
    for name in ("facebook", "threads"):
        (templates / f"{name}.j2").write_text("{{ body }}\n", encoding="utf-8")
    Image.new("RGB", (1080, 1350), (40, 90, 160)).save(root / "media" / "tableau.jpg", "JPEG")
    for name, content in POSTS.items():
        (root / "posts" / name).write_text(content, encoding="utf-8")
    build(root, jobs=1)
    return root


def sent(report: Report) -> list[str]:
    """The outcome of each send (earlier posts of the meta are reported missed: left out)."""
    return [r.outcome for r in report.rows if r.outcome != "missed"]


def variant(root: Path, channel: str, slug_part: str) -> dict[str, Any]:
    """The one publishable variant of `channel` whose source contains `slug_part`."""
    manifest = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    (found,) = [
        v
        for v in manifest["variants"]
        if v["channel"] == channel and slug_part in v["source"] and v["publishable"]
    ]
    return dict(found)
