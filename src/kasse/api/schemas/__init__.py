"""Request schemas at the edge: strict pydantic models that report every bad field at once."""
