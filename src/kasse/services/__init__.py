"""Use cases over small ports; they know the domain and the ports, never a driver."""
