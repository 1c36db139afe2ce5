from django import forms


class CheckoutForm(forms.Form):
    email = forms.EmailField(
        # Order.email's length: a longer address would pass the form and fail the order.
        max_length=254,
        label="Ihre E-Mail-Adresse",
        help_text="An diese Adresse senden wir das PDF und Ihren Zugang zur Bibliothek.",
    )


class SignInForm(forms.Form):
    email = forms.EmailField(label="E-Mail-Adresse, mit der Sie gekauft haben")
