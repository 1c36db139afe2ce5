"""Finding 12: docker-compose.yml published Mailpit's web UI, where anyone would read sign-in
links, on every interface. Now only this machine reaches it."""

import re
from pathlib import Path

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def published_ports(service: str) -> list[str]:
    """The port entries of one service, read from the file as written (no YAML library here)."""
    block = re.search(rf"^  {service}:\n((?:    .*\n|\s*\n)*)", COMPOSE.read_text(), re.M)
    assert block, f"no service {service!r} in docker-compose.yml"
    ports = re.search(r"^    ports:\n((?:      .*\n)*)", block.group(1), re.M)
    entries = re.findall(r'^      - "?([^"\n]+)"?$', ports.group(1), re.M) if ports else []
    return entries


def test_the_mail_catchers_web_ui_is_published_on_loopback_only():
    ports = published_ports("mail")
    assert ports, "the mail catcher publishes its web UI"
    assert all(port.startswith("127.0.0.1:") for port in ports), ports
