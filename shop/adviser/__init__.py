"""The KI-Berater: the publisher's adviser, sold as a monthly subscription and free for a year
to buyers of a custom eBook or a series. Subscribing, its state as Stripe's events tell it, each
paid month booked as an order, who may use it (`selectors.adviser_access`), and the cancel
button (§ 312k BGB). In the database its product kind stays "adviser", and its pages answer at
/ki-berater/ (/ratgeber/ redirects there). Uses orders, accounts and payments."""
