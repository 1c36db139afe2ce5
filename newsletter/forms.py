"""The sign-up form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Ihre E-Mail-Adresse"), max_length=254)
