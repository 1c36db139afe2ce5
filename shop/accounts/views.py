from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from plumbing import limits
from shop.accounts import services
from shop.accounts.forms import SignInForm


@require_http_methods(["GET", "POST"])
def sign_in(request):
    """From a page that needs a signed-in reader (login_required's ?next=), a lesson e-mail or
    the checkout: the link e-mailed returns there."""
    form = SignInForm(request.POST or None)
    next_path = services.return_path(request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not limits.form_allowed(
            request, client_limit="form_post", address_limit="sign_in", address=email
        ):
            return limits.too_many_requests(request)
        services.ask_for_sign_in_link(
            email=email, language=request.LANGUAGE_CODE, next_path=next_path
        )
        return render(
            request, "shop/accounts/sign_in_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "shop/accounts/sign_in.html", {"form": form, "next": next_path})


@require_http_methods(["GET", "POST"])
def sign_in_confirm(request, uidb64, token):
    """GET only shows a button: mail scanners that open links must not spend the one-time link."""
    user = services.user_for_sign_in(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "shop/accounts/sign_in_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(services.return_path(request.GET.get("next", "")) or "shop:library")
    return render(request, "shop/accounts/sign_in_confirm.html", {"user_email": user.email})


@require_POST
def sign_out(request):
    """The header's button; a POST with the CSRF token, so no other site can sign a reader out."""
    logout(request)
    messages.success(request, _("Sie haben sich abgemeldet."))
    return redirect("shop:catalog")
