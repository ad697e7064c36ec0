"""PDFs: a guide rendered from the same template as its page, and tiny generated sample forms."""

from pathlib import Path

from django.template.loader import render_to_string

CSS_PATH = Path(__file__).resolve().parent / "static" / "services" / "services.css"


def guide_pdf_bytes(item, request=None):
    """The guide as an A4 PDF (WeasyPrint), from the page's own content block and print CSS.

    Chinese text needs a CJK font on the host (fonts-noto-cjk or fonts-wqy-microhei).
    """
    import weasyprint

    html = render_to_string("services/guide_pdf.html", {
        "item": item, "css": CSS_PATH.read_text(encoding="utf-8"), "pdf": True,
    }, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()


def _utf16_hex(text):
    return text.encode("utf-16-be").hex().upper()


def simple_pdf(title, lines):
    """A small valid one-page A4 PDF with Chinese text (Adobe's built-in STSong-Light font).

    Used for demo forms, instructions and samples: no binary files in the repository and no
    font embedded, so each file is about 1.5 KB.
    """
    ops = ["BT", "/F1 18 Tf", "72 770 Td", f"<{_utf16_hex(title)}> Tj", "/F1 11 Tf", "0 -34 Td"]
    for line in lines:
        ops.append(f"<{_utf16_hex(line)}> Tj")
        ops.append("0 -20 Td")
    ops.append("ET")
    # A simple rule under the title, as on a printed form.
    ops.append("72 758 m 523 758 l S")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
