"""Reading Stripe's payloads. An event's object is whatever arrived, of whichever API version:
every field is read as what the shop expects, or as nothing, never trusted to be there or to
have its type. A payload the shop cannot read leaves things as they are (and says so in the
handler's outcome) instead of failing the webhook."""

from datetime import UTC, datetime

# Stripe's timestamps are seconds; anything beyond year 9999 is none of Stripe's.
_LAST_TIMESTAMP = 253402300800


def mapping(value) -> dict:
    """A nested Stripe object, or an empty one where the payload carries something else."""
    return value if isinstance(value, dict) else {}


def listed(value) -> list:
    """The `data` of a Stripe list object, or nothing."""
    data = mapping(value).get("data")
    return data if isinstance(data, list) else []


def identifier(value) -> str | None:
    """An id Stripe sends as a string, or None where it sent an expanded object, nothing, or
    more than the shop stores."""
    return value if isinstance(value, str) and 0 < len(value) <= 255 else None


def identifier_of(value) -> str | None:
    """An id, whether Stripe sent the id or the expanded object."""
    return identifier(value) or identifier(mapping(value).get("id"))


def text(value) -> str:
    """Free text a customer gave Stripe (a name, an address line), trimmed; "" where none."""
    return value.strip() if isinstance(value, str) else ""


def cents(value) -> int | None:
    """An amount in cents as the shop stores one, or None (a bool is no amount)."""
    return value if type(value) is int and 0 <= value < 2**31 else None


def timestamp(value) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _LAST_TIMESTAMP:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def metadata_value(stripe_object: dict, key: str) -> str | None:
    """What the shop put into an object's metadata under `key`."""
    return identifier(mapping(stripe_object.get("metadata")).get(key))
