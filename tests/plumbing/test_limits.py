"""plumbing.limits: rates read from settings, the client a request counts for, and counting in
fixed windows of the cache (the shared Redis one in production)."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from plumbing import limits
from plumbing.limits import Rate


def test_rates_are_read_as_counts_per_period():
    assert limits.parse_rates("3/15m 10/1d") == (Rate(3, 900), Rate(10, 86400))
    assert limits.parse_rates("20/10m") == (Rate(20, 600),)
    assert limits.parse_rates("5/h") == (Rate(5, 3600),)
    with pytest.raises(ValueError, match="3/15m"):
        limits.parse_rates("drei pro Tag")


def test_every_configured_limit_reads():
    for text in settings.RATE_LIMITS.values():
        assert limits.parse_rates(text)


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "client"),
    [
        ("192.0.2.1", "", 0, "192.0.2.1"),
        # Without a trusted proxy, what the client writes into the header is not believed.
        ("192.0.2.1", "203.0.113.9", 0, "192.0.2.1"),
        ("10.0.0.1", "203.0.113.9, 198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.1", "203.0.113.9, 198.51.100.7", 2, "203.0.113.9"),
        # Fewer entries than proxies: something in front is not as configured; the proxy counts.
        ("10.0.0.1", "", 1, "10.0.0.1"),
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "", 0, "192.0.2.1"),
        ("", "", 0, "unknown"),
    ],
)
def test_the_client_is_its_address_or_the_one_the_nearest_trusted_proxy_saw(
    settings, remote, forwarded, proxies, client
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert limits.client_of(request) == client


def test_each_rate_counts_in_its_own_window_and_refused_attempts_count_too():
    rates = limits.parse_rates("2/1m 3/1h")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        assert [limits.allows("b", "a@example.com", rates) for _ in range(3)] == [
            True, True, False,
        ]  # fmt: skip
        assert limits.allows("b", "OTHER@example.com", rates)
        assert limits.allows("other", "a@example.com", rates)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        # A new minute, but the hour holds three already (the refused one among them).
        assert not limits.allows("b", "A@example.com ", rates)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert limits.allows("b", "a@example.com", rates)


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_in_the_shared_redis_cache_every_process_counts_in_the_same_bucket(settings):
    prefix = f"test-{uuid.uuid4().hex}"
    redis = {"BACKEND": "config.redis_cache.ReusedClientRedisCache", "LOCATION": settings.REDIS_URL}
    settings.CACHES = {**settings.CACHES, "default": {**redis, "KEY_PREFIX": prefix}}
    rates = limits.parse_rates("2/1h")
    assert limits.allows("b", "a@example.com", rates)

    # Another web process: its own connection to the same Redis.
    from config.redis_cache import ReusedClientRedisCache

    other = ReusedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    keys = [key for key in other._cache.get_client().keys(f"{prefix}:*")]
    assert len(keys) == 1 and other.get(keys[0].decode().split(":", 2)[2]) == 1
    assert limits.allows("b", "a@example.com", rates)
    assert not limits.allows("b", "a@example.com", rates)
    other._cache.get_client(write=True).delete(*keys)
