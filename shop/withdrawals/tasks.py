from datetime import timedelta

from django.utils import timezone

from plumbing.tasks import periodic_task, task
from shop.withdrawals import services


@task("shop.tasks.send_withdrawal_confirmation")
def send_withdrawal_receipt(declaration_id: int) -> str:
    """Sent the moment the declaration is stored; an SMTP outage is retried, and the
    declaration stands whatever the mail server does."""
    return services.send_receipt(declaration_id=declaration_id)


@task("shop.tasks.send_withdrawal_owner_request")
def send_withdrawal_owner_request(declaration_id: int) -> str:
    """The link that lets the contract's own address confirm a matched declaration."""
    return services.send_owner_request(declaration_id=declaration_id)


@periodic_task("shop.tasks.resend_missing_withdrawal_confirmations")
def resend_missing_withdrawal_receipts() -> int:
    """The safety net for a receipt or an owner's link whose task a broker lost."""
    received_before = timezone.now() - timedelta(minutes=1)
    declaration_ids = services.unconfirmed_declaration_ids(received_before=received_before)
    for declaration_id in declaration_ids:
        send_withdrawal_receipt.delay(declaration_id)
    owners_to_ask = services.owner_request_missing_ids(received_before=received_before)
    for declaration_id in owners_to_ask:
        send_withdrawal_owner_request.delay(declaration_id)
    return len(declaration_ids) + len(owners_to_ask)
