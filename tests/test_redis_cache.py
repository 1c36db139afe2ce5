"""The production cache (config.redis_cache) against the real Redis: the tests' own settings use
local memory, so this is where a Django upgrade that changes RedisCache's insides would show."""

import uuid

import pytest
from django.conf import settings

from config.redis_cache import ReusedClientRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)")


@pytest.fixture
def cache():
    cache = ReusedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    # Not clear(): Redis would flush the whole database, the broker's queues with it.
    cache.delete_many(["page", "a", "b"])


def test_it_stores_reads_and_forgets_like_django_s_redis_cache(cache):
    cache.set("page", b"<html>", 60)
    cache.set_many({"a": 1, "b": True})

    assert cache.get("page") == b"<html>" and cache.get_many(["a", "b"]) == {"a": 1, "b": True}
    cache.delete_many(["page", "a"])
    assert cache.get("page") is None and cache.get("a") is None and cache.get("b") is True


def test_one_client_serves_every_call(cache):
    client = cache._cache.get_client("page")

    cache.get("page")
    cache.set("page", 1)

    assert cache._cache.get_client("page") is client
    assert cache._cache.get_client("page", write=True) is cache._cache.get_client(write=True)
