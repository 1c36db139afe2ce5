"""What a reader owns, marked on the catalog's cards after the shared fragment is rendered, so
the cached fragment (and the whole page kept for visitors without a session) never holds one
reader's state. The fragment wraps each card's offer in <!--offer PK-->…<!--/offer-->."""

import re

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

register = template.Library()

OFFER = re.compile(r"<!--offer (\d+)-->.*?<!--/offer-->", re.DOTALL)


@register.tag
def mark_owned(parser, token):
    """{% mark_owned owned %}…{% endmark_owned %}: `owned` maps product ids to a course's slug
    or None, as shop.catalog.selectors.owned_products answers."""
    try:
        _tag, owned = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("mark_owned takes what the reader owns") from None
    nodelist = parser.parse(("endmark_owned",))
    parser.delete_first_token()
    return MarkOwnedNode(nodelist, parser.compile_filter(owned))


class MarkOwnedNode(template.Node):
    def __init__(self, nodelist, owned):
        self.nodelist = nodelist
        self.owned = owned

    def render(self, context):
        html = self.nodelist.render(context)
        owned = self.owned.resolve(context) or {}
        if not owned:
            return html

        def in_library(offer: re.Match) -> str:
            product_id = int(offer[1])
            if product_id not in owned:
                return offer[0]
            course_slug = owned[product_id]
            learn_url = reverse("courses:learn", args=[course_slug]) if course_slug else None
            return render_to_string(
                "shop/storefront/_owned_card.html", {"learn_url": learn_url}
            ).strip()

        return OFFER.sub(in_library, html)
