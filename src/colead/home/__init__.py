"""The front door: the home page, choosing an organisation, the header's navigation, the
accessibility and privacy statements, error pages and the health check. It sits above the
domain apps because the home page shows a little of each (the vision, the organisation)."""
