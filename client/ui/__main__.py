"""``python -m client.ui [--data-dir DIR] [--lang zh_CN|en] [--size 800x1280]``"""
import sys

from . import main

sys.exit(main())
