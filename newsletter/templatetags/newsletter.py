"""`{% newsletter_sign_up %}`: the sign-up form for every page's footer."""

from django import template

from newsletter import legal
from newsletter.forms import SignUpForm

register = template.Library()


@register.inclusion_tag("newsletter/_sign_up_form.html")
def newsletter_sign_up():
    """The small sign-up form in every page's footer."""
    return {
        "form": SignUpForm(auto_id="newsletter_%s"),
        "consent_text": legal.CONSENT_TEXT,
    }
