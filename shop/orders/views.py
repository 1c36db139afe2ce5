from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop.models import Product
from shop.orders import links, selectors, services


@require_GET
def checkout_success(request):
    session_id = request.GET.get("session_id", "")
    order = services.confirm_checkout_return(session_id=session_id)
    if order is None:
        raise Http404("Bestellung nicht gefunden")
    is_buyer = request.user.is_authenticated and order.buyer_id == request.user.pk
    deliveries = (selectors.current_deliveries(order=order) or []) if is_buyer else []
    summary = selectors.order_summary(order=order)
    context = {
        "order": order,
        "summary": summary,
        "ebooks": selectors.ordered_ebooks(order=order) if order.is_paid else [],
        "courses": selectors.ordered_courses(order=order) if order.is_paid else [],
        "has_pdfs": any(
            line.product.kind in (Product.Kind.ARTICLE, Product.Kind.SERIES)
            for line in summary.lines
        ),
        "is_buyer": is_buyer,
        # Offered at once to the signed-in buyer; anyone else signs in for them (the link returns
        # to the library) or finds them in the order's e-mail.
        "downloads": [
            (delivery, links.download_url(delivery=delivery, user=request.user))
            for delivery in deliveries
        ],
    }
    return render(request, "shop/orders/checkout_success.html", context)


@require_GET
def checkout_cancelled(request):
    return render(request, "shop/orders/checkout_cancelled.html")
