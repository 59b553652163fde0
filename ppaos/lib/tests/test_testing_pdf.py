import hashlib
import re
import zlib

from ppaos.lib.testing_pdf import pdf_objects, pdf_streams


def _pdf_with_stream(data: bytes) -> bytes:
    return b"%%PDF-1.7\n1 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (
        len(data),
        data,
    )


def _compressed_ending_in(last: bytes) -> tuple[bytes, bytes]:
    """A payload whose deflate stream ends in `last` (found by trying numbered payloads)."""
    for n in range(100_000):
        plain = b"/BaseFont /ABCDEF+Sarabun " + hashlib.sha256(b"%d" % n).hexdigest().encode()
        packed = zlib.compress(plain)
        if packed.endswith(last):
            return plain, packed
    raise AssertionError("no payload found")


def test_streams_are_inflated_whatever_byte_their_data_ends_in():
    """Data ending in a carriage return lost it to the end-of-line a regex took before
    `endstream`, and with it the font dictionary (a flaky PDF test)."""
    for last in (b"\r", b"\n", b"x"):
        plain, packed = _compressed_ending_in(last)
        objects = pdf_objects(_pdf_with_stream(packed))
        assert plain in objects, last
        assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Sarabun", objects)


def test_a_stream_that_is_not_flate_is_left_out():
    pdf = _pdf_with_stream(b"not deflate data")
    assert pdf_streams(pdf) == []
    assert pdf_objects(pdf).count(b"not deflate data") == 1  # only in the PDF itself
