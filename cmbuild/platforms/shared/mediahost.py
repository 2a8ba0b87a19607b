"""Public addresses for images, for platforms that fetch images instead of taking uploads.

Instagram and Threads create a post from an `image_url` that their servers download, so cmbuild
puts each processed image into an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, SeaweedFS,
Scaleway, OVH...) that is publicly readable, and hands them its public address.

- The key is content-addressed: `PREFIX + sha256 + extension`. The same bytes always get the same
  address, an object is never overwritten with other bytes, and an image already there is not
  uploaded again (a `HEAD` first). Uploading is therefore safe to repeat after a timeout.
- After an upload, the public address is read back (`HEAD`) and must answer with the same size:
  a bucket that is not public, or a wrong `media_public_url`, is reported here, naming the option,
  instead of as an opaque download failure from the platform.
- No ACL is sent (many providers refuse them): make the bucket, or the prefix, publicly readable
  with a bucket policy or the provider's "public access" setting.

Channel options: `media_bucket`, `media_public_url` (required), `media_endpoint` (omit for AWS),
`media_region` (default `us-east-1`), `media_prefix` (default `cmbuild/`). Credentials:
`media_key_id` and `media_secret`, an access key allowed to `s3:GetObject` and `s3:PutObject`.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cmbuild.platforms.shared.http import USER_AGENT
from cmbuild.platforms.shared.publisher import MediaFile, Publisher, PublishError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CREDENTIALS = ("media_key_id", "media_secret")
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}
_AUTH_CODES = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "Forbidden",
    "403",
}
_BUSY_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "503", "500"}


@dataclass(frozen=True)
class HostSettings:
    """Where images go and where the world reads them."""

    bucket: str
    public_url: str  # the address of the bucket's root (or of the prefix's parent), public
    endpoint: str | None = None  # None: AWS S3
    region: str = "us-east-1"
    prefix: str = "cmbuild/"


@dataclass(frozen=True)
class HostedImage:
    url: str
    key: str
    uploaded: bool  # False when the object was already in the bucket


class MediaHost:
    """Puts images into one bucket, once each, and gives their public addresses."""

    def __init__(
        self,
        settings: HostSettings,
        *,
        key_id: str,
        secret: str,
        timeout: float,
        refused: Callable[[str], PublishError],
        option_key: Callable[[str], str] = lambda name: name,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.refused = refused  # the auth error naming the variables to renew
        self.option_key = option_key  # "media_bucket" -> "channels.NAME.options.media_bucket"
        self._key_id = key_id
        self._secret = secret
        self._client: S3Client | None = None

    def host(self, item: MediaFile) -> HostedImage:
        """The public address of `item`, uploading it first unless the bucket has it."""
        digest = hashlib.sha256(item.data).hexdigest()
        key = f"{self.settings.prefix}{digest}{_EXTENSIONS.get(item.mime_type, '')}"
        url = self.settings.public_url.rstrip("/") + "/" + key
        uploaded = False
        if self._stored_size(key) != len(item.data):
            self._put(key, item)
            uploaded = True
            self._check_public(url, len(item.data), item.path)
        return HostedImage(url, key, uploaded)

    def _stored_size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self._s3().head_object(Bucket=self.settings.bucket, Key=key)
        except ClientError as error:
            if _status(error) == 404:
                return None
            raise self._error(f"check {key} in the bucket", error) from None
        except Exception as error:
            raise self._network(f"check {key} in the bucket", error) from None
        return int(head.get("ContentLength", -1))

    def _put(self, key: str, item: MediaFile) -> None:
        from botocore.exceptions import ClientError

        try:
            self._s3().put_object(
                Bucket=self.settings.bucket,
                Key=key,
                Body=item.data,
                ContentType=item.mime_type,
                # The key names the bytes: they never change, caches may keep them for ever.
                CacheControl="public, max-age=31536000, immutable",
            )
        except ClientError as error:
            raise self._error(f"upload {item.path} to the bucket", error) from None
        except Exception as error:
            raise self._network(f"upload {item.path} to the bucket", error) from None

    def _check_public(self, url: str, size: int, path: str) -> None:
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                length = answer.headers.get("Content-Length")
        except urllib.error.HTTPError as error:
            raise PublishError(
                f"{path} was uploaded, but its public address {url} answers HTTP {error.code}: "
                f"make the bucket publicly readable, or fix {self.option_key('media_public_url')}",
                "config",
            ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise PublishError(f"cannot read back {url}: {reason}", "transient") from None
        if length is not None and length.isdigit() and int(length) != size:
            raise PublishError(
                f"{url} serves {length} bytes, not the {size} uploaded: "
                f"{self.option_key('media_public_url')} does not point at the bucket",
                "config",
            )

    def _s3(self) -> S3Client:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                retries={"max_attempts": 1},  # the push retries, honouring its own policy
                # Path-style addresses and plain checksums: what S3-compatible servers all take.
                s3={"addressing_style": "path" if self.settings.endpoint else "auto"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                user_agent_extra=USER_AGENT,
            )
            self._client = boto3.client(
                "s3",
                endpoint_url=self.settings.endpoint or None,
                region_name=self.settings.region,
                aws_access_key_id=self._key_id,
                aws_secret_access_key=self._secret,
                config=config,
            )
        return self._client

    def _error(self, what: str, error: Exception) -> PublishError:
        response = getattr(error, "response", {}) or {}
        code = str(response.get("Error", {}).get("Code", ""))
        detail = str(response.get("Error", {}).get("Message", "")) or code
        status = _status(error)
        if code == "NoSuchBucket":
            return PublishError(
                f"cannot {what}: bucket {self.settings.bucket} does not exist "
                f"({self.option_key('media_bucket')})",
                "config",
            )
        if code in _AUTH_CODES or status in (401, 403):
            return self.refused(
                f"the media bucket refused the access key ({code or status}: {detail}; "
                f"or the key may not write to bucket {self.settings.bucket})"
            )
        if code in _BUSY_CODES or (status is not None and status >= 500) or status == 429:
            return PublishError(f"cannot {what}: {detail} (HTTP {status})", "transient")
        return PublishError(f"cannot {what}: {detail} (HTTP {status})", "permanent", status=status)

    def _network(self, what: str, error: Exception) -> PublishError:
        from botocore.exceptions import BotoCoreError

        if isinstance(error, BotoCoreError | ConnectionError | TimeoutError):
            # The key names the content: writing it again is harmless, so even a timeout after
            # the request was sent is worth another try.
            return PublishError(f"cannot {what}: {error}", "transient")
        raise error


def host_for(publisher: Publisher) -> MediaHost:
    """The media host a channel's options and credentials describe; `config` errors name keys."""
    why = "Instagram and Threads download images from a public address"
    channel = publisher.channel.name
    names = dict(publisher.channel.credentials)
    missing = [p for p in CREDENTIALS if p not in names or not publisher.credential(p)]
    if missing:
        keys = " and ".join(f"channels.{channel}.credentials.{p}" for p in missing)
        raise PublishError(
            f"{keys}: not set (or their environment variables are empty): {why}, so images "
            "go to an S3-compatible bucket first, with an access key that may write to it",
            "config",
        )
    settings = HostSettings(
        bucket=publisher.required_option("media_bucket", f"the S3 bucket for images: {why}"),
        public_url=publisher.required_option(
            "media_public_url", "the public https:// address of the bucket's objects"
        ),
        endpoint=publisher.option("media_endpoint"),
        region=publisher.option("media_region") or "us-east-1",
        prefix=publisher.option("media_prefix", "cmbuild/") or "",
    )
    return MediaHost(
        settings,
        key_id=publisher.credential("media_key_id") or "",
        secret=publisher.credential("media_secret") or "",
        timeout=publisher.context.timeout,
        refused=lambda detail: publisher.auth_error(detail, purposes=CREDENTIALS),
        option_key=lambda name: f"channels.{channel}.options.{name}",
    )


def _status(error: Exception) -> int | None:
    response = getattr(error, "response", {}) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None
