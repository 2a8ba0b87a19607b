"""brand/watch.toml: the loader and the JSON Schema editors complete from agree on docs/watch.md."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest

from cmbuild.errors import InputErrors
from cmbuild.load.watch import load_watch

DOCS = Path(__file__).parents[2] / "docs"


def _example() -> str:
    (block,) = re.findall(
        r"```toml\n(.*?)```", (DOCS / "watch.md").read_text(encoding="utf-8"), re.S
    )
    return str(block)


def test_the_documented_example_loads_and_fits_the_schema(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "watch.toml").write_text(_example(), encoding="utf-8")
    watch = load_watch(tmp_path, {"meetup-decembre"})
    assert watch is not None
    (topic,) = watch.topics
    assert (topic.severity, topic.halt, topic.auto_halt) == ("crisis", ("meetup-decembre",), True)
    schema = json.loads((DOCS / "watch.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(tomllib.loads(_example()), schema)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (('"15m"', '"soon"'), "sources.0.interval"),
        (('kind = "feed"', 'kind = "fed"'), "sources.0.kind"),
        (('severity = "crisis"', 'severity = "high"'), "topics.0.severity"),
        (("{SMTP_PASSWORD}", "hunter2"), "alerts.urls.0"),
    ],
)
def test_bad_keys_are_named_with_their_line(
    tmp_path: Path, change: tuple[str, str], says: str
) -> None:
    (tmp_path / "brand").mkdir()
    text = _example().replace(*change)
    (tmp_path / "brand" / "watch.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as raised:
        load_watch(tmp_path, {"meetup-decembre"})
    (error,) = list(raised.value)
    assert error.key == says and error.line is not None
