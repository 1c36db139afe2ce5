from plumbing.tasks import task
from shop.adviser import cancel_button


@task("shop.tasks.send_cancellation_confirmation")
def send_notice_receipt(notice_id: int) -> str:
    return cancel_button.send_notice_receipt(notice_id=notice_id)
