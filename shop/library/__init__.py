"""What a buyer owns: the library page (what the ledger grants them, with their invoices and
their KI-Berater access), and the signed, expiring, owner-only download links. Reads only."""
