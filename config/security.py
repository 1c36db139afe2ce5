"""The headers that tell browsers what the shop's pages may do, and where they report a breach.

The Content-Security-Policy comes from django-csp (`CONTENT_SECURITY_POLICY` in the settings);
its form-action also names Stripe's checkout page, because a buy button posts to the shop and
the shop's 303 sends the browser on to Stripe, and browsers check form-action on that redirect
too. Permissions-Policy, which django-csp does not write, is set here from `PERMISSIONS_POLICY`.
"""

import json
import logging
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("csp")

STRIPE_CHECKOUT = "https://checkout.stripe.com"


def stripe_checkout_origin() -> str:
    """Stripe's hosted page, or the stand-in's when STRIPE_API_BASE points at one (it serves
    its page beside its API). Read on each response: tests point it at a server of their own."""
    if not settings.STRIPE_API_BASE:
        return STRIPE_CHECKOUT
    base = urlsplit(settings.STRIPE_API_BASE)
    return f"{base.scheme}://{base.netloc}"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        parts.update = {**(parts.update or {}), "form-action": [stripe_checkout_origin()]}
        return parts


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


@csrf_exempt  # browsers post reports without a token or a session
@require_POST
def csp_report(request):
    """Logs what a browser reports as blocked by the policy: a warning staff see in the logs,
    and what the browser test asserts never happens on the shop's pages."""
    try:
        report = json.loads(request.body[:10_000])
    except ValueError:
        return HttpResponse(status=400)
    logger.warning("Content-Security-Policy violation: %s", json.dumps(report)[:2_000])
    return HttpResponse(status=204)
