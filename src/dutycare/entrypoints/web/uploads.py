"""Reading a multipart/form-data upload as it arrives, part by part, so a file goes to the vault in chunks and is
never held whole in memory or written anywhere in plaintext.

Form fields must come before the files (browsers send them in the form's order, and the forms put them first);
each field holds at most 64 KiB. The request body is pulled from the server only as the vault reads it, so a
file over the size limit is refused as soon as its bytes pass the limit, and a client that goes away mid-upload
stops the write where it is (the evidence service then keeps nothing of it).
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import anyio.from_thread
from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from dutycare.domain.errors import InvalidInput, Problem
from dutycare.service_layer.evidence import MAX_FILES_PER_UPLOAD, IncomingFile

MAX_FIELD = 64 << 10
MAX_FIELDS = 50
MAX_UPLOAD_REQUEST = 1 << 40
"""The request-size ceiling of upload routes: bounded instead by `Upload.max_size` (files × the setting)."""


def _refused(message: str) -> InvalidInput:
    return InvalidInput([Problem("upload", "file", message)])


def request_chunks(request: Request) -> Iterator[bytes]:
    """The request body, chunk by chunk, for code running in a worker thread (each chunk is awaited on the
    server's event loop); ClientDisconnect when the client goes away."""
    stream = request.stream().__aiter__()

    async def next_chunk() -> bytes | None:
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None

    while (chunk := anyio.from_thread.run(next_chunk)) is not None:
        if chunk:
            yield chunk


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)

    @property
    def disposition(self) -> tuple[bytes, dict[bytes, bytes]]:
        return parse_options_header(self.headers.get(b"content-disposition", b""))


class _PartStream(io.RawIOBase):
    """The bytes of the current part, pulled from the body as they are read; b"" at the part's end."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.pending = b""
        self.ended = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self.pending and not self.ended:
            kind, data = self.upload.next_event()
            if kind == "data":
                self.pending = data
            else:
                self.ended = True
        if size is None or size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out

    def drain(self) -> bytes:
        """Read the rest of a form field (at most MAX_FIELD bytes)."""
        out = b""
        while chunk := self.read(MAX_FIELD):
            out += chunk
            if len(out) > MAX_FIELD:
                raise _refused(f"a form field is longer than {MAX_FIELD} bytes")
        return out


class Upload:
    """A multipart/form-data body read part by part."""

    def __init__(self, chunks: Iterator[bytes], content_type: str | None, max_size: int) -> None:
        kind, params = parse_options_header(content_type or "")
        boundary = params.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise _refused("send the files as multipart/form-data")
        self._chunks = chunks
        self._events: deque[tuple[str, bytes]] = deque()
        self._part = _Part()
        self._header_field = b""
        self._header_value = b""
        self._finished = False
        self._parts_seen: deque[_Part] = deque()
        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._on_part_begin, "on_part_data": self._on_part_data,
            "on_part_end": lambda: self._events.append(("end", b"")),
            "on_header_field": self._on_header_field, "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end, "on_headers_finished": self._on_headers_finished,
            "on_end": self._on_end,
        }, max_size=max_size)

    # -- the parser's callbacks ------------------------------------------------------------------------------
    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._events.append(("data", bytes(data[start:end])))

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._part.headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def _on_headers_finished(self) -> None:
        self._events.append(("part", b""))
        self._parts_seen.append(self._part)

    def _on_end(self) -> None:
        self._finished = True

    # -- reading ---------------------------------------------------------------------------------------------
    def next_event(self) -> tuple[str, bytes]:
        """The next thing the body holds: ("part", b""), ("data", bytes), ("end", b"") or ("done", b"")."""
        while not self._events:
            if self._finished:
                return "done", b""
            chunk = next(self._chunks, None)
            if chunk is None:
                raise _refused("the upload ended before its last part arrived")
            try:
                self._parser.write(chunk)
            except Exception as exc:  # python-multipart's errors: a broken or oversized body
                raise _refused(f"the upload is not a readable form ({type(exc).__name__})") from None
        return self._events.popleft()

    def read(self) -> tuple[dict[str, str], Iterator[IncomingFile]]:
        """The form's fields (those before the first file), and its files, each read as the consumer reads it."""
        fields: dict[str, str] = {}
        while True:
            kind, _ = self.next_event()
            if kind == "done":
                return fields, iter(())
            if kind != "part":
                continue
            part = self._parts_seen.popleft()
            _, options = part.disposition
            name = options.get(b"name", b"").decode("utf-8", "replace")
            if b"filename" in options:
                return fields, self._files(part)
            if len(fields) >= MAX_FIELDS:
                raise _refused("the form has too many fields")
            fields[name] = _PartStream(self).drain().decode("utf-8", "replace")

    def _files(self, first: _Part) -> Iterator[IncomingFile]:
        part: _Part | None = first
        count = 0
        while part is not None:
            _, options = part.disposition
            filename = options.get(b"filename", b"").decode("utf-8", "replace")
            stream = _PartStream(self)
            if b"filename" not in options:
                raise _refused("put the form's fields before its files")
            if filename:  # a file input left empty sends a part without a name
                count += 1
                if count > MAX_FILES_PER_UPLOAD:
                    raise _refused(f"at most {MAX_FILES_PER_UPLOAD} files at once")
                kind = part.headers.get(b"content-type", b"").decode("latin-1") or None
                yield IncomingFile(filename, kind, stream)  # type: ignore[arg-type]
            while stream.read(1 << 16):
                pass  # the rest of a part the consumer did not read
            part = self._next_part()

    def _next_part(self) -> _Part | None:
        while True:
            kind, _ = self.next_event()
            if kind == "done":
                return None
            if kind == "part":
                return self._parts_seen.popleft()
