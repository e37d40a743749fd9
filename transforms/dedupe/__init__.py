"""Re-runs and syndication: skip what the output already holds, keep one copy of each text."""
