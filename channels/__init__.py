"""The channel-management domain on top of the workflow engine: registry, KPIs and the rules."""
