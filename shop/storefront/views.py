from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from plumbing import limits
from shop.adviser.selectors import adviser_access
from shop.catalog import cache as catalog_cache
from shop.catalog import selectors
from shop.legal import texts as legal
from shop.models import Product
from shop.orders import services as orders
from shop.orders.discounts import DiscountRefused
from shop.payments import stripe_api
from shop.payments.responses import PAYMENT_UNAVAILABLE, redirect_to_stripe
from shop.storefront.forms import CheckoutForm


@require_GET
def catalog(request):
    # A visitor without a session, a pending message or a query string sees what every such
    # visitor in the language sees: the page is kept whole and costs one cache read. Anyone else
    # gets it rendered around the cached catalog fragment.
    is_shared = not request.GET and request.COOKIES.keys().isdisjoint(
        {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    )
    page_key = catalog_cache.catalog_page_key(request.LANGUAGE_CODE)
    if is_shared and (page := cache.get(page_key)) is not None:
        return HttpResponse(page)
    response = render(
        request,
        "shop/storefront/catalog.html",
        {
            # Uncalled: the template calls them only when the cached catalog has to be rebuilt,
            # so a cached page builds no queries at all.
            "articles": selectors.catalog,
            "courses": selectors.course_catalog,
            "series": selectors.series_catalog,
            "custom_ebook": selectors.custom_ebook_product,
            "cache_seconds": catalog_cache.CATALOG_SECONDS,
            # Marked on the cards after the shared fragment is rendered, never inside it.
            "owned": selectors.owned_products(user=request.user),
        },
    )
    if is_shared:
        cache.set(page_key, response.content, catalog_cache.CATALOG_SECONDS)
    return response


PRODUCT_PAGES = {
    Product.Kind.ARTICLE: "shop/storefront/article.html",
    Product.Kind.COURSE: "shop/storefront/course.html",
    Product.Kind.SERIES: "shop/storefront/series.html",
    Product.Kind.CUSTOM_EBOOK: "shop/storefront/custom_ebook.html",
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
        context["adviser"] = adviser_access(user=request.user)
    if product.kind == Product.Kind.SERIES:
        offer = selectors.series_offer(series=product.series, user=request.user)
        context.update(
            offer=offer,
            parts=offer.parts,
            is_owned=offer.is_owned,
            saving_cents=max(offer.parts_total_cents - product.price_cents, 0),
        )
    elif product.kind != Product.Kind.CUSTOM_EBOOK:
        owned = selectors.owned_products(
            user=request.user, among=Product.objects.filter(pk=product.pk)
        )
        context["is_owned"] = product.pk in owned
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


@require_POST
def checkout(request, kind, slug):
    product = _on_sale(kind, slug)
    form = CheckoutForm(request.POST, asks_lapse_consent=legal.asks_lapse_consent(product.kind))
    if not form.is_valid():
        return _product_page(request, product, form, status=400)
    if not limits.form_allowed(request, client_limit="checkout"):
        return limits.too_many_requests(request)
    try:
        url = orders.start_checkout(
            product=product,
            email=form.cleaned_data["email"],
            discount_code=form.cleaned_data["discount_code"],
            lapse_consent_version=form.cleaned_data.get("lapse_consent_version"),
            language=request.LANGUAGE_CODE,
        )
    except DiscountRefused as refused:
        form.add_error("discount_code", str(refused))
        return _product_page(request, product, form, status=400)
    except stripe_api.StripeUnavailable:
        messages.error(request, PAYMENT_UNAVAILABLE)
        return _product_page(request, product, form, status=503)
    return redirect_to_stripe(url)
