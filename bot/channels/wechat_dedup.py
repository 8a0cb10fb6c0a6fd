"""Which WeChat deliveries were already handled: one bot turn per message, however often WeChat retries.

WeChat retries a message up to three times when it gets no answer within 5 s. The channel claims
each message's key (MsgId, or sender + CreateTime + event for events) before the turn; only the
first claim wins. Two stores with one method: in memory with a TTL (one Rasa instance, the
default), and Redis (`SET NX EX`, shared by all instances) when REDIS_URL is set. Keys are stored
hashed, so Redis never holds an OpenID in clear.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)

# WeChat's retries come within ~15 s; a message older than the signature window is refused anyway.
DEFAULT_TTL_SECONDS = 600
MAX_MEMORY_KEYS = 100_000


def hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class DedupStore(Protocol):
    async def claim(self, key: str) -> bool:
        """True the first time `key` is seen within the TTL, False for a repeat."""
        ...


class MemoryDedupStore:
    """Keys with an expiry, oldest first; bounded so a flood cannot grow it without end."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, max_keys: int = MAX_MEMORY_KEYS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiry)

    async def claim(self, key: str) -> bool:
        now = self._clock()
        # the TTL is the same for every key, so insertion order is expiry order
        while self._expiry and next(iter(self._expiry.values())) <= now:
            self._expiry.popitem(last=False)
        name = hashed(key)
        if name in self._expiry:
            return False
        self._expiry[name] = now + self.ttl
        while len(self._expiry) > self.max_keys:
            self._expiry.popitem(last=False)
        return True


class RedisDedupStore:
    """`SET wechat:dedup:<hash> 1 NX EX ttl`; if Redis fails, fall back to this instance's memory."""

    PREFIX = "wechat:dedup:"

    def __init__(self, url: str, ttl: int = DEFAULT_TTL_SECONDS) -> None:
        import redis.asyncio  # redis-py, installed with Rasa

        self.ttl = ttl
        self._redis = redis.asyncio.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._fallback = MemoryDedupStore(ttl)

    async def claim(self, key: str) -> bool:
        import redis.exceptions

        try:
            won = await self._redis.set(self.PREFIX + hashed(key), b"1", nx=True, ex=self.ttl)
        except (redis.exceptions.RedisError, OSError) as exc:
            logger.warning("wechat dedup: Redis unavailable (%s); de-duplicating in this instance only",
                           type(exc).__name__)
            return await self._fallback.claim(key)
        return bool(won)

    async def close(self) -> None:
        await self._redis.close()


def dedup_store_from_url(redis_url: str | None, ttl: int = DEFAULT_TTL_SECONDS) -> DedupStore:
    if redis_url:
        return RedisDedupStore(redis_url, ttl)
    return MemoryDedupStore(ttl)
