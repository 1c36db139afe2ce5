"""Stripe's webhook: the endpoint checks the signature, each event is stored once under its id,
then handed to the context it concerns (orders, the KI-Berater, refunds). The top of the shop's
contexts: nothing but the URL list imports it."""
