"""Customers' accounts: an account is its e-mail address, made at the first payment, with no
password; its owner signs in by a one-time link sent to that address. Uses the models only."""
