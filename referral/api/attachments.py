"""Images citizens send while applying, uploaded by their channel (service token).

POST the raw bytes of one image (`Content-Type: image/jpeg`, `image/png` or `image/webp`, at
most 5 MB) with the channel and the citizen's address on it (`owner`, a WeChat OpenID). The
image waits until the citizen's referral (`reply_to` = owner) claims it; unclaimed, it is
deleted after 24 hours. See referral/attachments.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from referral import attachments
from referral.api.service_token import require_token
from referral.dependencies import Responses, SessionDep, SettingsDep
from referral.schemas import AttachmentStored

router = APIRouter(prefix="/api/attachments", tags=["attachments"], dependencies=[Depends(require_token)])

Channel = Annotated[str, Query(min_length=1, max_length=32, examples=["wechat"])]
Owner = Annotated[str, Query(min_length=1, max_length=128, description="the channel's address of the citizen "
                                                                       "(a WeChat OpenID); never shown to staff")]
_RESPONSES: Responses = {
    201: {"description": "Kept: the image waits for the owner's referral (24 hours at most)"},
    200: {"description": "Replay: the same bytes from the same owner are already waiting; the first upload",
          "model": AttachmentStored},
    400: {"description": "The body is empty"},
    401: {"description": "Missing or wrong service token"},
    413: {"description": "The image is larger than 5 MB"},
    415: {"description": "Not image/jpeg, image/png or image/webp, or the bytes are not the declared type"},
    429: {"description": "20 images already wait for this owner's application"},
}


async def _body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes the limit (never read whole into memory)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > attachments.MAX_BYTES:
        raise attachments.AttachmentError(413, f"the image is larger than {attachments.MAX_BYTES} bytes (5 MB)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > attachments.MAX_BYTES:
            raise attachments.AttachmentError(413, f"the image is larger than {attachments.MAX_BYTES} bytes (5 MB)")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AttachmentStored, responses=_RESPONSES,
             summary="Upload an image a citizen sent",
             openapi_extra={"requestBody": {"required": True, "description": "the image's bytes",
                                            "content": attachments.openapi_image_content()}})
async def upload(request: Request, response: Response, session: SessionDep, settings: SettingsDep,
                 channel: Channel, owner: Owner):
    """Keep an image a citizen sent until their referral claims it (retries of the same bytes are not duplicated)."""
    try:
        content_type = attachments.declared_type(request.headers.get("content-type"))
        data = await _body(request)
        row, created = await run_in_threadpool(
            attachments.store, session, settings.attachments_dir, channel=channel, owner=owner,
            content_type=content_type, data=data)
    except attachments.AttachmentError as exc:
        raise HTTPException(exc.status_code, exc.message) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return AttachmentStored.model_validate(row)
