from django.urls import path
from django.views.generic import RedirectView

from shop.accounts import views as accounts
from shop.adviser import views as adviser
from shop.ebooks import views as ebooks
from shop.library import views as library
from shop.orders import views as orders
from shop.storefront import views as storefront
from shop.webhooks import views as webhooks
from shop.withdrawals import views as withdrawals

app_name = "shop"

urlpatterns = [
    # First: Django tries the patterns in order, and Stripe's deliveries and retries are the
    # requests that come most often and in bursts.
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("", storefront.catalog, name="catalog"),
    path("artikel/<slug:slug>/", storefront.product, {"kind": "article"}, name="article"),
    path("artikel/<slug:slug>/kaufen/", storefront.checkout, {"kind": "article"}, name="checkout"),
    path("kurse/<slug:slug>/", storefront.product, {"kind": "course"}, name="course"),
    path(
        "kurse/<slug:slug>/kaufen/",
        storefront.checkout,
        {"kind": "course"},
        name="course_checkout",
    ),
    path("reihen/<slug:slug>/", storefront.product, {"kind": "series"}, name="series"),
    path(
        "reihen/<slug:slug>/kaufen/",
        storefront.checkout,
        {"kind": "series"},
        name="series_checkout",
    ),
    path(
        "individuelles-e-book/",
        storefront.product,
        {"kind": "custom_ebook", "slug": ""},
        name="custom_ebook",
    ),
    path(
        "individuelles-e-book/kaufen/",
        storefront.checkout,
        {"kind": "custom_ebook", "slug": ""},
        name="custom_ebook_checkout",
    ),
    path("ki-berater/", adviser.sales_page, name="adviser"),
    path("ki-berater/abonnieren/", adviser.subscribe, name="adviser_subscribe"),
    path("ki-berater/abonnieren/<str:token>/", adviser.checkout, name="adviser_checkout"),
    path("ki-berater/willkommen/", adviser.welcome, name="adviser_welcome"),
    # The KI-Berater's first address lives on in bookmarks and in the return addresses of
    # Stripe sessions opened before it moved.
    path("ratgeber/", RedirectView.as_view(url="/ki-berater/", permanent=True)),
    path("ratgeber/<path:rest>", RedirectView.as_view(url="/ki-berater/%(rest)s", permanent=True)),
    path("vertraege-kuendigen/", adviser.cancel_contract, name="cancel_contract"),
    path(
        "vertraege-kuendigen/bestaetigen/<str:token>/",
        adviser.confirm_notice,
        name="confirm_notice",
    ),
    path("checkout/success/", orders.checkout_success, name="checkout_success"),
    path("checkout/cancelled/", orders.checkout_cancelled, name="checkout_cancelled"),
    path("library/", library.library, name="library"),
    path("library/download/<str:token>/", library.download, name="download"),
    path("library/rechnung/<int:invoice_id>/", library.invoice, name="invoice"),
    path("library/e-book/<int:ebook_id>/wunsch/", ebooks.ebook_wish, name="ebook_wish"),
    path("sign-in/", accounts.sign_in, name="sign_in"),
    path("sign-in/<uidb64>/<token>/", accounts.sign_in_confirm, name="sign_in_confirm"),
    path("sign-out/", accounts.sign_out, name="sign_out"),
    path("vertrag-widerrufen/", withdrawals.withdrawal, name="withdrawal"),
    path(
        "vertrag-widerrufen/eingegangen/",
        withdrawals.withdrawal_received,
        name="withdrawal_received",
    ),
    path(
        "vertrag-widerrufen/bestaetigen/<str:token>/",
        withdrawals.withdrawal_owner_confirm,
        name="withdrawal_owner_confirm",
    ),
]
