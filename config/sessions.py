"""How long a signed-in reader stays signed in. A customer (signed in by the e-mailed link) for
CUSTOMER_SESSION_AGE from their last visit, so a reader who comes back weekly never has to ask
for a new link; staff for STAFF_SESSION_AGE from signing in, however busy, so an admin session
left open on a shared machine ends with the working day.

A session remembers which of the two it was made for. When someone's staff flags change while
they are signed in, that session ends: a customer's session never turns into a staff one."""

from django.conf import settings
from django.contrib.auth import logout

SIGNED_IN_AS = "signed_in_as"


def _kind(user) -> str:
    return "staff" if user.is_staff or user.is_superuser else "customer"


class SessionAgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        made_for = request.session.get(SIGNED_IN_AS)
        if request.user.is_authenticated and made_for not in (None, _kind(request.user)):
            logout(request)
        response = self.get_response(request)
        # After the view, which may have signed someone in or out.
        if request.user.is_authenticated:
            self._set_age(request)
        return response

    def _set_age(self, request):
        kind, session = _kind(request.user), request.session
        if kind == "customer":
            # Seconds of inactivity: setting it saves the session and renews its cookie, so it
            # lasts a week from this visit.
            session.set_expiry(int(settings.CUSTOMER_SESSION_AGE.total_seconds()))
        elif session.get(SIGNED_IN_AS) != kind:
            session.set_expiry(settings.STAFF_SESSION_AGE)  # a timedelta: a fixed end
        if session.get(SIGNED_IN_AS) != kind:
            session[SIGNED_IN_AS] = kind
