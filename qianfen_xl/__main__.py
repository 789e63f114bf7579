"""``python -m qianfen_xl``: the qianfen-xl command, where its script is not on the PATH."""

import sys

from qianfen_xl.cli import entry

sys.exit(entry())
