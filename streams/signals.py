"""What streams tells the parts above it, without knowing who listens."""

from django.dispatch import Signal

# Sent once a status change is committed (never for one that rolled back), with keyword
# arguments session_id, owner_id, previous, status (LiveSession.Status values) and at (when).
live_session_status_changed = Signal()
