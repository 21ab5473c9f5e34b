from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class DeviceTokenThrottle(SimpleRateThrottle):
    """Limit each device token to the "device" rate (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES)."""

    scope = "device"

    def get_rate(self):
        # Read on each request, not at import, so that the rate follows settings changes.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        # The hash, not the row id: ids repeat across databases that share one cache.
        return self.cache_format % {"scope": self.scope, "ident": request.auth.key_hash[:32]}
