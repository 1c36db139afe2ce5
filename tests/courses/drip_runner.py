"""One "beat process" for the concurrency test: runs the beat task over a range of frozen days.

    python -m tests.courses.drip_runner <start ISO time> <days> <go-file>

It reports ready (a file beside the go-file) and waits until the go-file exists, so two
processes start their beats together.
"""

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import django


def main(start: str, days: int, go_file: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    import time_machine

    from courses import tasks

    Path(f"{go_file}.ready.{os.getpid()}").touch()
    while not Path(go_file).exists():
        time.sleep(0.01)
    first = datetime.fromisoformat(start)
    sent = 0
    for day in range(days):
        with time_machine.travel(first + timedelta(days=day, minutes=1), tick=False):
            sent += tasks.send_due_lessons()
            sent += tasks.send_due_lessons()
    print(sent)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
