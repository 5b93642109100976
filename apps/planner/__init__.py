"""The Panel map app: planners' workbench and public viewer (state classes, views, server)."""
