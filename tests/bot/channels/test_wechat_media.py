"""Evidence photos: kept for the application only while its form is open (after consent), fetched from
the fake WeChat server's media API, checked and uploaded to a fake referral service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio
import xmltodict
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.wechat_media import (
    IMAGE_NOT_RECEIVED,
    IMAGE_RECEIVED,
    IMAGE_TOO_BIG,
    IMAGE_TOO_MANY,
    IMAGE_UNREADABLE,
    MAX_IMAGE_BYTES,
    ReferralService,
)
from tests.bot.channels.conftest import ScriptedBot, Webhook, delivered, make_channel, serve
from tests.bot.channels.fake_referral import FakeReferral
from tests.bot.channels.fake_wechat import JPEG_BYTES, OPENID, PNG_BYTES, WEBP_BYTES, FakeWeChat, free_port, image_xml

pytestmark = pytest.mark.asyncio

DOMAIN = Domain.from_dict({
    "slots": {"referral_consent": {"type": "any", "mappings": [{"type": "custom"}]}},
    "forms": {"referral_form": {"required_slots": ["referral_consent"]}, "screening_form": {"required_slots": []}},
})


def reply(body: str) -> str:
    return str(xmltodict.parse(body)["xml"]["Content"])


async def agent_with(openid: str = OPENID, form: str | None = "referral_form", consent: Any = True) -> Any:
    """Rasa's agent as the channel sees it: a tracker store holding this citizen's conversation."""
    store = InMemoryTrackerStore(DOMAIN)
    events = ([ActiveLoop(form)] if form else []) + ([SlotSet("referral_consent", consent)] if consent is not None
                                                      else [])
    await store.save(DialogueStateTracker.from_events(openid, events, slots=DOMAIN.slots))
    return SimpleNamespace(tracker_store=store)


@dataclass
class ImageSetup:
    hook: Webhook
    wechat: FakeWeChat
    referral: FakeReferral
    bot: ScriptedBot


@pytest.fixture
def fake_referral() -> Iterator[FakeReferral]:
    with FakeReferral() as referral:
        yield referral


@pytest_asyncio.fixture
async def form_open(fake_wechat: FakeWeChat, fake_referral: FakeReferral) -> AsyncIterator[ImageSetup]:
    bot = ScriptedBot()
    channel = make_channel(fake_wechat, referral=ReferralService(fake_referral.url, fake_referral.token),
                           outbox_interval=0)
    async with serve(channel, bot, agent=await agent_with()) as hook:
        yield ImageSetup(hook, fake_wechat, fake_referral, bot)


@pytest.mark.parametrize(("data", "content_type"), [(JPEG_BYTES, "image/jpeg"), (PNG_BYTES, "image/png"),
                                                    (WEBP_BYTES, "image/webp")])
async def test_an_image_during_the_form_is_uploaded_for_the_application(form_open: ImageSetup, data: bytes,
                                                                        content_type: str) -> None:
    # WeChat's own content type is not trusted: the bytes say what the file is
    form_open.wechat.add_media("m-1", data, "application/octet-stream")
    status, body = await form_open.hook.post(image_xml(media_id="m-1"))
    assert status == 200
    assert reply(body) == IMAGE_RECEIVED
    [upload] = form_open.referral.state.uploads
    assert upload.query == {"channel": "wechat", "owner": OPENID}
    assert upload.headers["Authorization"] == f"Bearer {form_open.referral.token}"
    assert upload.headers["Content-Type"] == content_type
    assert upload.body == data
    assert form_open.bot.received == []  # a photo is not a turn of the conversation


async def test_a_repeated_image_message_is_uploaded_once(form_open: ImageSetup) -> None:
    form_open.wechat.add_media("m-1", JPEG_BYTES)
    body = image_xml(media_id="m-1", msg_id=4242)
    first = await form_open.hook.post(body)
    again = await form_open.hook.post(body)
    assert reply(first[1]) == reply(again[1]) == IMAGE_RECEIVED
    assert len(form_open.referral.state.uploads) == 1
    assert form_open.wechat.media_requests == 1


async def test_a_photo_over_5mb_is_refused_without_upload(form_open: ImageSetup) -> None:
    form_open.wechat.add_media("big", JPEG_BYTES + b"\x00" * MAX_IMAGE_BYTES)
    _, body = await form_open.hook.post(image_xml(media_id="big"))
    assert reply(body) == IMAGE_TOO_BIG
    assert form_open.referral.state.uploads == []


async def test_a_photo_of_exactly_5mb_is_kept(form_open: ImageSetup) -> None:
    form_open.wechat.add_media("max", JPEG_BYTES + b"\x00" * (MAX_IMAGE_BYTES - len(JPEG_BYTES)))
    _, body = await form_open.hook.post(image_xml(media_id="max"))
    assert reply(body) == IMAGE_RECEIVED
    assert form_open.referral.state.uploads[0].headers["Content-Length"] == str(MAX_IMAGE_BYTES)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n...", b"GIF89a" + b"\x00" * 20, b"", b"MZ\x90\x00"])
async def test_a_file_that_is_not_a_photo_is_refused_without_upload(form_open: ImageSetup, data: bytes) -> None:
    form_open.wechat.add_media("odd", data, "image/jpeg")
    _, body = await form_open.hook.post(image_xml(media_id="odd"))
    assert reply(body) == IMAGE_UNREADABLE
    assert form_open.referral.state.uploads == []


async def test_referral_service_down_says_to_send_it_again(form_open: ImageSetup) -> None:
    form_open.wechat.add_media("m-1", JPEG_BYTES)
    form_open.referral.down = 503
    _, body = await form_open.hook.post(image_xml(media_id="m-1"))
    assert reply(body) == IMAGE_NOT_RECEIVED


async def test_referral_service_unreachable_says_to_send_it_again(fake_wechat: FakeWeChat) -> None:
    channel = make_channel(fake_wechat, referral=ReferralService(f"http://127.0.0.1:{free_port()}", "t" * 32),
                           outbox_interval=0)
    fake_wechat.add_media("m-1", JPEG_BYTES)
    async with serve(channel, ScriptedBot(), agent=await agent_with()) as hook:
        _, body = await hook.post(image_xml(media_id="m-1"))
    assert reply(body) == IMAGE_NOT_RECEIVED


async def test_the_service_refusing_the_file_says_why(form_open: ImageSetup) -> None:
    form_open.wechat.add_media("m-1", JPEG_BYTES)
    form_open.referral.attachment_status = 413
    _, body = await form_open.hook.post(image_xml(media_id="m-1"))
    assert reply(body) == IMAGE_TOO_BIG
    form_open.referral.attachment_status = 415
    _, body = await form_open.hook.post(image_xml(media_id="m-1"))
    assert reply(body) == IMAGE_UNREADABLE
    form_open.referral.attachment_status = 429  # 20 images already wait for this application
    _, body = await form_open.hook.post(image_xml(media_id="m-1"))
    assert reply(body) == IMAGE_TOO_MANY


async def test_an_expired_media_id_says_to_send_it_again(form_open: ImageSetup) -> None:
    _, body = await form_open.hook.post(image_xml(media_id="gone"))  # WeChat answers errcode 40007
    assert reply(body) == IMAGE_NOT_RECEIVED
    assert form_open.referral.state.uploads == []


async def test_media_survives_an_expired_access_token(form_open: ImageSetup) -> None:
    form_open.wechat.add_media("m-1", JPEG_BYTES)
    form_open.wechat.add_media("m-2", PNG_BYTES)
    await form_open.hook.post(image_xml(media_id="m-1"))
    form_open.wechat.expire_tokens()
    _, body = await form_open.hook.post(image_xml(media_id="m-2"))
    assert reply(body) == IMAGE_RECEIVED
    assert form_open.wechat.token_requests == 2
    assert [u.body for u in form_open.referral.state.uploads] == [JPEG_BYTES, PNG_BYTES]


async def test_a_slow_upload_answers_by_customer_service_message(fake_wechat: FakeWeChat,
                                                                 fake_referral: FakeReferral) -> None:
    channel = make_channel(fake_wechat, referral=ReferralService(fake_referral.url, fake_referral.token),
                           outbox_interval=0, passive_budget=0.3)
    fake_wechat.add_media("m-1", JPEG_BYTES)
    fake_referral.attachment_delay = 0.8
    async with serve(channel, ScriptedBot(), agent=await agent_with()) as hook:
        status, body = await hook.post(image_xml(media_id="m-1"))
        assert (status, body) == (200, "success")
        [sent] = await delivered(fake_wechat, 1)
    assert (sent.touser, sent.content) == (OPENID, IMAGE_RECEIVED)
    assert len(fake_referral.state.uploads) == 1


@pytest.mark.parametrize(("form", "consent"), [
    (None, None),  # no application at all
    ("screening_form", None),  # the eligibility check is not an application
    ("referral_form", None),  # the form is open but consent was not given yet
    ("referral_form", False),  # consent refused
])
async def test_outside_an_open_application_nothing_is_fetched_or_uploaded(
        fake_wechat: FakeWeChat, fake_referral: FakeReferral, form: str | None, consent: Any) -> None:
    channel = make_channel(fake_wechat, referral=ReferralService(fake_referral.url, fake_referral.token),
                           outbox_interval=0)
    fake_wechat.add_media("m-1", JPEG_BYTES)
    bot = ScriptedBot()
    async with serve(channel, bot, agent=await agent_with(form=form, consent=consent)) as hook:
        _, body = await hook.post(image_xml(media_id="m-1"))
    text = reply(body)
    assert "图片" in text and "文字" in text  # today's polite reply: what works
    assert fake_wechat.media_requests == 0
    assert fake_referral.state.uploads == []
    assert bot.received == []


async def test_another_citizens_open_form_does_not_count(fake_wechat: FakeWeChat,
                                                         fake_referral: FakeReferral) -> None:
    channel = make_channel(fake_wechat, referral=ReferralService(fake_referral.url, fake_referral.token),
                           outbox_interval=0)
    fake_wechat.add_media("m-1", JPEG_BYTES)
    async with serve(channel, ScriptedBot(), agent=await agent_with(openid="oSomeoneElse")) as hook:
        _, body = await hook.post(image_xml(media_id="m-1"))
    assert reply(body) != IMAGE_RECEIVED
    assert fake_referral.state.uploads == []


async def test_without_the_referral_settings_an_image_in_the_form_is_not_kept(fake_wechat: FakeWeChat) -> None:
    fake_wechat.add_media("m-1", JPEG_BYTES)
    async with serve(make_channel(fake_wechat), ScriptedBot(), agent=await agent_with()) as hook:
        _, body = await hook.post(image_xml(media_id="m-1"))
    assert reply(body) == IMAGE_NOT_RECEIVED


async def test_a_tracker_store_that_fails_counts_as_no_application(fake_wechat: FakeWeChat,
                                                                   fake_referral: FakeReferral) -> None:
    class BrokenStore:
        async def retrieve(self, sender_id: str) -> None:
            raise ConnectionError("database down")

    channel = make_channel(fake_wechat, referral=ReferralService(fake_referral.url, fake_referral.token),
                           outbox_interval=0)
    async with serve(channel, ScriptedBot(), agent=SimpleNamespace(tracker_store=BrokenStore())) as hook:
        status, body = await hook.post(image_xml())
    assert status == 200 and "文字" in reply(body)
    assert fake_referral.state.uploads == []


async def test_logs_hold_no_openid(form_open: ImageSetup, caplog: pytest.LogCaptureFixture) -> None:
    form_open.wechat.add_media("m-1", JPEG_BYTES)
    with caplog.at_level(logging.DEBUG):
        await form_open.hook.post(image_xml(media_id="m-1"))
        form_open.referral.down = 503
        await form_open.hook.post(image_xml(media_id="m-1"))
    # the channel's own logs (Rasa's tracker store names sender ids at DEBUG level, as everywhere in Rasa)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert "u-" in logged
    assert OPENID not in logged and form_open.referral.token not in logged

