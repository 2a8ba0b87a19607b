"""The `options` of a channel in channels.toml, as a typed model per way of publishing.

Every channel's options are validated when channels.toml is loaded (by `cmbuild build` and
`cmbuild push` alike), against the model of the publisher the channel uses: its platform's own
(`Platform.publisher`), the one it chooses with `options.publisher`, or this base model for a
platform published by hand. An unknown key or a value of the wrong kind is reported there with
its file, line and key, instead of when a push first tries to publish.

An option a publisher needs is not required here: a channel may be built and previewed before
its account is connected; the push reports a missing one, naming it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

Scalar = str | int | float | bool
Identifier = str | int  # ids TOML may hold as numbers (a page id, a user id)


class ChannelOptions(BaseModel):
    """The options every channel may set, whatever its platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str | None = None  # a publisher other than the platform's own (`webhook`...)
    # The image stage reads these and reports their errors itself (cmbuild.images.targets).
    image_format: Scalar | None = None
    image_type: Scalar | None = None
    overlay: Scalar | None = None
