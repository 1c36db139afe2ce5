from datetime import timedelta

from django.utils import timezone

from plumbing.tasks import periodic_task, task
from shop.withdrawals import services


@task("shop.tasks.send_withdrawal_confirmation")
def send_withdrawal_receipt(declaration_id: int) -> str:
    """Sent the moment the declaration is stored; an SMTP outage is retried, and the
    declaration stands whatever the mail server does."""
    return services.send_receipt(declaration_id=declaration_id)


@periodic_task("shop.tasks.resend_missing_withdrawal_confirmations")
def resend_missing_withdrawal_receipts() -> int:
    """The safety net for a receipt whose task a broker lost."""
    declaration_ids = services.unconfirmed_declaration_ids(
        received_before=timezone.now() - timedelta(minutes=1)
    )
    for declaration_id in declaration_ids:
        send_withdrawal_receipt.delay(declaration_id)
    return len(declaration_ids)
