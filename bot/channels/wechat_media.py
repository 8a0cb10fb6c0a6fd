"""Evidence photos sent by WeChat while the citizen's application form is open.

Only inside an application, after the citizen consented (the tracker's active loop is
`referral_form` and `referral_consent` is true): the image is fetched from WeChat's media API,
checked (JPEG, PNG or WebP by its first bytes, at most 5 MB) and uploaded to the referral service
(`POST /api/attachments?channel=wechat&owner=<OpenID>`, raw bytes, service token). The referral
service holds it as the citizen's pending upload and attaches it to the ticket when the
application is submitted. Outside an application nothing is fetched or stored.

Each outcome has one plain-Chinese answer for the citizen. Nothing here logs an OpenID in clear.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.channels.wechat_api import MediaTooLarge, WeChatAPI, WeChatAPIError
from referral.rules.images import MAX_IMAGE_BYTES, image_type

logger = logging.getLogger(__name__)

FORM_NAME = "referral_form"
CONSENT_SLOT = "referral_consent"

IMAGE_RECEIVED = "收到图片了，提交申请时会一起交给工作人员。"
IMAGE_TOO_BIG = "图片太大了，请发5MB以内的照片。"
IMAGE_UNREADABLE = "这个文件打不开，请发照片（jpg或png）。"
IMAGE_NOT_RECEIVED = "图片暂时没有收到，请稍后再发一次。"
IMAGE_TOO_MANY = "这次申请已经收到20张图片了，够用了。还有别的材料，工作人员联系您时再给他们看。"


class UploadRefused(Exception):
    """The referral service refused the file (too large, wrong type): the citizen should send another."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class ServiceUnavailable(Exception):
    """The referral service could not be reached or failed (network error, timeout, 5xx, other 4xx)."""


@dataclass(frozen=True)
class ReferralService:
    """Where the referral service is and its service token (REFERRAL_API_URL, REFERRAL_API_TOKEN)."""

    url: str
    token: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ReferralService | None:
        url = environ.get("REFERRAL_API_URL", "").strip().rstrip("/")
        token = environ.get("REFERRAL_API_TOKEN", "").strip()
        if not url.startswith(("http://", "https://")) or not token:
            return None
        return cls(url, token)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class AttachmentUploader:
    """`POST /api/attachments` of the referral service. Create it inside the event loop that uses it."""

    def __init__(self, service: ReferralService, *, timeout: float = 15.0) -> None:
        self.service = service
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def upload(self, owner: str, data: bytes, content_type: str) -> dict[str, Any]:
        """The stored attachment's description ({id, content_type, size, sha256, created_at})."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(
                f"{self.service.url}/api/attachments", params={"channel": "wechat", "owner": owner}, data=data,
                headers={**self.service.headers, "Content-Type": content_type},
            ) as response:
                status = response.status
                body = await response.json(content_type=None) if status in (200, 201) else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise ServiceUnavailable(type(exc).__name__) from None  # str(exc) may hold the URL (the OpenID)
        if status in (413, 415, 429):  # too big, not an image, 20 images already wait for this citizen
            raise UploadRefused(status)
        if status not in (200, 201) or not isinstance(body, dict):
            raise ServiceUnavailable(f"HTTP {status}")
        return body

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


async def application_open(agent: Any, sender_id: str) -> bool:
    """True while this sender's application form is open and they have consented.

    Reads Rasa's tracker store (read only, no lock: the answer only decides whether to keep a photo).
    Any failure counts as "not open": then nothing personal is stored.
    """
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return False
    try:
        tracker = await store.retrieve(sender_id)
    except Exception as exc:  # a tracker store that is down must not break the webhook
        logger.warning("wechat media: tracker store unavailable (%s); treating the form as closed",
                       type(exc).__name__)
        return False
    if tracker is None:
        return False
    return tracker.active_loop_name == FORM_NAME and tracker.get_slot(CONSENT_SLOT) is True


class EvidenceImages:
    """Fetch, check and upload one photo; returns what to tell the citizen."""

    def __init__(self, api: WeChatAPI | None, uploader: AttachmentUploader | None,
                 max_bytes: int = MAX_IMAGE_BYTES) -> None:
        self.api = api
        self.uploader = uploader
        self.max_bytes = max_bytes

    async def receive(self, openid: str, media_id: str, who: str) -> str:
        if self.api is None or self.uploader is None or not media_id:
            logger.error("wechat media: an image from %s not kept: %s", who,
                         "no media id" if media_id == "" else
                         "WECHAT_APP_ID/WECHAT_APP_SECRET unset" if self.api is None else
                         "REFERRAL_API_URL/REFERRAL_API_TOKEN unset")
            return IMAGE_NOT_RECEIVED
        try:
            data = await self.api.get_media(media_id, self.max_bytes)
        except MediaTooLarge:
            logger.info("wechat media: an image from %s is over %d bytes", who, self.max_bytes)
            return IMAGE_TOO_BIG
        except WeChatAPIError as exc:
            logger.error("wechat media: an image from %s could not be fetched: errcode %s", who, exc.errcode)
            return IMAGE_NOT_RECEIVED
        if len(data) > self.max_bytes:
            return IMAGE_TOO_BIG
        content_type = image_type(data)
        if content_type is None:
            logger.info("wechat media: a file from %s is not a JPEG, PNG or WebP image (%d bytes)", who, len(data))
            return IMAGE_UNREADABLE
        try:
            stored = await self.uploader.upload(openid, data, content_type)
        except UploadRefused as refused:
            logger.warning("wechat media: the referral service refused an image from %s with HTTP %s", who,
                           refused.status)
            return {413: IMAGE_TOO_BIG, 429: IMAGE_TOO_MANY}.get(refused.status, IMAGE_UNREADABLE)
        except ServiceUnavailable as exc:
            logger.error("wechat media: an image from %s not uploaded: referral service %s", who, exc)
            return IMAGE_NOT_RECEIVED
        logger.info("wechat media: an image from %s kept as attachment %s (%s, %d bytes)", who, stored.get("id"),
                    content_type, len(data))
        return IMAGE_RECEIVED

    async def close(self) -> None:
        if self.uploader is not None:
            await self.uploader.close()
