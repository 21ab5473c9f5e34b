"""A local stand-in for the Kuaishou Open Platform (OAuth and the live push API)."""
