"""python -m docgen."""

import sys

from .cli import main

if __name__ == "__main__":  # worker processes (spawned) import this module too
    sys.exit(main())
