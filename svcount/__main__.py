"""python -m svcount: the same as the svcount command."""

from svcount.cli import main

main()
