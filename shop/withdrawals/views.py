from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from plumbing import limits
from plumbing.links import LinkInvalid
from shop.models import WithdrawalDeclaration
from shop.withdrawals import services
from shop.withdrawals.forms import WithdrawalForm


@require_http_methods(["GET", "POST"])
def withdrawal(request):
    """The "Vertrag widerrufen" form, then a page showing what will be declared, with the
    button "Widerruf bestätigen" (§ 356a BGB); only that button records it. No sign-in."""
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        if "confirm" not in request.POST:
            return render(request, "shop/withdrawals/withdrawal_confirm.html", {"form": form})
        if not limits.form_allowed(
            request, client_limit="form_post", address_limit="withdrawal",
            address=form.cleaned_data["email"],
        ):  # fmt: skip
            return limits.too_many_requests(request)
        declaration = services.declare(**form.cleaned_data, language=request.LANGUAGE_CODE)
        # After a redirect, reloading the page cannot declare a second time.
        request.session["withdrawal_declaration"] = declaration.pk
        return redirect("shop:withdrawal_received")
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "shop/withdrawals/withdrawal.html", {"form": form}, status=status)


@require_GET
def withdrawal_received(request):
    declaration = WithdrawalDeclaration.objects.filter(
        pk=request.session.get("withdrawal_declaration")
    ).first()
    if declaration is None:
        return redirect("shop:withdrawal")
    return render(
        request, "shop/withdrawals/withdrawal_received.html", {"declaration": declaration}
    )


@require_http_methods(["GET", "POST"])
def withdrawal_owner_confirm(request, token):
    """The link e-mailed to the contract's own address. GET only shows the declaration and a
    button: mail scanners that open links must not confirm in the owner's name."""
    try:
        if request.method == "POST":
            declaration = services.confirm_by_owner(token=token)
        else:
            declaration = services.declaration_for_owner_link(token=token)
    except LinkInvalid:
        return render(request, "shop/withdrawals/owner_confirm_invalid.html", status=400)
    return render(
        request,
        "shop/withdrawals/owner_confirm.html",
        {"declaration": declaration, "confirmed": declaration.owner_confirmed_at is not None},
    )
