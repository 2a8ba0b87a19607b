"""Channel options are checked when channels.toml loads, against the model of their publisher;
the defaults a platform gives its channels."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmbuild import platforms
from cmbuild.errors import InputErrors
from cmbuild.load.config import load_channels


def load(tmp_path: Path, channels: str) -> list[str]:
    """The errors of loading `channels` (channels.toml), as the CLI prints them."""
    templates = tmp_path / "brand" / "templates"
    templates.mkdir(parents=True)
    for name in platforms.names():
        (templates / platforms.get(name).template_name()).write_text("{{ body }}", "utf-8")
    (tmp_path / "channels.toml").write_text(channels, encoding="utf-8")
    try:
        load_channels(tmp_path)
    except InputErrors as errors:
        return [str(error) for error in errors.errors]
    return []


def test_the_options_each_publisher_reads_are_accepted(tmp_path: Path) -> None:
    channels = """
[channels.news]
platform = "newsletter"
options = { from = "news@example.org", to = "list@example.org", smtp_port = 2525 }

[channels.page]
platform = "facebook"
options = { page_id = 104857600000001, graph_version = "v26.0", image_format = "square" }

[channels.wp]
platform = "blog"
options = { publisher = "wordpress", site = "https://example.org", status = "draft" }

[channels.tube]
platform = "youtube"
options = { publisher = "webhook", webhook_url = "https://hooks.example.org", overlay = false }
"""
    assert load(tmp_path, channels) == []


def test_an_unknown_option_is_located_and_the_known_ones_listed(tmp_path: Path) -> None:
    channels = (
        '[channels.masto]\nplatform = "mastodon"\noptions = { instanse = "https://m.example" }\n'
    )
    assert load(tmp_path, channels) == [
        "channels.toml:3: channels.masto.options.instanse: unknown key (Mastodon channels take"
        " these options: collect_ages, image_format, image_type, instance, overlay, publisher,"
        " visibility)"
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            'publisher = "wordpress", status = "online"',
            "channels.toml:3: channels.site.options.status: expected one of 'publish', 'draft'"
            " or 'future', got 'online'",
        ),
        ("site_dir = 3", "channels.toml:3: channels.site.options.site_dir: expected text, got 3"),
        (
            'publisher = "mastodon"',
            "channels.toml:3: channels.site.options.publisher: unknown publisher 'mastodon' for"
            " Blog (known: blog, webhook, wordpress)",
        ),
    ],
)
def test_a_wrong_value_or_publisher_is_an_error_at_load(
    tmp_path: Path, options: str, expected: str
) -> None:
    channels = f'[channels.site]\nplatform = "blog"\noptions = {{ {options} }}\n'
    assert load(tmp_path, channels) == [expected]


def test_a_platform_published_by_hand_takes_only_the_common_options(tmp_path: Path) -> None:
    channels = '[channels.tube]\nplatform = "youtube"\noptions = { webhook_url = "https://h" }\n'
    (error,) = load(tmp_path, channels)
    assert error.startswith("channels.toml:3: channels.tube.options.webhook_url: unknown key")


def test_the_default_utm_medium_is_the_platforms(tmp_path: Path) -> None:
    channels = '[channels.news]\nplatform = "newsletter"\n\n[channels.li]\nplatform = "linkedin"\n'
    assert load(tmp_path, channels) == []
    loaded = {channel.name: channel.utm for channel in load_channels(tmp_path)}
    assert (loaded["news"].source, loaded["news"].medium) == ("newsletter", "email")
    assert (loaded["li"].source, loaded["li"].medium) == ("linkedin", "social")
