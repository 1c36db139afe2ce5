from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.payments import stripe_api
from shop.webhooks import events


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event = stripe_api.verify_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except stripe_api.InvalidWebhook as exc:
        return HttpResponseBadRequest(f"invalid webhook: {exc}")
    return JsonResponse({"received": True, "outcome": events.handle_event(event)})
