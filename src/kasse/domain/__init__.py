"""The pure core of kasse: standard library only, no I/O, no clock, no randomness."""
