from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.adviser import cancel_button, services
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
    product = _on_sale()
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _sales_page(request, product, form, status=400)
    try:
        url = services.start_subscription(
            product=product, email=form.cleaned_data["email"], language=request.LANGUAGE_CODE
        )
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
    notice = cancel_button.give_notice(
        name=data["name"], email=data["email"], contract=data["contract"], kind=data["kind"],
        reason=data["reason"], language=request.LANGUAGE_CODE,
    )  # fmt: skip
    return render(request, "shop/adviser/cancel_received.html", {"notice": notice})
