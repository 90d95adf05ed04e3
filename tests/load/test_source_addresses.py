"""Each simulated client of a devstack run connects from its own loopback address (the WAF)."""

from __future__ import annotations

import itertools
import socket

from load.fleet import loopback_source_addresses


def test_clients_of_a_loopback_target_get_distinct_addresses_they_can_connect_from() -> None:
    addresses = loopback_source_addresses("http://127.0.0.1:4567")
    assert addresses is not None
    first = list(itertools.islice(addresses, 300))
    assert len(set(first)) == 300
    assert all(address.startswith("127.77.") for address in first)
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        for address in (first[0], first[-1]):
            with socket.create_connection(("127.0.0.1", port), source_address=(address, 0)):
                peer, _ = server.accept()
                with peer:
                    assert peer.getpeername()[0] == address  # what the edge takes as client IP


def test_a_remote_target_keeps_the_machines_address() -> None:
    assert loopback_source_addresses("https://d111111abcdef8.cloudfront.net") is None
    assert loopback_source_addresses("https://api.example.com/v1") is None
