"""The newsletter's consent text. A changed text is a new text: change its version with it;
every subscriber keeps the exact text and version they agreed to."""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-11"
CONSENT_TEXT = _(
    "Ja, ich möchte den Newsletter des Verlags mit neuen Artikeln, Kursen und Angeboten per "
    "E-Mail erhalten. Meine Einwilligung kann ich jederzeit mit dem Abmeldelink in jeder Ausgabe "
    "widerrufen."
)
