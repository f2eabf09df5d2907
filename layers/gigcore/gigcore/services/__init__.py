"""Use cases. Each takes its ports as arguments and raises domain errors."""
