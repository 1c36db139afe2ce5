"""Celery finds a task by its name: messages already queued and beat's schedule name it. Moving
code must not rename one, so the names are pinned and listed here."""

from celery import current_app
from django.conf import settings

TASK_NAMES = {
    "courses.tasks.deliver_certificate",
    "courses.tasks.prerender_course_pdf",
    "courses.tasks.send_certificate_email",
    "courses.tasks.send_due_lesson",
    "courses.tasks.send_due_lessons",
    "courses.tasks.send_remaining_lessons",
    "newsletter.tasks.send_confirmation_request",
    "newsletter.tasks.send_issue",
    "shop.tasks.cancel_at_period_end",
    "shop.tasks.fulfil_order",
    "shop.tasks.prerender_article_pdf",
    "shop.tasks.prerender_series_pdf",
    "shop.tasks.remind_missing_wishes",
    "shop.tasks.render_custom_ebook",
    "shop.tasks.render_ebook_preview",
    "shop.tasks.requeue_unfulfilled_orders",
    "shop.tasks.resend_missing_withdrawal_confirmations",
    "shop.tasks.send_cancellation_confirmation",
    "shop.tasks.send_cancellation_email",
    "shop.tasks.send_cancellation_invoice",
    "shop.tasks.send_delivery_email",
    "shop.tasks.send_ebook_ready_email",
    "shop.tasks.send_sign_in_link",
    "shop.tasks.send_subscription_link",
    "shop.tasks.send_withdrawal_confirmation",
    "shop.tasks.send_withdrawal_owner_request",
}


def test_the_registered_tasks_keep_their_names():
    registered = {name for name in current_app.tasks if not name.startswith("celery.")}

    assert registered == TASK_NAMES


def test_every_task_beat_runs_is_registered():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled <= set(current_app.tasks)
