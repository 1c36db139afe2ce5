"""Refunds and disputes Stripe reports: a credit note per refund, the refunded lines'
entitlements revoked (a course enrolment ended, a KI-Berater month no longer paid), anything
unclear flagged for staff. Uses invoicing, the KI-Berater's services and courses' services."""
