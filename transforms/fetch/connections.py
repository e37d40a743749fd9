"""urllib3 connection pools that dial only addresses an ``AddressPolicy`` permits.

The check lives in the connection itself (``_new_conn``), so it runs on the address actually
dialled, after DNS resolution, for every new connection: first request, retries and redirects.
TLS still verifies the certificate against the host name, because only the socket is pinned.
"""

from __future__ import annotations

import socket
from typing import Any

from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from transforms.fetch.addresses import AddressPolicy


class _GuardedConnectionMixin:
    """Resolves the host once, drops forbidden addresses, then dials the permitted ones in turn."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def __init__(self, *args: Any, address_policy: AddressPolicy, **kwargs: Any) -> None:
        self._address_policy = address_policy
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        try:
            addresses = self._address_policy.permitted_addresses(self.host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        last_error: OSError | None = None
        for address in addresses:
            try:
                return connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except socket.timeout as error:
                raise ConnectTimeoutError(
                    self, f"connecting to {self.host} ({address}) timed out"
                ) from error
            except OSError as error:
                last_error = error
        raise NewConnectionError(self, f"failed to connect to {self.host}: {last_error}")


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedPoolManager(PoolManager):
    """A ``PoolManager`` whose every connection obeys ``address_policy``."""

    def __init__(self, address_policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._address_policy = address_policy
        self.pool_classes_by_scheme = {
            "http": GuardedHTTPConnectionPool,
            "https": GuardedHTTPSConnectionPool,
        }

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> HTTPConnectionPool:
        context = dict(request_context or self.connection_pool_kw)
        context["address_policy"] = self._address_policy
        return super()._new_pool(scheme, host, port, context)
