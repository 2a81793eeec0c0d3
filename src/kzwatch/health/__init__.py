"""Link health: what one fetch of a cited URL says, and what the citation's state is over time.

Pure functions on plain data (the fetcher and the warehouse are elsewhere):

* ``classify`` — one fetch → a SPEC §4 outcome with evidence, as one ordered table of named rules;
* ``pages`` — what a fetched page says (title, headings, text), the not-found phrases and the
  classification thresholds (``[classify]``);
* ``identity`` — is a redirect target the same work (site quirks as a table)?
* ``verdict`` — the strike rule: outcomes over time → alive, dying, dead...;
* ``drift`` — how far a page's text moved from its baseline;
* ``verify`` — does the page carry the cited work (title, author, date, outlet)?
* ``support`` — does it still carry the figures a claim cites?
"""
