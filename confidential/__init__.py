"""Keeping secrets secret: tokens and push URLs encrypted at rest, and never in a log line."""
