"""The `[analytics]` table of channels.toml: the brand site's web analytics, read live.

    [analytics]
    tool = "plausible"              # or "matomo"
    url = "https://plausible.io"    # the instance (a self-hosted one: its address)
    site = "example.com"            # Plausible: the site's domain; Matomo: its idSite
    key = "CMB_PLAUSIBLE_KEY"       # the environment variable holding the API key (token_auth)
    goals = ["Signup"]              # Plausible: the goals whose conversions are imported
    revenue = true                  # Plausible: the goals have revenue (a Business plan)
    since = 2026-01-01              # the first day to count (default: the first post's day)

The table is checked with the rest of the file (cmbuild/load/config.py), so a wrong key is
named with its line. The key itself never appears here: only the name of the variable.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


class AnalyticsModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: Literal["plausible", "matomo"]
    url: str
    site: str | int
    key: str
    goals: list[str] = Field(default_factory=list)
    revenue: bool = False
    since: date | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(
                f"{value!r} is not a web address: give the instance's address, "
                "like https://plausible.io or https://matomo.example.com"
            )
        return value.rstrip("/")

    @field_validator("key")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.fullmatch(value):
            raise ValueError(
                "key must name an environment variable (like CMB_PLAUSIBLE_KEY), "
                "never hold the key itself"
            )
        return value

    @property
    def site_id(self) -> str:
        return str(self.site)
