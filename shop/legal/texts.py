"""The shop's legal texts and the rules of the right of withdrawal, in one place.

A changed text is a new text: change its version with it. Orders keep the exact text a buyer
agreed to and its version (`WithdrawalConsent`), so an old order still shows what was agreed then.
"""

from django.utils.translation import gettext_lazy as _

# § 356 Abs. 5 Nr. 2 BGB: the buyer's express consent that delivery starts before the withdrawal
# period ends, and their acknowledgement that the right of withdrawal lapses with it.
LAPSE_CONSENT_VERSION = "2026-11"
LAPSE_CONSENT_TEXT = _(
    "Ich stimme ausdrücklich zu, dass Sie vor Ablauf der Widerrufsfrist mit der Ausführung des "
    "Vertrags beginnen. Mir ist bekannt, dass ich durch diese Zustimmung mit Beginn der "
    "Ausführung des Vertrags mein Widerrufsrecht verliere."
)

# What a buyer of a product that keeps its right of withdrawal reads before paying.
WITHDRAWAL_NOTICE_TEXT = _(
    "Sie haben das Recht, binnen vierzehn Tagen ohne Angabe von Gründen diesen Vertrag zu "
    "widerrufen. Die Frist beginnt mit dem Vertragsschluss. Für Ihren Widerruf genügt der Link "
    "„Vertrag widerrufen“ unten auf jeder Seite."
)

# Product kinds whose content is delivered as soon as payment arrives: buying them asks for the
# lapse consent. Every other kind keeps the ordinary right of withdrawal, which is the safe side
# for a kind nobody has stated yet: the custom eBook (made to the buyer's wish, weeks later) and a
# subscription in its first 14 days. A new kind that is delivered at once is added here.
KINDS_DELIVERED_AT_ONCE = frozenset({"article", "series", "course"})


def asks_lapse_consent(kind: str) -> bool:
    """Whether checkout for a product of this kind needs the § 356 Abs. 5 consent."""
    return kind in KINDS_DELIVERED_AT_ONCE
