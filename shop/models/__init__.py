"""The shop's models, one module per context: catalog, orders, custom eBooks, payments, invoices,
withdrawals."""

from shop.models.catalog import Article, Product, Series, SeriesArticle
from shop.models.discounts import DiscountCode
from shop.models.ebooks import CustomEbook, EbookChapter, EbookStateChange
from shop.models.invoices import Invoice, InvoiceLine
from shop.models.orders import (
    Delivery,
    Entitlement,
    InvalidTransition,
    Order,
    OrderLine,
    ReferenceCounter,
)
from shop.models.payments import StripeEvent
from shop.models.subscriptions import CancellationNotice, Subscription, SubscriptionPayment
from shop.models.withdrawals import WithdrawalConsent, WithdrawalDeclaration

__all__ = [
    "Article",
    "CancellationNotice",
    "CustomEbook",
    "Delivery",
    "DiscountCode",
    "EbookChapter",
    "EbookStateChange",
    "Entitlement",
    "InvalidTransition",
    "Invoice",
    "InvoiceLine",
    "Order",
    "OrderLine",
    "Product",
    "ReferenceCounter",
    "Series",
    "SeriesArticle",
    "StripeEvent",
    "Subscription",
    "SubscriptionPayment",
    "WithdrawalConsent",
    "WithdrawalDeclaration",
]
