from plumbing.tasks import task
from shop.adviser import cancel_button, services


@task("shop.tasks.send_cancellation_confirmation")
def send_notice_receipt(notice_id: int) -> str:
    return cancel_button.send_notice_receipt(notice_id=notice_id)


@task("shop.tasks.cancel_at_period_end")
def cancel_at_period_end(notice_id: int) -> str:
    return cancel_button.cancel_at_period_end(notice_id=notice_id)


@task("shop.tasks.send_subscription_link")
def send_subscription_link(email: str, language: str) -> str:
    return services.send_subscription_link(email=email, language=language)
