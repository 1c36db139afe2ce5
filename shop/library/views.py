from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from plumbing.links import LinkExpired, LinkInvalid
from shop.adviser.selectors import adviser_access
from shop.invoicing import selectors as invoicing
from shop.library import selectors
from shop.orders import links


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
    context = {
        "rows": rows,
        "adviser": adviser_access(user=request.user),
        "invoices": invoicing.invoices_of(user=request.user),
    }
    return render(request, "shop/library/library.html", context)


# A buyer's own files: no shared cache keeps them, and no browser stores them on a shared machine.
personal_file = cache_control(private=True, no_store=True)


@login_required
@require_GET
@personal_file
def invoice(request, invoice_id):
    found = invoicing.invoice_of(invoice_id=invoice_id, user=request.user)
    if found is None:
        raise Http404("Nicht gefunden")
    return FileResponse(
        found.pdf.open("rb"), as_attachment=True, filename=found.download_name,
        content_type="application/pdf",
    )  # fmt: skip


@login_required
@require_GET
@personal_file
def download(request, token):
    try:
        delivery_id, user_id = links.read_download_token(token)
    except LinkExpired:
        return render(request, "shop/library/link_expired.html", status=410)
    except LinkInvalid:
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
