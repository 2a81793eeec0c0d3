"""kzwatch's Prefect flows: thin orchestration over the ``kzwatch`` package.

Installed as the ``kzwatch_flows`` package.  Each flow takes plain parameters (config path,
warehouse path, ``as_of``) so it can run from the CLI in Prefect's ephemeral mode, from a
deployment on a server (``deploy/prefect.yaml``), or in tests.
"""
