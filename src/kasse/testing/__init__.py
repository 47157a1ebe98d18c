"""Testing a POS against kasse: a pytest plugin (`kasse.testing.plugin`, loaded automatically) and its helpers.

Importing this package costs nothing: the server starts only when a test asks for a `kasse_*` fixture.
The helpers behind the fixtures live in `clock`, `faults`, `wallet`, `merchants` and `server`.
"""
