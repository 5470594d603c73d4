"""Fault-injection drills: a fault flag on the real code path for a while, optional synthetic traffic, a
record."""
