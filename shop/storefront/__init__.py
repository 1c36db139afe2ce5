"""The pages a visitor browses and buys from: the catalog, the product pages with their buy box,
and the buy box's checkout, which sends the buyer to Stripe. Uses catalog, orders, legal,
payments and the KI-Berater's access (a subscriber reads articles in full)."""
