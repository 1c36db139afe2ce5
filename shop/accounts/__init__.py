"""Customers' accounts: an account is its e-mail address, made at the first payment, with no
password; its owner signs in by a one-time link sent to that address (staff never do), and out
with the header's button. How long a session lasts, for customers and for staff, is in
sessions.py. Uses the models only."""
