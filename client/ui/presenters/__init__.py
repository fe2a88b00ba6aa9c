"""What the screens show and what their forms send, with no Kivy in it (tested without a window).

One module per screen (``today``, ``resident``, ``visit``…, named as the screen in
``client/ui/screens/``), plus ``common`` (words, times and values every screen shares) and
``status`` (the line on every screen). Screens hand the service's records to these functions and
put the resulting strings into their widgets; forms collect taps and typing here and turn them
into one call on ``FieldService``. This package offers every name of its modules, so
``from client.ui import presenters as pr`` reaches them all.
"""
from .campaigns import *  # noqa: F401,F403
from .common import *  # noqa: F401,F403
from .duty import *  # noqa: F401,F403
from .edit import *  # noqa: F401,F403
from .pin import *  # noqa: F401,F403
from .rejections import *  # noqa: F401,F403
from .requests import *  # noqa: F401,F403
from .resident import *  # noqa: F401,F403
from .settings import *  # noqa: F401,F403
from .signin import *  # noqa: F401,F403
from .status import *  # noqa: F401,F403
from .sync import *  # noqa: F401,F403
from .today import *  # noqa: F401,F403
from .visit import *  # noqa: F401,F403
