"""Tests may not reach the network: pytest-socket, configured in pyproject.toml, lets a socket
connect only to this machine (the test database, the live server of the browser tests)."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError

OUTSIDE = ("93.184.216.34", 80)  # example.com


def test_a_connection_leaving_the_machine_is_refused():
    with (
        pytest.warns(UserWarning, match="93.184.216.34"),
        pytest.raises(SocketConnectBlockedError),
    ):
        socket.create_connection(OUTSIDE, timeout=1)


def test_a_connection_to_this_machine_still_goes_through():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1) as client:
            accepted, _ = server.accept()
            with accepted:
                client.sendall(b"ping")
                assert accepted.recv(4) == b"ping"


def test_unix_sockets_still_work():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"ping")
        assert right.recv(4) == b"ping"
