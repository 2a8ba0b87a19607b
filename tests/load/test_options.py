"""A credential written under a channel's `options` is refused when channels.toml is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmbuild.load.options import looks_like_secret
from tests.helpers import cli, edit

ANCHOR = 'options = { instance = "https://mastodon.example" }'


@pytest.mark.parametrize(
    ("option", "key"),
    [
        ('token = "not-very-secret"', "token"),
        ('app_password = "abcd efgh ijkl mnop"', "app_password"),
        ('api_key = "k3y-v4lue"', "api_key"),
        ('client_secret = "s3cr3t-v4lue"', "client_secret"),
        ('access = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"', "access"),
        ('page = "EAAGm0PX4ZCpsBAKZBZAqB1xyz"', "page"),
        ('auth = "Bearer Xk29fj3k2L0q"', "auth"),
    ],
)
def test_a_credential_under_options_is_an_error_naming_file_line_and_key(
    basic: Path, option: str, key: str
) -> None:
    edit(basic / "channels.toml", ANCHOR, ANCHOR.replace(" }", f", {option} }}"))
    value = option.split(" = ", 1)[1].strip('"')
    result = cli("build", "-C", str(basic))
    assert result.code == 2
    assert (
        f"channels.toml:14: channels.mastodon-test.options.{key}: looks like a credential"
        in result.err
    )
    assert "credentials = { " + key in result.err
    assert value not in result.out + result.err
    output = basic / "output"
    assert not output.exists() or not any(
        value.encode() in path.read_bytes() for path in output.rglob("*") if path.is_file()
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("instance", "https://mastodon.social"),
        ("page_id", "104857600000001"),
        ("author", "urn:li:organization:2414183"),
        ("blog", "cmbordeaux.tumblr.com"),
        ("media_public_url", "https://cmb-media.s3.fr-par.scw.cloud"),
        ("board", "Ateliers de Noël"),
        ("media_prefix", "cmbuild/"),
        ("from", "CM Bordeaux <lettre@cm-bordeaux.example>"),
        ("smtp_port", 587),
    ],
)
def test_ordinary_options_are_not_taken_for_credentials(key: str, value: object) -> None:
    assert not looks_like_secret(key, value)
