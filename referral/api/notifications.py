"""The outbox of messages to citizens, for the channels that deliver them (service token).

GET the pending messages of a channel, send them, then POST each one's fate: delivered, or
failed (tried again later, or given up when it cannot be delivered). See referral/notifications.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from referral import notifications
from referral.api.service_token import require_token
from referral.dependencies import SessionDep

router = APIRouter(prefix="/api/notifications", tags=["notifications"], dependencies=[Depends(require_token)])

Channel = Annotated[str, Query(min_length=1, max_length=32, examples=["wechat"])]
NotificationId = Annotated[int, Path(ge=1)]


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(examples=["decision"])
    channel: str
    recipient: str = Field(description="the channel's address of the citizen (a WeChat OpenID)")
    text: str = Field(description="the message in plain Chinese, ready to send")
    created_at: datetime
    attempts: int


class NotificationList(BaseModel):
    items: list[NotificationOut]


class Failure(BaseModel):
    error: str = Field(min_length=1, max_length=200, examples=["errcode 45015: response out of time limit"])
    retry: bool = Field(description="true: try again later; false: cannot be delivered (the status lookup tells it)")


def _found(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except notifications.UnknownNotification:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such notification for this channel") from None


@router.get("", response_model=NotificationList)
def pending(session: SessionDep, channel: Channel, limit: Annotated[int, Query(ge=1, le=200)] = 50):
    """The channel's messages due now, oldest first."""
    return NotificationList(items=[NotificationOut.model_validate(n)
                                   for n in notifications.pending(session, channel, limit=limit)])


@router.post("/{notification_id}/delivered", response_model=NotificationOut)
def delivered(notification_id: NotificationId, session: SessionDep, channel: Channel):
    """The channel sent it (reporting twice is harmless)."""
    return NotificationOut.model_validate(_found(notifications.delivered, session, channel, notification_id))


@router.post("/{notification_id}/failed", response_model=NotificationOut)
def failed(notification_id: NotificationId, body: Failure, session: SessionDep, channel: Channel):
    """The channel could not send it: retried later with backoff, or given up."""
    return NotificationOut.model_validate(
        _found(notifications.failed, session, channel, notification_id, body.error, retry=body.retry))
