"""Rate limits for the public forms: how often one client, or one e-mail address, may send one.

A limit is a setting such as "3/15m 10/1d" (three in 15 minutes and ten a day), counted in
fixed windows in Django's cache, which production shares between its web processes (Redis).
Every attempt counts, refused ones too. The client is the address the request came from, or,
behind `TRUSTED_PROXY_COUNT` proxies, the one the nearest trusted proxy was given; an IPv6
client counts by its /64, the network one machine usually holds.
"""

import hashlib
import ipaddress
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rates(text: str) -> tuple[Rate, ...]:
    """ "3/15m 10/1d" -> three per 15 minutes and ten per day."""
    rates = []
    for part in text.split():
        match = re.fullmatch(r"(\d+)/(\d*)([smhd])", part)
        if match is None:
            raise ValueError(f"not a rate: {part!r} (write e.g. 3/15m or 10/1d)")
        count, number, unit = match.groups()
        rates.append(Rate(int(count), int(number or 1) * UNITS[unit]))
    return tuple(rates)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the one the
    nearest of them forwarded. Also django-axes' (AXES_CLIENT_IP_CALLABLE), so a lock names the
    visitor and not the proxy."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        # Each trusted proxy appends the address it was reached from; what lies further left
        # than the nearest one's entry the client could have written itself.
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return address


def client_of(request: HttpRequest) -> str:
    """Who a limit counts: the client's address, an IPv6 client by its /64 (one household or
    machine gets a whole /64 and could take a new address for every request)."""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def allows(bucket: str, who: str, rates: tuple[Rate, ...]) -> bool:
    """Counts one more attempt of `who` (a client, an address) in `bucket`; False when one of
    the rates is used up in its current window."""
    digest = hashlib.sha256(who.strip().lower().encode()).hexdigest()[:32]
    now = int(time.time())
    within = True
    for rate in rates:
        key = f"limit:{bucket}:{rate.seconds}:{now // rate.seconds}:{digest}"
        cache.add(key, 0, timeout=rate.seconds)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr: this window starts now
            cache.add(key, 1, timeout=rate.seconds)
            used = 1
        within = within and used <= rate.count
    return within


def form_allowed(
    request: HttpRequest, *, client_limit: str, address_limit: str = "", address: str = ""
) -> bool:
    """One post of a public form: counted for its client under `client_limit` and, if it names
    an e-mail address, for that address under `address_limit` (names in RATE_LIMITS). The same
    for every address, known or not, so the answer tells nobody who is a customer."""
    limits = settings.RATE_LIMITS
    allowed = allows(client_limit, client_of(request), parse_rates(limits[client_limit]))
    if address_limit and address:
        allowed = allows(address_limit, address, parse_rates(limits[address_limit])) and allowed
    return allowed


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)
