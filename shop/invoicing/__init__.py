"""Invoices and credit notes: issued inside the transaction that pays or refunds, numbered from
gap-free yearly sequences, rendered to PDF by the worker, and a credit note e-mailed once. Uses
the models, documents and the Stripe payload reader only."""
