"""`python -m kasse` runs the command line."""

from kasse.cli import main

main()
