"""The shop's admin, one module per context as in shop.models. Importing them registers them."""

from shop.admin import (  # noqa: F401
    catalog,
    discounts,
    ebooks,
    invoices,
    orders,
    payments,
    subscriptions,
    withdrawals,
)
