from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop.orders import selectors, services


@require_GET
def checkout_success(request):
    session_id = request.GET.get("session_id", "")
    order = services.confirm_checkout_return(session_id=session_id)
    if order is None:
        raise Http404("Bestellung nicht gefunden")
    ebooks_to_wish = selectors.ordered_ebooks(order=order) if order.is_paid else []
    return render(
        request, "shop/orders/checkout_success.html", {"order": order, "ebooks": ebooks_to_wish}
    )


@require_GET
def checkout_cancelled(request):
    return render(request, "shop/orders/checkout_cancelled.html")
