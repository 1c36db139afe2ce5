"""Links only a mailbox has: the one that confirms a cancel-button notice which named no fitting
Abo-Nummer, and the one that opens the KI-Berater's checkout for the address that asked."""

from datetime import timedelta

from plumbing.links import LinkInvalid, make_token, read_token
from shop.models import CancellationNotice

SALT = "shop.adviser.confirm-notice"


def confirm_notice_token(notice: CancellationNotice) -> str:
    return make_token({"notice": notice.pk}, salt=SALT)


def notice_to_confirm(token: str) -> CancellationNotice:
    notice_id = read_token(token, salt=SALT).get("notice")
    if not isinstance(notice_id, int):
        raise LinkInvalid
    notice = CancellationNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise LinkInvalid
    return notice


SUBSCRIBE_SALT = "shop.adviser.subscribe"
# Long enough to open the e-mail tomorrow; Stripe's checkout is opened only from the link.
SUBSCRIBE_LINK_MAX_AGE = timedelta(days=2)


def subscribe_token(*, email: str, language: str) -> str:
    return make_token({"email": email, "language": language}, salt=SUBSCRIBE_SALT)


def subscriber_of(token: str) -> tuple[str, str]:
    """The address (and its language) the subscribe link was sent to: whoever opens it has
    read that mailbox."""
    data = read_token(token, salt=SUBSCRIBE_SALT, max_age=SUBSCRIBE_LINK_MAX_AGE)
    email, language = data.get("email"), data.get("language")
    if not isinstance(email, str) or not isinstance(language, str):
        raise LinkInvalid
    return email, language
