"""De-duplication stores: in memory (default) and Redis (shared by several Rasa instances)."""

from __future__ import annotations

import os
import uuid

import pytest

from bot.channels.wechat_dedup import MemoryDedupStore, RedisDedupStore, dedup_store_from_url, hashed

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


async def require_redis() -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await client.ping()
    except Exception as exc:
        reason = f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}"
        if in_ci():
            pytest.fail(f"{reason} (Redis is required in CI)")
        pytest.skip(reason + " (set CI=true to make this a failure)")
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_memory_store_claims_once_until_the_ttl_passes() -> None:
    now = [100.0]
    store = MemoryDedupStore(ttl=10, clock=lambda: now[0])
    assert await store.claim("msg:1") is True
    assert await store.claim("msg:1") is False
    assert await store.claim("msg:2") is True
    now[0] += 11
    assert await store.claim("msg:1") is True  # expired, so a new delivery
    assert len(store) == 1  # msg:2 was purged on the way


@pytest.mark.asyncio
async def test_memory_store_stays_small() -> None:
    store = MemoryDedupStore(ttl=3600, max_keys=100)
    for n in range(1000):
        assert await store.claim(f"msg:{n}")
    assert len(store) == 100
    assert await store.claim("msg:999") is False


@pytest.mark.asyncio
async def test_redis_store_is_shared_between_instances() -> None:
    await require_redis()
    key = f"msg:{uuid.uuid4().int}"
    one, two = RedisDedupStore(REDIS_URL, ttl=30), RedisDedupStore(REDIS_URL, ttl=30)
    try:
        assert await one.claim(key) is True
        assert await two.claim(key) is False  # another Rasa instance sees the claim
        assert await one.claim(key) is False
        stored = await one._redis.keys(RedisDedupStore.PREFIX + "*")
        assert stored and all(b"msg:" not in name for name in stored)  # keys are hashed
        assert 0 < await one._redis.ttl(RedisDedupStore.PREFIX + hashed(key)) <= 30
    finally:
        await one.close()
        await two.close()


@pytest.mark.asyncio
async def test_redis_down_falls_back_to_this_instance() -> None:
    store = RedisDedupStore("redis://127.0.0.1:9/0", ttl=30)  # nothing listens on port 9
    try:
        assert await store.claim("msg:42") is True
        assert await store.claim("msg:42") is False
    finally:
        await store.close()


def test_store_is_chosen_by_redis_url() -> None:
    assert isinstance(dedup_store_from_url(None), MemoryDedupStore)
    assert isinstance(dedup_store_from_url(REDIS_URL), RedisDedupStore)
