"""Reads of buyers' accounts."""

from django.contrib.auth import get_user_model


def account_for(*, email: str):
    """The account an e-mail address has, if it has one yet (the oldest, as signing in finds)."""
    return get_user_model().objects.filter(email__iexact=email.strip()).order_by("pk").first()
