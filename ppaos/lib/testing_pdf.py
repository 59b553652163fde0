"""Reading the PDFs the tests render (WeasyPrint): the raw objects, every Flate stream inflated.

WeasyPrint packs most objects (font dictionaries included) into compressed object streams,
so a test looking for a font or a drawing operator reads the inflated streams."""

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", flags=re.S)


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF followed by each of its Flate streams, inflated (`pdf_streams`)."""
    return b"\n".join([pdf, *pdf_streams(pdf)])


def pdf_streams(pdf: bytes) -> list[bytes]:
    """The PDF's Flate streams, inflated (streams that are not Flate are left out).

    A stream's data runs from the end-of-line after `stream` to `endstream`, with an optional
    end-of-line before `endstream` that cannot be told from the data: compressed data may end
    in a carriage return or a newline of its own. So the bytes up to `endstream` are inflated
    whole and what follows the end of the deflate stream is ignored (`unused_data`), rather
    than guessing where the data ends."""
    streams = []
    for match in _STREAM.finditer(pdf):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1))
        except zlib.error:
            continue
        if inflater.eof:
            streams.append(inflated)
    return streams
