"""A streaming response for a byte range of a stored file that streams under both servers.

Django's ``FileResponse`` (and any ``StreamingHttpResponse`` over a synchronous iterator) is
read *whole into memory* by the ASGI handler before the first byte is sent (Django 5.2,
``StreamingHttpResponse.__aiter__`` falls back to ``sync_to_async(list)``). Under daphne that
would load a 500 MB video per request. ``RangedFileResponse`` keeps a synchronous generator for
WSGI and the test client, and overrides ``__aiter__`` so the ASGI handler reads the file chunk by
chunk in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import IO

from django.http import StreamingHttpResponse

CHUNK_BYTES = 256 * 1024


class RangedFileResponse(StreamingHttpResponse):
    def __init__(self, opener: Callable[[], IO[bytes]], start: int, length: int, **kwargs):
        self._opener = opener
        self._start = start
        self._length = length
        super().__init__(streaming_content=self._sync_chunks(), **kwargs)
        self.headers["Content-Length"] = str(length)

    def _sync_chunks(self) -> Iterator[bytes]:
        with self._opener() as handle:
            handle.seek(self._start)
            remaining = self._length
            while remaining > 0:
                chunk = handle.read(min(CHUNK_BYTES, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self._opener)
        try:
            await asyncio.to_thread(handle.seek, self._start)
            remaining = self._length
            while remaining > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK_BYTES, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)
