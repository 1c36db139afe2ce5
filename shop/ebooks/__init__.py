"""Custom eBooks: made to a reader's wish after payment. The wish (page and form), the staff's
desk (every state change through one function, under the row lock), the preview and final
renders as PDF and EPUB, the reminder and the "ready" e-mail, and the refund when one is called
off. Uses catalog (articles, licensed copies), payments (the refund) and documents."""
