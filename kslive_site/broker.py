"""The embedded Celery broker: kombu's filesystem transport, with atomic writes.

kombu writes a message file in place, and a worker polling the folder can take it
before it is complete; reading an empty file kills the worker. Writing to a temporary
name and renaming it into the queue makes every message appear whole or not at all.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # Same name pattern as kombu's, so its reader finds the file; the temporary
        # name ends in ".tmp", which the reader skips.
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        temporary = final + ".tmp"
        try:
            with open(temporary, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add a message to {self.data_folder_out}") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    # Celery's worker loop for polling transports waits up to 2 s per drain and only then
    # notices a shutdown request; short slices let Ctrl-C in `make run` stop the worker
    # well inside honcho's 5 s grace instead of ending in a SIGKILL. A caller that asks
    # to wait without a timeout still waits for a message, as kombu promises.
    drain_slice = 0.5

    def drain_events(self, connection, timeout=None):
        if timeout is not None:
            timeout = min(timeout, self.drain_slice)
        return super().drain_events(connection, timeout=timeout)
