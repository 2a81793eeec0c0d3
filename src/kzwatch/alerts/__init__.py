"""From events to people.

Cycles raise :class:`~kzwatch.model.Event` objects of the kinds in ``kzwatch.model.EVENT_KINDS``.

* ``lifecycle`` — which events go into the next digest, weekly reminders, ack/snooze/resolve;
* ``digest`` — the events grouped (article → severity → citations / support / reporting) and
  each one described for people;
* ``render/`` — one module per dialect (Markdown, text, HTML, JSON, Slack, e-mail), registered
  by format name;
* ``channels/`` — one module per delivery channel (SMTP, webhook, file, Apprise), registered by
  the ``[delivery.<kind>]`` table that configures it.
"""
