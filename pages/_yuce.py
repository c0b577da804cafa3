"""/yuce on a new server's first request: run the router here (see app.py)."""
from dashboard import sessions

sessions.run_router()
