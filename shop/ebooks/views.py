from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shop.ebooks import selectors, services
from shop.ebooks.forms import EbookWishForm


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
            services.submit_wish(ebook_id=ebook.pk, by=request.user, **form.cleaned_data)
        except services.WishClosed:
            messages.error(
                request, _("Unsere Redaktion arbeitet schon an Ihrem Buch; der Wunsch steht fest.")
            )
        else:
            messages.success(request, _("Danke! Ihr Wunsch ist bei unserer Redaktion angekommen."))
        return redirect("shop:library")
    return render(
        request,
        "shop/ebooks/ebook_wish.html",
        {"ebook": ebook, "form": form, "query": query, "wished": ebook.wished_articles.all()},
        status=400 if data is not None else 200,
    )
