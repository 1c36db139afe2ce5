"""Plumbing that every app uses, written once: not a Django app, owns no models.

- `mail`: the one e-mail sender (subject, text and HTML rendered in the recipient's language)
  and `send_once`, which sends what a row stands for exactly once under the row's lock; `quoted`
  for a visitor's own text in a receipt.
- `tasks`: the one retry policy of the Celery tasks, their pinned names, and starting a task
  by its name after commit.
- `links`: signed tokens for links in e-mails and pages, with one error behaviour.
- `fields`: the language field the customer-facing models share.
- `limits`: how often a client or an e-mail address may send a public form, counted in the
  shared cache, and the 429 page when that is used up.

It imports Django and Celery only, never an app of the project.
"""
