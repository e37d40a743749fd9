"""Which network addresses the fetcher may connect to.

Feeds and pages are named by strangers, so a URL (or a redirect) could point the pipeline at a
cloud metadata service, a router or a database on the worker's own network. Every connection is
therefore checked after DNS resolution, against the address actually dialled, and only globally
routable addresses are allowed unless the operator exempted an exact ``host:port``.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddressError(Exception):
    """A host resolved only to addresses the fetcher must not connect to.

    Deliberately not an ``OSError``: urllib3 wraps those into connection errors and would hide why.
    """


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a tunnelling IPv6 address (6to4 or Teredo) leads to, if any."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public_address(address: IPAddress) -> bool:
    """True only for globally routable unicast addresses, the only ones a news site can have."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # The socket really talks IPv4 to the embedded address.
            return is_public_address(address.ipv4_mapped)
        inner = embedded_ipv4(address)
        if inner is not None and not is_public_address(inner):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def host_port_label(host: str, port: int) -> str:
    """``host:port`` as written in ``FetchSettings.allowed_hosts`` (IPv6 literals in brackets)."""
    bare = host.strip("[]").lower()
    return f"[{bare}]:{port}" if ":" in bare else f"{bare}:{port}"


@dataclass(frozen=True)
class AddressPolicy:
    """Decides, after resolution, which addresses of a host may be dialled.

    ``allowed_hosts`` holds exact ``host:port`` strings exempt from the public-address rule; a
    host is exempt if either its name as written in the URL or the address it resolved to is
    listed with that port, so other ports of an exempt host stay blocked.
    """

    allowed_hosts: frozenset[str] = frozenset()
    block_non_public: bool = True

    def permits(self, host: str, port: int, address: IPAddress) -> bool:
        if not self.block_non_public or is_public_address(address):
            return True
        return (
            host_port_label(host, port) in self.allowed_hosts
            or host_port_label(str(address), port) in self.allowed_hosts
        )

    def permitted_addresses(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and keep the addresses it may connect to, in resolver order.

        Raises ``socket.gaierror`` when the name does not resolve and ``BlockedAddressError`` when
        it resolves only to forbidden addresses.
        """
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        resolved: list[str] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            text = str(sockaddr[0]).split("%", 1)[0]
            if text not in resolved:
                resolved.append(text)
        permitted = [a for a in resolved if self.permits(host, port, ipaddress.ip_address(a))]
        if not permitted:
            raise BlockedAddressError(
                f"{host}:{port} resolves to {', '.join(resolved)}: not a public address"
            )
        return permitted
