"""Signed tokens for links: whoever holds the link may do what it names, nobody can make one.

Every token carries the time it was made; a link that must expire is read with its `max_age`.
Reading raises LinkInvalid for anything not signed by us for that purpose, and LinkExpired (a
LinkInvalid) for one of ours that is too old, so a page can say "expired" where it helps.
"""

from datetime import timedelta

from django.core import signing


class LinkInvalid(Exception):
    pass


class LinkExpired(LinkInvalid):
    pass


def make_token(data: dict, *, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign_object(data)


def read_token(token: str, *, salt: str, max_age: timedelta | None = None) -> dict:
    try:
        data = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    # An untimed token carries a valid signature of its own, so the timestamp signer accepts it
    # and then fails to split off a time it does not have: a ValueError, not a BadSignature.
    except (signing.BadSignature, ValueError) as exc:
        if max_age is not None:
            raise LinkInvalid from exc
        # Links that never expire were once signed without their time, and some of them are
        # in e-mails still kept (an unsubscribe link must work as long as its e-mail exists).
        try:
            data = signing.Signer(salt=salt).unsign_object(token)
        except signing.BadSignature as untimed:
            raise LinkInvalid from untimed
    if not isinstance(data, dict):
        raise LinkInvalid
    return data
