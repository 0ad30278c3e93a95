"""Management commands started in the background from a request (never waited for):
the chart renderer (strategy_portal.pictures) and the round's reminder mails
(indicators.reminders). The child is in a session of its own, so no web worker
waits for it or is stopped with it."""

import logging
import subprocess  # nosec B404 (only this site's own manage.py, fixed arguments, no shell)
import sys

from django.conf import settings

log = logging.getLogger(__name__)


def start_command(name: str, *args: str) -> bool:
    """Start `manage.py <name> <args>`; False (and a line in the log) if it cannot."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), name, *args]
    try:
        subprocess.Popen(  # nosec B603
            command,
            cwd=settings.BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as error:
        log.warning("cannot start manage.py %s in the background (%s)", name, error)
        return False
    return True
