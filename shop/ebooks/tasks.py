from django.conf import settings
from django.utils import timezone

from plumbing.tasks import periodic_task, task
from shop.ebooks import services


@task("shop.tasks.render_ebook_preview", soft_time_limit=300)
def render_ebook_preview(ebook_id: int) -> None:
    services.render_preview(ebook_id=ebook_id)


@task("shop.tasks.render_custom_ebook", retry_on=(services.RenderFailed,), soft_time_limit=600)
def render_custom_ebook(ebook_id: int) -> str:
    return services.render_final(ebook_id=ebook_id)


@task("shop.tasks.send_ebook_ready_email")
def send_ebook_ready_email(ebook_id: int) -> str:
    return services.send_ready_email(ebook_id=ebook_id)


@periodic_task("shop.tasks.remind_missing_wishes")
def remind_missing_wishes() -> int:
    """One reminder for each custom eBook still without a wish two days after payment."""
    return services.remind_missing_wishes(
        ordered_before=timezone.now() - settings.EBOOK_WISH_REMINDER_AFTER
    )
