"""What accounts tells the parts above it, without knowing who listens."""

from django.dispatch import Signal

# Sent once a login with Kuaishou is committed (a first login, or logging in again after a
# "must reconnect"), with the keyword argument user_id.
kuaishou_connected = Signal()
