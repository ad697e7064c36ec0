"""StreamField blocks shared by every content type of the library (正文组件)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock


class AttachmentBlock(blocks.StructBlock):
    """附件: a document with the title shown to readers."""

    document = DocumentChooserBlock(label=_("文件"))
    title = blocks.CharBlock(label=_("显示名称"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("附件")
        template = "blocks/attachment_block.html"


class BodyBlock(blocks.StreamBlock):
    """正文: paragraphs, images with alt text, tables and attachments."""

    paragraph = blocks.RichTextBlock(
        label=_("段落"),
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        template="blocks/paragraph_block.html",
    )
    image = ImageBlock(label=_("图片"))
    table = TableBlock(label=_("表格"), template="blocks/table_block.html")
    attachment = AttachmentBlock()
