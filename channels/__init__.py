"""The channel-management domain on top of the engine."""
