"""Withdrawals (§ 356a BGB): the "Vertrag widerrufen" form without sign-in, whether the contract
it names can still be withdrawn, its confirmation of receipt, and staff's refund. Uses the
KI-Berater's and the custom eBooks' services, legal texts and payments."""
