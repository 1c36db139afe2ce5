"""What a buyer owns: the library page (what the ledger grants them, with their invoices and
their KI-Berater access) and the downloads it serves through the orders' signed, expiring,
owner-only links. Reads only."""
