"""An exchange document (see `exchange`) read from a file one record at a time.

20,000 service items are about 70 MB of JSON and several times that as Python objects, so an
import never holds the whole document: `CatalogueFile.open()` makes one pass that checks the
envelope (`format`, an `items` array) and notes each record's code (for the duplicate check),
and every iteration reads the items again, one record at a time, from the start of the file.
"""

import codecs
import json
import re

FORMAT_NAME = "govweb-service-catalogue"
CHUNK = 1024 * 1024
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotACatalogue(ValueError):
    """Valid JSON, but not an exchange document."""


class _Reader:
    """JSON values read from a binary file a chunk at a time (UTF-8, an optional BOM)."""

    def __init__(self, handle):
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text, self.pos, self.done = "", 0, False

    def _more(self):
        """Append the next chunk to the unread text; False at the end of the file."""
        if self.done:
            return False
        data = self.handle.read(CHUNK)
        self.done = not data
        self.text = self.text[self.pos:] + self.decoder.decode(data, final=self.done)
        self.pos = 0
        return True

    def peek(self):
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._more():
                return ""

    def expect(self, allowed):
        char = self.peek()
        if not char or char not in allowed:
            raise ValueError(f"第 {self.handle.tell()} 字节附近应为 {' 或 '.join(allowed)}")
        self.pos += 1
        return char

    def value(self):
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                if self._more():  # the value goes on in the next chunk
                    continue
                raise ValueError(f"第 {self.handle.tell()} 字节附近不是有效的 JSON：{error.msg}") from None
            if end == len(self.text) and self._more():  # a number may go on, too
                continue
            self.pos = end
            return value


class CatalogueFile:
    """A seekable binary file holding an exchange document, iterated record by record."""

    def __init__(self, handle):
        self.handle = handle
        self.header = {}  # every top-level member but the items
        self.codes = []  # each record's code (stripped), None when it has none

    @classmethod
    def open(cls, handle):
        """Check the envelope and note the codes; ValueError (NotACatalogue) if it is not one."""
        catalogue = cls(handle)
        for key, value in catalogue._members():
            if key is None:
                code = value.get("code") if isinstance(value, dict) else None
                catalogue.codes.append(code.strip() if isinstance(code, str) else None)
            else:
                catalogue.header[key] = value
        if catalogue.header.get("format") != FORMAT_NAME or not catalogue._items_array:
            raise NotACatalogue(f"不是 {FORMAT_NAME} 格式（缺少 format 或 items 数组）")
        return catalogue

    def __len__(self):
        return len(self.codes)

    def __iter__(self):
        for key, value in self._members():
            if key is None:
                yield value

    def _members(self):
        """(name, value) for each top-level member, (None, record) for each item."""
        self.handle.seek(0)
        self._items_array = False
        reader = _Reader(self.handle)
        reader.expect("{")
        if reader.peek() == "}":
            reader.pos += 1
        else:
            while True:
                key = reader.value()
                if not isinstance(key, str):
                    raise ValueError("成员名应为字符串")
                reader.expect(":")
                if key == "items" and reader.peek() == "[":
                    reader.pos += 1
                    self._items_array = True
                    if reader.peek() == "]":
                        reader.pos += 1
                    else:
                        while True:
                            yield None, reader.value()
                            if reader.expect(",]") == "]":
                                break
                else:
                    yield key, reader.value()
                if reader.expect(",}") == "}":
                    break
        if reader.peek():
            raise ValueError("JSON 文档之后还有多余内容")
