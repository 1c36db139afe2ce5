"""How long a signed-in reader stays signed in. A customer (signed in by the e-mailed link) for
CUSTOMER_SESSION_AGE from their last visit, so a reader who comes back weekly never has to ask
for a new link; staff for STAFF_SESSION_AGE from signing in, however busy, so an admin session
left open on a shared machine ends with the working day.

A session remembers which of the two it was made for. When someone's staff flags change while
they are signed in, that session ends: a customer's session never turns into a staff one."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in

SIGNED_IN_AS = "signed_in_as"
# A customer's session is renewed at most once in this time: "from the last visit" to the
# hour, not a session write on every page.
RENEWED_AT_MOST_EVERY = timedelta(hours=1)


def _kind(user) -> str:
    return "staff" if user.is_staff or user.is_superuser else "customer"


def _age(kind: str) -> timedelta:
    return settings.STAFF_SESSION_AGE if kind == "staff" else settings.CUSTOMER_SESSION_AGE


def _signed_in(sender, request, user, **kwargs) -> None:
    kind = _kind(user)
    request.session[SIGNED_IN_AS] = kind
    request.session.set_expiry(_age(kind))  # a timedelta: ends at that moment from now


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="shop-session-age")


class SessionAgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and request.session.get(SIGNED_IN_AS) != _kind(user):
            logout(request)
        response = self.get_response(request)
        # After the view, which may have signed someone in or out.
        session = request.session
        if request.user.is_authenticated and session.get(SIGNED_IN_AS) == "customer":
            age = settings.CUSTOMER_SESSION_AGE
            if session.get_expiry_age() < (age - RENEWED_AT_MOST_EVERY).total_seconds():
                session.set_expiry(age)  # saved with a renewed cookie
        return response
