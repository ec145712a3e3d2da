"""The console's routers, one module per area (console/app.py includes them: ``ROUTERS``)."""
