from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plumbing import limits
from plumbing.links import LinkExpired, LinkInvalid
from shop.adviser import cancel_button, links, services
from shop.adviser.forms import CancellationForm, SubscribeForm
from shop.adviser.selectors import adviser_access
from shop.catalog.selectors import adviser_product
from shop.models import Product
from shop.payments import stripe_api
from shop.payments.responses import PAYMENT_UNAVAILABLE, redirect_to_stripe


def _on_sale() -> Product:
    product = adviser_product()
    if product is None:
        raise Http404("Nicht im Angebot")
    return product


def _sales_page(request, product: Product, form: SubscribeForm, *, status: int = 200):
    context = {"product": product, "form": form, "adviser": adviser_access(user=request.user)}
    return render(request, "shop/adviser/sales_page.html", context, status=status)


@require_GET
def sales_page(request):
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    return _sales_page(request, _on_sale(), SubscribeForm(initial=initial))


@require_POST
def subscribe(request):
    """Everyone gets the same answer, "see your mailbox": the checkout opens from the link
    e-mailed to the address, and a subscriber is told there that they read already."""
    product = _on_sale()
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _sales_page(request, product, form, status=400)
    email = form.cleaned_data["email"]
    if not limits.form_allowed(
        request, client_limit="checkout", address_limit="subscribe", address=email
    ):
        return limits.too_many_requests(request)
    services.ask_to_subscribe(email=email, language=request.LANGUAGE_CODE)
    return render(request, "shop/adviser/subscribe_sent.html", {"email": email})


@require_http_methods(["GET", "POST"])
def checkout(request, token):
    """The link from the subscribe e-mail. GET only shows a button (mail scanners open links);
    its POST opens Stripe's checkout."""
    product = _on_sale()
    try:
        email, language = links.subscriber_of(token)
    except LinkExpired:
        messages.info(request, _("Der Link ist abgelaufen. Bitte fordern Sie einen neuen an."))
        return _sales_page(request, product, SubscribeForm(), status=400)
    except LinkInvalid:
        raise Http404("Link ungültig") from None
    form = SubscribeForm(initial={"email": email})
    if request.method == "GET":
        return render(request, "shop/adviser/subscribe_confirm.html", {"product": product})
    if not limits.form_allowed(request, client_limit="checkout"):
        return limits.too_many_requests(request)
    try:
        url = services.start_subscription(product=product, email=email, language=language)
    except services.AlreadySubscribed:
        messages.info(request, _("Mit dieser Adresse nutzen Sie den KI-Berater bereits."))
        return _sales_page(request, product, form, status=409)
    except stripe_api.StripeUnavailable:
        messages.error(request, PAYMENT_UNAVAILABLE)
        return _sales_page(request, product, form, status=503)
    return redirect_to_stripe(url)


@require_GET
def welcome(request):
    return render(request, "shop/adviser/welcome.html")


@require_http_methods(["GET", "POST"])
def cancel_contract(request):
    """The cancel button (§ 312k BGB): no sign-in, a form, a confirmation page, then "jetzt
    kündigen". Whoever sends it gets the same answer, so the page tells no one whether an
    address has a subscription."""
    form = CancellationForm(request.POST or None)
    if request.method == "GET":
        return render(request, "shop/adviser/cancel_form.html", {"form": form})
    if not form.is_valid():
        return render(request, "shop/adviser/cancel_form.html", {"form": form}, status=400)
    if "confirm" not in request.POST:
        return render(request, "shop/adviser/cancel_confirm.html", {"form": form})
    data = form.cleaned_data
    if not limits.form_allowed(
        request, client_limit="form_post", address_limit="cancel_notice", address=data["email"]
    ):
        return limits.too_many_requests(request)
    notice = cancel_button.give_notice(
        name=data["name"], email=data["email"], contract=data["contract"], kind=data["kind"],
        reason=data["reason"], language=request.LANGUAGE_CODE,
    )  # fmt: skip
    return render(request, "shop/adviser/cancel_received.html", {"notice": notice})


@require_http_methods(["GET", "POST"])
def confirm_notice(request, token):
    """The link in the confirmation of a notice that named no fitting Abo-Nummer. GET only
    shows a button: mail scanners open links, and only the reader confirms."""
    try:
        notice = links.notice_to_confirm(token)
    except LinkInvalid:
        raise Http404("Link ungültig") from None
    if request.method == "POST":
        notice = cancel_button.confirm_notice(notice_id=notice.pk)
    return render(request, "shop/adviser/cancel_confirm_link.html", {"notice": notice})
