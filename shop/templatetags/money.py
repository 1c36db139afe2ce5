from django import template

from shop.money import format_eur

register = template.Library()


@register.filter
def eur(cents: int) -> str:
    return format_eur(cents)
