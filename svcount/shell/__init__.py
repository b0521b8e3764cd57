"""The command line's plumbing: shared options declared once, output and exits."""
