"""LinkedIn's figures for an organisation page: `GET /rest/organizationalEntityShareStatistics
?q=organizationalEntity` with the page's posts in `shares=List(...)` and `ugcPosts=List(...)`,
and the page's followers from `GET /rest/networkSizes/{organization urn}
?edgeType=COMPANY_FOLLOWED_BY_MEMBER`.

Sources (learn.microsoft.com/linkedin/marketing/community-management/organizations/):
"Organization Share Statistics" (share-statistics: `totalShareStatistics` with impressionCount,
uniqueImpressionsCount, clickCount, likeCount, commentCount, shareCount, engagement) and
"Organization Lookup API" (organization-lookup-api, "Retrieve Organization Follower Count":
`firstDegreeSize`). A post asked for and left out of the answer is looked up
(`GET /rest/posts/{urn}`): 404 means it was deleted (gone).

A member's own posts (`urn:li:person` authors) are read through the member post analytics API
("Member Post Statistics", learn.microsoft.com/linkedin/marketing/community-management/members/
post-statistics; scope `r_member_postAnalytics`): `GET /rest/memberCreatorPostAnalytics
?q=entity&entity=(share:{urn})` (or `(ugc:{urn})`) `&queryType=...&aggregation=TOTAL`, one
metric a call, its total in `elements[0].count`. It gives no clicks nor engagement rate (absent),
and no follower count of a member's network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote

from cmbuild.platforms.linkedin.publisher import LinkedInPublisher
from cmbuild.platforms.shared.metrics import (
    MetricsReader,
    MetricValue,
    PostFigures,
    PostRef,
    figures,
    tables,
)
from cmbuild.platforms.shared.publisher import PublishError


class LinkedInMetrics(MetricsReader[LinkedInPublisher]):
    api = "linkedin-rest organizationalEntityShareStatistics"
    member = tables(__name__)["member"]  # a member's own posts: another API, other fields
    more = (("a member's profile (memberCreatorPostAnalytics)", member),)
    batch = 20  # URNs per request, to keep the URL short (the page states no limit)

    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        del now
        if self.publisher.author.startswith("urn:li:person:"):
            return {r.remote_id: self._member_post(r.remote_id) for r in refs}
        author = self._page()
        urns = [r.remote_id for r in refs]
        query = f"q=organizationalEntity&organizationalEntity={_encoded(author)}"
        for name, kind in (("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:")):
            listed = [u for u in urns if u.startswith(kind)]
            if listed:
                query += f"&{name}=List({','.join(_encoded(u) for u in listed)})"
        answer = self.publisher.read(
            "read the posts' figures", f"/rest/organizationalEntityShareStatistics?{query}"
        )
        found: dict[str, PostFigures] = {}
        for element in answer.get("elements") or []:
            if not isinstance(element, dict):
                continue
            urn = element.get("share") or element.get("ugcPost")
            totals = element.get("totalShareStatistics")
            if isinstance(urn, str) and isinstance(totals, dict):
                found[urn] = PostFigures(figures(self.posts, totals))
        for urn in urns:
            if urn not in found:
                found[urn] = self._missing(urn)
        return found

    def read_channel(self) -> Mapping[str, MetricValue]:
        if self.publisher.author.startswith("urn:li:person:"):
            return {}  # no follower count for a member's own network through this API
        path = f"/rest/networkSizes/{_encoded(self._page())}?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
        return figures(self.channel, self.publisher.read("read the page's followers", path))

    def _page(self) -> str:
        if not self.publisher.author.startswith("urn:li:organization:"):
            raise PublishError(
                f"channels.{self.publisher.channel.name}: cmbuild reads LinkedIn figures for "
                "organisation pages and members' profiles (options.author is neither)",
                "config",
            )
        return self.publisher.author

    def _member_post(self, urn: str) -> PostFigures:
        """A member's post, one metric a call; the page's metrics it has no equivalent of are
        absent."""
        kind = "ugc" if urn.startswith("urn:li:ugcPost:") else "share"
        values: dict[str, object] = {}
        for metric in self.member:
            path = (
                f"/rest/memberCreatorPostAnalytics?q=entity&entity=({kind}:{_encoded(urn)})"
                f"&queryType={metric.field}&aggregation=TOTAL"
            )
            try:
                answer = self.publisher.read("read the post's figures", path)
            except PublishError as error:
                if error.status == 404:
                    return self._missing(urn)
                raise
            elements = answer.get("elements") or []
            first = elements[0] if elements and isinstance(elements[0], dict) else {}
            values[metric.field] = first.get("count")
        found: dict[str, MetricValue] = {m.name: None for m in self.posts}
        found.update(figures(self.member, values))
        return PostFigures(found)

    def _missing(self, urn: str) -> PostFigures:
        """A post the statistics left out: gone if LinkedIn no longer has it, else no figures."""
        try:
            self.publisher.read("look the post up", "/rest/posts/" + _encoded(urn))
        except PublishError as error:
            if error.status == 404:
                return PostFigures({}, gone=True)
            raise
        return PostFigures({m.name: None for m in self.posts})


def _encoded(urn: str) -> str:
    """A URN as Rest.li 2.0 wants it in a URL: every reserved character percent-encoded."""
    return quote(urn, safe="")
