"""The svcount command and ``python -m svcount``.

Kept tiny so that Ctrl-C is caught from the start: an interrupt while the
command line's libraries are still importing exits 130 without a traceback.
"""

import sys


def main() -> None:
    try:
        from svcount.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("svcount: interrupted\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
