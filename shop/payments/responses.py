from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy

PAYMENT_UNAVAILABLE = gettext_lazy(
    "Die Zahlung ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal; es "
    "wurde nichts berechnet."
)


def redirect_to_stripe(url: str) -> HttpResponseRedirect:
    # 303: the browser follows with a GET to Stripe's page, never re-posting the form.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
