"""Reading the intake form's multipart body as it streams in, sealing every file while it is read.

Starlette's own form parser spools a large file to a temporary file on disk, in plaintext; this reader never
writes anything: text fields are kept in memory (bounded), files are sealed chunk by chunk to the intake public
key and only their ciphertext is kept. A file's type is judged by its first bytes, never by its name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from dataclasses import field as default
from enum import StrEnum

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from dutycare.adapters.crypto.intake_box import IntakeSealer, PartSealer
from dutycare.service_layer.intake import IntakeLimits, new_part_uid
from dutycare.service_layer.intake_records import PartKind, part_aad

MAGIC_BYTES = 12
MAX_PARTS = 40
MAX_NAME = 200


def media_type_of(head: bytes) -> str | None:
    """The media type a file's first bytes show, if it is one the form accepts."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"heif", b"mif1", b"msf1", b"hevc"):
        return "image/heic"
    return None


class BadBody(StrEnum):
    """Why a whole request body was refused."""

    MALFORMED = "e_malformed"
    TOO_LARGE = "e_too_large"


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one field, as a message key and its values."""

    field: str
    key: str
    values: dict[str, object] = default(default_factory=dict)


@dataclass(frozen=True)
class SealedFile:
    """A file as kept: its sealed bytes, and what the sealed index says about it."""

    uid: str
    name: str
    media_type: str
    size: int
    sealed: bytes


@dataclass
class ReadForm:
    """What the form held: its text fields, its sealed files, and what was wrong with them."""

    fields: dict[str, str]
    files: list[SealedFile]
    problems: list[FieldProblem]


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = default(default_factory=bytearray)
    head: bytearray = default(default_factory=bytearray)
    sealer: PartSealer | None = None
    uid: str = ""
    media_type: str | None = None
    size: int = 0
    refused: bool = False


class _Collector:
    """The parser's callbacks: fields into memory, files into sealers."""

    def __init__(self, sealer: IntakeSealer, limits: IntakeLimits, file_field: str) -> None:
        self.sealer = sealer
        self.limits = limits
        self.file_field = file_field
        self.field_bytes = 4 * limits.account_chars + 16
        self.fields: dict[str, bytes] = {}
        self.files: list[SealedFile] = []
        self.problems: list[FieldProblem] = []
        self.parts = 0
        self.too_many = False
        self._part = _Part()
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, bytes] = {}

    # -- headers -------------------------------------------------------------------------------------
    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise MultipartParseError("too many parts")
        self._part = _Part()
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header_name).decode("latin-1").lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get("content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise MultipartParseError("a part without a form-data name")
        self._part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            self._part.filename = options[b"filename"].decode("utf-8", "replace")[-MAX_NAME:]

    # -- data ----------------------------------------------------------------------------------------
    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part, chunk = self._part, data[start:end]
        if part.filename is None:
            if len(part.data) + len(chunk) > self.field_bytes:
                part.refused = True
            if not part.refused:
                part.data += chunk
            return
        if part.refused or part.name != self.file_field:
            return
        part.size += len(chunk)
        if part.size > self.limits.file_bytes:
            self._refuse_file("p_file_size", size=self.limits.file_bytes >> 20)
            return
        if part.sealer is None:
            part.head += chunk
            if len(part.head) < MAGIC_BYTES:
                return
            self._start_file()
            chunk = bytes(part.head)
            part.head.clear()
            if part.sealer is None:
                return
        part.sealer.feed(chunk)

    def _start_file(self) -> None:
        part = self._part
        if len(self.files) >= self.limits.files:
            if not self.too_many:
                self.problems.append(FieldProblem(self.file_field, "p_file_count", {"count": self.limits.files}))
            self.too_many = True
            part.refused = True
            return
        part.media_type = media_type_of(bytes(part.head))
        if part.media_type is None:
            self._refuse_file("p_file_type")
            return
        part.uid = new_part_uid()
        part.sealer = self.sealer.part(part_aad(part.uid, PartKind.ATTACHMENT))

    def _refuse_file(self, key: str, **values: object) -> None:
        part = self._part
        part.refused = True
        part.sealer = None
        part.head.clear()
        self.problems.append(FieldProblem(self.file_field, key, {"name": part.filename or "?", **values}))

    def on_part_end(self) -> None:
        part = self._part
        if part.filename is None:
            if part.refused:
                self.problems.append(FieldProblem(part.name, "p_too_long",
                                                  {"limit": self.limits.account_chars, "count": "…"}))
            elif part.name not in self.fields:
                self.fields[part.name] = bytes(part.data)
            return
        if part.refused or part.name != self.file_field:
            return
        if part.sealer is None and part.head:  # a file shorter than the bytes its type is judged by
            self._start_file()
            if part.sealer is not None:
                part.sealer.feed(bytes(part.head))
        if part.sealer is None:
            return  # no file was chosen (an empty part)
        sealed = part.sealer.finish()
        self.files.append(SealedFile(part.uid, part.filename or "", part.media_type or "", part.size, sealed))


async def read_form(chunks: AsyncIterator[bytes], content_type: str, sealer: IntakeSealer, limits: IntakeLimits,
                    file_field: str = "files") -> ReadForm | BadBody:
    """Read a multipart/form-data body; a body that is not one, or is too large, is refused as a whole."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary or len(boundary) > 200:
        return BadBody.MALFORMED
    collector = _Collector(sealer, limits, file_field)
    callbacks = {name: getattr(collector, name) for name in (
        "on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
        "on_part_data", "on_part_end")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > limits.body_bytes:
                return BadBody.TOO_LARGE
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        return BadBody.MALFORMED
    if parser.state != MultipartState.END:  # a body cut short never reached its closing boundary
        return BadBody.MALFORMED
    fields: dict[str, str] = {}
    problems = list(collector.problems)
    for name, raw in collector.fields.items():
        try:
            fields[name] = raw.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            problems.append(FieldProblem(name, "p_encoding"))
    return ReadForm(fields, collector.files, problems)
