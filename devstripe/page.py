"""The hosted payment page at /pay/<session id>, standing in for Stripe's Checkout: it shows the
session, and its buttons complete it and send the webhook events Stripe would."""

import copy
import html
from typing import TYPE_CHECKING, Any

from devstripe.store import Store
from devstripe.webhooks import deliver

if TYPE_CHECKING:
    from devstripe.server import StripeServer

PAY_PATH = "/pay/"


def format_amount(cents: int, currency: str) -> str:
    """German notation: 1.234,50 €."""
    units, rest = divmod(cents, 100)
    number = f"{units:,}".replace(",", ".") + f",{rest:02d}"
    return f"{number} €" if currency == "eur" else f"{number} {currency.upper()}"


def render(store: Store, session_id: str) -> tuple[int, str]:
    """The page of a session; (status, HTML)."""
    with store.lock:
        session = store.sessions.get(session_id)
        line_items = store.line_items.get(session_id, [])
        if session is None:
            return 404, html_page("Unbekannte Zahlung", "<p>Diese Zahlung gibt es nicht.</p>")
        session = copy.deepcopy(session)
        coupon_names = [
            store.coupons[d["coupon"]]["name"] or d["coupon"] for d in session["discounts"] or []
        ]
    amount = format_amount(session["amount_total"], session["currency"])
    discount = session["total_details"]["amount_discount"]
    items = "".join(
        f"<li>{int(item['quantity'])} × {html.escape(_product_text(item))}</li>"
        for item in line_items
    )
    if session["status"] != "open":
        body = "<p>Diese Zahlung ist nicht mehr offen.</p>"
        return 200, html_page("Testzahlung – kein echtes Geld", body)
    action = html.escape(f"{PAY_PATH}{session_id}")
    email = html.escape(session["customer_email"] or "")
    body = (
        "<p>Dies ist die lokale Stripe-Attrappe. Es wird kein Geld bewegt.</p>"
        f"<ul>{items}</ul>"
        + (
            f"<p>Rabatt ({html.escape(', '.join(coupon_names))}): "
            f"−{format_amount(discount, session['currency'])}</p>"
            if discount
            else ""
        )
        + f"<p>Betrag: <strong>{amount}</strong></p>"
        + (f"<p>E-Mail: {email}</p>" if email else "")
        + "".join(
            f'<form method="post" action="{action}">'
            f'<button type="submit" name="method" value="{method}">{label}</button></form>'
            for method, label in (
                # Nothing to pay: Checkout asks for no payment method.
                (("card", "Kostenlos bestellen"), ("cancel", "Abbrechen"))
                if session["amount_total"] == 0
                else (
                    ("card", "Mit Karte bezahlen"),
                    ("sepa", "Per SEPA-Lastschrift bezahlen"),
                    ("cancel", "Abbrechen"),
                )
            )
        )
    )
    return 200, html_page("Testzahlung – kein echtes Geld", body)


def press(stripe: "StripeServer", store: Store, session_id: str, method: str) -> tuple[int, str]:
    """A button on the hosted page; (status, location or page)."""
    # The lock is let go before each delivery: the shop's webhook may call back into the API.
    try:
        if method == "cancel":
            with store.lock:
                cancel_url = store.session(session_id)["cancel_url"]
            if cancel_url:
                return 303, cancel_url
            return 200, html_page("Zahlung abgebrochen", "<p>Die Zahlung wurde abgebrochen.</p>")
        with store.lock:
            subscription_mode = store.session(session_id)["mode"] == "subscription"
        if method == "card" or (method == "sepa" and subscription_mode):
            # A subscription starts paid here whichever way: its first invoice's events follow.
            made = len(stripe.events)
            deliver(stripe, stripe.complete(session_id, paid=True))
            for later in stripe.events[made:]:
                deliver(stripe, later)
        elif method == "sepa":
            # SEPA as Stripe runs it: checkout completes unpaid, the debit settles later.
            deliver(stripe, stripe.complete(session_id, paid=False))
            deliver(stripe, stripe.complete_async_payment(session_id, succeeded=True))
        else:
            return 400, html_page("Unbekannte Zahlart", "<p>Diese Zahlart gibt es nicht.</p>")
    except LookupError:
        return 404, html_page("Unbekannte Zahlung", "<p>Diese Zahlung gibt es nicht.</p>")
    except ValueError:
        return 409, html_page("Bereits abgeschlossen", "<p>Diese Zahlung ist abgeschlossen.</p>")
    return 303, _success_location(store, session_id)


def html_page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _success_location(store: Store, session_id: str) -> str:
    with store.lock:
        success_url = store.sessions[session_id]["success_url"]
    return success_url.replace("{CHECKOUT_SESSION_ID}", session_id)


def _product_text(item: dict[str, Any]) -> str:
    """Name and description of a line item, as Stripe's page shows them ("inkl. 7 % MwSt.")."""
    product = item["price_data"].get("product_data", {})
    return " ".join(str(product.get(key) or "") for key in ("name", "description")).strip()
