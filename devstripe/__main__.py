"""Run the Stripe stand-in in the foreground, for the offline demo.

    python -m devstripe --port 12111 --webhook-url http://127.0.0.1:8000/stripe/webhook/ \
        --webhook-secret whsec_dev
"""

import argparse
import contextlib
import logging
import threading

from devstripe.server import StripeServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstripe", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", help="where to POST signed events, e.g. the shop")
    parser.add_argument("--webhook-secret", default="whsec_test")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="devstripe: %(message)s")
    server = StripeServer(
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        host=args.host,
        port=args.port,
    )
    with server:
        print(
            f"devstripe: Stripe API on {server.url}, "
            f"webhooks to {args.webhook_url or 'nowhere (no --webhook-url)'}",
            flush=True,
        )
        # The server runs in its own thread; this one only waits for Ctrl-C.
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
