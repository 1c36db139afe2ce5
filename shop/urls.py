from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    # First: Django tries the patterns in order, and Stripe's deliveries and retries are the
    # requests that come most often and in bursts.
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("", views.catalog, name="catalog"),
    path("artikel/<slug:slug>/", views.product, {"kind": "article"}, name="article"),
    path("artikel/<slug:slug>/kaufen/", views.checkout, {"kind": "article"}, name="checkout"),
    path("kurse/<slug:slug>/", views.product, {"kind": "course"}, name="course"),
    path("kurse/<slug:slug>/kaufen/", views.checkout, {"kind": "course"}, name="course_checkout"),
    path("reihen/<slug:slug>/", views.product, {"kind": "series"}, name="series"),
    path("reihen/<slug:slug>/kaufen/", views.checkout, {"kind": "series"}, name="series_checkout"),
    path(
        "individuelles-e-book/",
        views.product,
        {"kind": "custom_ebook", "slug": ""},
        name="custom_ebook",
    ),
    path(
        "individuelles-e-book/kaufen/",
        views.checkout,
        {"kind": "custom_ebook", "slug": ""},
        name="custom_ebook_checkout",
    ),
    path("ratgeber/", views.adviser, name="adviser"),
    path("ratgeber/abonnieren/", views.adviser_subscribe, name="adviser_subscribe"),
    path("ratgeber/willkommen/", views.adviser_welcome, name="adviser_welcome"),
    path("vertraege-kuendigen/", views.cancel_contract, name="cancel_contract"),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
    path("checkout/cancelled/", views.checkout_cancelled, name="checkout_cancelled"),
    path("library/", views.library, name="library"),
    path("library/download/<str:token>/", views.download, name="download"),
    path("library/rechnung/<int:invoice_id>/", views.invoice, name="invoice"),
    path("library/e-book/<int:ebook_id>/wunsch/", views.ebook_wish, name="ebook_wish"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<uidb64>/<token>/", views.sign_in_confirm, name="sign_in_confirm"),
    path("vertrag-widerrufen/", views.withdrawal, name="withdrawal"),
    path("vertrag-widerrufen/eingegangen/", views.withdrawal_received, name="withdrawal_received"),
]
