from plumbing.tasks import task
from shop.invoicing import emails, services


@task("shop.tasks.send_cancellation_invoice", soft_time_limit=300)
def deliver_credit_note(invoice_id: int) -> None:
    services.render_pdf(invoice_id=invoice_id)
    email_credit_note.delay(invoice_id)


@task("shop.tasks.send_cancellation_email")
def email_credit_note(invoice_id: int) -> str:
    return emails.email_credit_note(invoice_id=invoice_id)
