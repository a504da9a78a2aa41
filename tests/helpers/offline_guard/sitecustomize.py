"""The offline guard: every Python process started with this directory on PYTHONPATH imports it at start-up.

It refuses, and records in the file named by OFFLINE_GUARD_LOG, every attempt to reach an address that is not on
this machine (TCP connect, UDP send) and every name lookup other than localhost and this host's own name. Tests run
the pre-flight module, the integration paths and the demo under it to prove that no test, CI run or demo ever asks
the public whois servers, RPKI validators or resolvers that the module's defaults name.
"""

import errno
import ipaddress
import os
import socket

_LOG = os.environ.get("OFFLINE_GUARD_LOG")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", socket.gethostname().lower()}
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def _record(kind, target):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write("%d %s %s\n" % (os.getpid(), kind, target))


def _is_local(host):
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return text.lower().rstrip(".") in _LOCAL_NAMES
    return address.is_loopback or address.is_unspecified


def _check(sock, address, kind):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and not _is_local(address[0]):
        _record(kind, "%s:%s" % address[:2])
        raise OSError(errno.ENETUNREACH, "offline guard: %s to %s refused" % (kind, address[0]))


def connect(self, address):
    _check(self, address, "connect")
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address, "connect")
    return _connect_ex(self, address)


def sendto(self, data, *args):
    _check(self, args[-1], "sendto")
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _record("lookup", host)
        raise socket.gaierror(socket.EAI_NONAME, "offline guard: lookup of %s refused" % host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.getaddrinfo = getaddrinfo
