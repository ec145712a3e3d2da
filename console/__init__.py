"""The operator console: pages and an HTTP API at ``/console`` and ``/api`` (docs/console.md).

It stands between ``authoring`` and ``cli`` on the import ladder: it uses the store, the runtime
and the authoring tools, and ``aicall serve`` mounts it on the agent's FastAPI app.
"""
