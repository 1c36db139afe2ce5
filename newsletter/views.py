"""The newsletter's pages: the sign-up form, and the pages its two e-mail links open (confirm,
unsubscribe), each showing a button first and acting only on its POST."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletter import legal, links, services
from newsletter.forms import SignUpForm
from newsletter.models import Subscriber
from plumbing import limits
from plumbing.links import LinkInvalid


# No CSRF token: signing up acts for no session, anyone can post any address anyway, and the
# double opt-in guards it; without a token the form in every page's footer sets no cookie.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not limits.form_allowed(request, client_limit="form_post"):
            return limits.too_many_requests(request)
        services.sign_up(email=form.cleaned_data["email"], language=request.LANGUAGE_CODE)
        return render(
            request, "newsletter/sign_up_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request, "newsletter/sign_up.html", {"form": form, "consent_text": legal.CONSENT_TEXT},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET only shows a button: mail scanners open links, and only a person confirms."""
    try:
        subscriber = links.subscriber_to_confirm(token)
    except LinkInvalid:  # expired links too
        raise Http404("Link ungültig oder abgelaufen") from None
    if request.method == "POST":
        services.confirm(subscriber=subscriber)
        return render(request, "newsletter/confirmed.html")
    return render(request, "newsletter/confirm.html", {"email": subscriber.email})


# One-click unsubscribe (RFC 8058): mail programs POST without a CSRF token or a session.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        subscriber = links.subscriber_to_unsubscribe(token)
    except LinkInvalid:
        raise Http404("Link ungültig") from None
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"  # RFC 8058's body
        via = Subscriber.UnsubscribedVia.ONE_CLICK if one_click else Subscriber.UnsubscribedVia.LINK
        services.unsubscribe(subscriber=subscriber, via=via)
        return render(request, "newsletter/unsubscribed.html")
    return render(request, "newsletter/unsubscribe.html", {"email": subscriber.email})
