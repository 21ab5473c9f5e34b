from django import template

register = template.Library()


@register.filter
def hms(delta):
    """Format a timedelta as H:MM:SS (or M:SS under an hour)."""
    if delta is None:
        return "–"
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
