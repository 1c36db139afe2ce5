"""Reads of custom eBooks."""

from shop.models import CustomEbook


def custom_ebook_of(*, ebook_id: int, user) -> CustomEbook | None:
    """The user's own custom eBook while they are entitled to it; None for anyone else."""
    return (
        CustomEbook.objects.filter(
            pk=ebook_id,
            buyer=user,
            order_line__entitlements__buyer=user,
            order_line__entitlements__revoked_at__isnull=True,
        )
        .select_related("order_line__order")
        .first()
    )
