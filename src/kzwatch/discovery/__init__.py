"""Discovery: new reporting on an article's claims.

* ``sources/`` — read what a watched source returned (feeds, sitemaps, listing pages), one
  reader per configured ``kind``;
* ``dedupe`` — see each item once, whatever source or URL variant it comes back through;
* ``settings`` — the discovery cycle's ``[relevance]`` section.

The scorer that decides which items bear on which claim is ``kzwatch.relevance``.
"""
