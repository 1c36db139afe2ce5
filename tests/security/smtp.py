"""A real SMTP server on loopback for the security tests: it refuses every message, as a relay
does that rejects the content, until told to accept again."""

import email
import socket
from email import policy

from aiosmtpd.controller import Controller


class RefusingMailServer:
    def __init__(self) -> None:
        self.refusing = True
        self.accepted: list[email.message.EmailMessage] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refusing:
            return "554 5.7.1 Message refused by policy"
        self.accepted.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def __enter__(self) -> "RefusingMailServer":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
