"""A simulated web on loopback, and the offline demo that runs kzwatch against it.

* ``simweb`` — real HTTP and HTTPS servers (trustme CA) answering any host name through an
  injected resolver, with routes, failures (refused, hang, reset, NXDOMAIN) and a request log;
* ``sentinel`` — listeners that count connections, for the SSRF tests;
* ``demo`` — ``kzwatch demo``: the default article's world over simulated days.
"""
