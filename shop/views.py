from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop import (
    discounts,
    ebooks,
    legal,
    links,
    selectors,
    services,
    signals,
    stripe_api,
    subscriptions,
    webhooks,
    withdrawals,
)
from shop.forms import (
    CancellationForm,
    CheckoutForm,
    EbookWishForm,
    SignInForm,
    SubscribeForm,
    WithdrawalForm,
)
from shop.models import Product, WithdrawalDeclaration


@require_GET
def catalog(request):
    # A visitor without a session, a pending message or a query string sees what every such
    # visitor in the language sees: the page is kept whole and costs one cache read. Anyone else
    # gets it rendered around the cached catalog fragment.
    is_shared = not request.GET and request.COOKIES.keys().isdisjoint(
        {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    )
    page_key = signals.catalog_page_key(request.LANGUAGE_CODE)
    if is_shared and (page := cache.get(page_key)) is not None:
        return HttpResponse(page)
    response = render(
        request,
        "shop/catalog.html",
        {
            # Uncalled: the template calls them only when the cached catalog has to be rebuilt,
            # so a cached page builds no queries at all.
            "articles": selectors.catalog,
            "courses": selectors.course_catalog,
            "series": selectors.series_catalog,
            "custom_ebook": selectors.custom_ebook_product,
            "cache_seconds": signals.CATALOG_SECONDS,
        },
    )
    if is_shared:
        cache.set(page_key, response.content, signals.CATALOG_SECONDS)
    return response


PRODUCT_PAGES = {
    Product.Kind.ARTICLE: "shop/article.html",
    Product.Kind.COURSE: "shop/course.html",
    Product.Kind.SERIES: "shop/series.html",
    Product.Kind.CUSTOM_EBOOK: "shop/custom_ebook.html",
}


def _product_page(request, product: Product, form: CheckoutForm, *, status: int = 200):
    context = {
        "product": product,
        "article": product.article,
        "course": product.course,
        "series": product.series,
        "form": form,
        "withdrawal_notice": None
        if legal.asks_lapse_consent(product.kind)
        else legal.WITHDRAWAL_NOTICE_TEXT,
    }
    if product.kind == Product.Kind.ARTICLE:
        context["adviser"] = selectors.adviser_access(user=request.user)
    if product.kind == Product.Kind.SERIES:
        parts = selectors.series_parts(series=product.series, user=request.user)
        total = sum(p.article.product.price_cents for p in parts if hasattr(p.article, "product"))
        context.update(
            parts=parts,
            owned_count=sum(part.is_owned for part in parts),
            parts_total_cents=total,
            saving_cents=max(total - product.price_cents, 0),
        )
    return render(request, PRODUCT_PAGES[product.kind], context, status=status)


def _on_sale(kind: str, slug: str) -> Product:
    product = selectors.product_on_sale(kind=kind, slug=slug)
    if product is None:
        raise Http404("Nicht im Angebot")
    return product


@require_GET
def product(request, kind, slug):
    product = _on_sale(kind, slug)
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = CheckoutForm(initial=initial, asks_lapse_consent=legal.asks_lapse_consent(product.kind))
    return _product_page(request, product, form)


PAYMENT_UNAVAILABLE = gettext_lazy(
    "Die Zahlung ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal; es "
    "wurde nichts berechnet."
)


def _to_stripe(url: str) -> HttpResponseRedirect:
    # 303: the browser follows with a GET to Stripe's page, never re-posting the form.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@require_POST
def checkout(request, kind, slug):
    product = _on_sale(kind, slug)
    form = CheckoutForm(request.POST, asks_lapse_consent=legal.asks_lapse_consent(product.kind))
    if not form.is_valid():
        return _product_page(request, product, form, status=400)
    try:
        url = services.start_checkout(
            product=product,
            email=form.cleaned_data["email"],
            discount_code=form.cleaned_data["discount_code"],
            lapse_consent_version=form.cleaned_data.get("lapse_consent_version"),
            language=request.LANGUAGE_CODE,
        )
    except discounts.DiscountRefused as refused:
        form.add_error("discount_code", str(refused))
        return _product_page(request, product, form, status=400)
    except stripe_api.StripeUnavailable:
        messages.error(request, PAYMENT_UNAVAILABLE)
        return _product_page(request, product, form, status=503)
    return _to_stripe(url)


@require_GET
def checkout_success(request):
    session_id = request.GET.get("session_id", "")
    order = services.confirm_checkout_return(session_id=session_id) if session_id else None
    if order is None:
        raise Http404("Bestellung nicht gefunden")
    ebooks_to_wish = selectors.ordered_ebooks(order=order) if order.is_paid else []
    return render(request, "shop/checkout_success.html", {"order": order, "ebooks": ebooks_to_wish})


@require_GET
def checkout_cancelled(request):
    return render(request, "shop/checkout_cancelled.html")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event = stripe_api.verify_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except stripe_api.InvalidWebhook as exc:
        return HttpResponseBadRequest(f"invalid webhook: {exc}")
    return JsonResponse({"received": True, "outcome": webhooks.handle_event(event)})


@login_required
@require_GET
def library(request):
    def row(item: selectors.LibraryItem) -> dict:
        return {
            "item": item,
            "download_url": links.download_url(delivery=item.delivery, user=request.user)
            if item.delivery
            else None,
            "parts": [row(part) for part in item.parts],
            "downloads": [
                (d.get_format_display(), links.download_url(delivery=d, user=request.user))
                for d in item.downloads
            ],
        }

    rows = [row(item) for item in selectors.library_items(user=request.user)]
    adviser = selectors.adviser_access(user=request.user)
    invoices = selectors.invoices_of(user=request.user)
    return render(
        request, "shop/library.html", {"rows": rows, "adviser": adviser, "invoices": invoices}
    )


@login_required
@require_GET
def invoice(request, invoice_id):
    found = selectors.invoice_of(invoice_id=invoice_id, user=request.user)
    if found is None:
        raise Http404("Nicht gefunden")
    return FileResponse(
        found.pdf.open("rb"), as_attachment=True, filename=found.download_name,
        content_type="application/pdf",
    )  # fmt: skip


@login_required
@require_GET
def download(request, token):
    try:
        delivery_id, user_id = links.read_download_token(token)
    except links.LinkExpired:
        return render(request, "shop/link_expired.html", status=410)
    except links.LinkInvalid:
        raise Http404("Link ungültig") from None
    delivery = (
        selectors.downloadable_delivery(delivery_id=delivery_id, user=request.user)
        if user_id == request.user.pk
        else None
    )
    if delivery is None:
        raise Http404("Nicht gefunden")
    return FileResponse(
        delivery.file.open("rb"),
        as_attachment=True,
        filename=delivery.download_name,
        content_type=delivery.content_type,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ebook_wish(request, ebook_id):
    """The reader's wish for their custom eBook: owner only, 404 for everyone else."""
    ebook = selectors.custom_ebook_of(ebook_id=ebook_id, user=request.user)
    if ebook is None:
        raise Http404("Nicht gefunden")
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:100]
    data = request.POST if request.method == "POST" and ebook.wish_is_open else None
    form = EbookWishForm(data, ebook=ebook, query=query)
    if data is not None and form.is_valid():
        try:
            ebooks.submit_wish(ebook_id=ebook.pk, by=request.user, **form.cleaned_data)
        except ebooks.WishClosed:
            messages.error(
                request, _("Unsere Redaktion arbeitet schon an Ihrem Buch; der Wunsch steht fest.")
            )
        else:
            messages.success(request, _("Danke! Ihr Wunsch ist bei unserer Redaktion angekommen."))
        return redirect("shop:library")
    return render(
        request,
        "shop/ebook_wish.html",
        {"ebook": ebook, "form": form, "query": query, "wished": ebook.wished_articles.all()},
        status=400 if data is not None else 200,
    )


@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        links.send_sign_in_link(email=form.cleaned_data["email"])
        return render(request, "shop/sign_in_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "shop/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_confirm(request, uidb64, token):
    """GET only shows a button: mail scanners that open links must not spend the one-time link."""
    user = links.user_for_sign_in(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "shop/sign_in_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("shop:library")
    return render(request, "shop/sign_in_confirm.html", {"user_email": user.email})


def _adviser_page(request, product: Product, form: SubscribeForm, *, status: int = 200):
    context = {
        "product": product,
        "form": form,
        "adviser": selectors.adviser_access(user=request.user),
    }
    return render(request, "shop/adviser.html", context, status=status)


@require_GET
def adviser(request):
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    return _adviser_page(
        request, _on_sale(Product.Kind.ADVISER, ""), SubscribeForm(initial=initial)
    )


@require_POST
def adviser_subscribe(request):
    product = _on_sale(Product.Kind.ADVISER, "")
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _adviser_page(request, product, form, status=400)
    try:
        url = subscriptions.start_subscription(
            product=product, email=form.cleaned_data["email"], language=request.LANGUAGE_CODE
        )
    except subscriptions.AlreadySubscribed:
        messages.info(request, _("Mit dieser Adresse lesen Sie den Ratgeber bereits."))
        return _adviser_page(request, product, form, status=409)
    except stripe_api.StripeUnavailable:
        messages.error(request, PAYMENT_UNAVAILABLE)
        return _adviser_page(request, product, form, status=503)
    return _to_stripe(url)


@require_GET
def adviser_welcome(request):
    return render(request, "shop/adviser_welcome.html")


@require_http_methods(["GET", "POST"])
def cancel_contract(request):
    """The cancel button (§ 312k BGB): no sign-in, a form, a confirmation page, then "jetzt
    kündigen". Whoever sends it gets the same answer, so the page tells no one whether an
    address has a subscription."""
    form = CancellationForm(request.POST or None)
    if request.method == "GET":
        return render(request, "shop/cancel_form.html", {"form": form})
    if not form.is_valid():
        return render(request, "shop/cancel_form.html", {"form": form}, status=400)
    if "confirm" not in request.POST:
        return render(request, "shop/cancel_confirm.html", {"form": form})
    data = form.cleaned_data
    notice = subscriptions.give_notice(
        name=data["name"], email=data["email"], contract=data["contract"], kind=data["kind"],
        reason=data["reason"], language=request.LANGUAGE_CODE,
    )  # fmt: skip
    return render(request, "shop/cancel_received.html", {"notice": notice})


@require_http_methods(["GET", "POST"])
def withdrawal(request):
    """The "Vertrag widerrufen" form, then a page showing what will be declared, with the
    button "Widerruf bestätigen" (§ 356a BGB); only that button records it. No sign-in."""
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        if "confirm" not in request.POST:
            return render(request, "shop/withdrawal_confirm.html", {"form": form})
        declaration = withdrawals.declare(**form.cleaned_data, language=request.LANGUAGE_CODE)
        # After a redirect, reloading the page cannot declare a second time.
        request.session["withdrawal_declaration"] = declaration.pk
        return redirect("shop:withdrawal_received")
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "shop/withdrawal.html", {"form": form}, status=status)


@require_GET
def withdrawal_received(request):
    declaration = WithdrawalDeclaration.objects.filter(
        pk=request.session.get("withdrawal_declaration")
    ).first()
    if declaration is None:
        return redirect("shop:withdrawal")
    return render(request, "shop/withdrawal_received.html", {"declaration": declaration})
