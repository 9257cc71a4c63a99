"""Native, editable charts in DOCX files.

python-docx has no chart API. The chart XML (DrawingML ``c:chartSpace``) and
its embedded workbook are produced by python-pptx's chart writer (the same
XML PowerPoint and Word use), then added to the Word package as a chart part
(``/word/charts/chartN.xml``) with the workbook as an embedded package, and
placed inline in a paragraph with ``w:drawing/wp:inline/c:chart``. Word and
LibreOffice open it as a chart whose data can be edited.

Reference: ECMA-376 Part 1, §21.2 (DrawingML charts) and §20.4 (WordprocessingML drawing).
"""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Emu
from lxml import etree

_CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _next_partname(package, template: str) -> PackURI:
    existing = {str(p.partname) for p in package.iter_parts()}
    n = 1
    while template % n in existing:
        n += 1
    return PackURI(template % n)


def add_chart(paragraph, chart_type, chart_data, width_emu: int, height_emu: int, title: str = "") -> Part:
    """Add an editable chart inline at the end of ``paragraph``.

    Args:
        paragraph: a python-docx Paragraph.
        chart_type: a ``pptx.enum.chart.XL_CHART_TYPE`` member (e.g. XY_SCATTER).
        chart_data: a python-pptx chart data object (``XyChartData``, ``CategoryChartData``).
        width_emu / height_emu: size in EMU (914400 per inch).
        title: chart title (empty: none).

    Returns:
        the chart part added to the package.
    """
    from pptx.chart.xmlwriter import ChartXmlWriter

    doc_part = paragraph.part
    package = doc_part.package
    xml = ChartXmlWriter(chart_type, chart_data).xml
    chart_el = etree.fromstring(xml.encode("utf-8"))
    chart_part = Part(_next_partname(package, "/word/charts/chart%d.xml"), _CT_CHART, b"", package)
    xlsx_part = Part(_next_partname(package, "/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"), _CT_XLSX,
                     chart_data.xlsx_blob, package)
    xlsx_rid = chart_part.relate_to(xlsx_part, RT.PACKAGE)
    ext = etree.SubElement(chart_el, f"{{{_NS_C}}}externalData")
    ext.set(f"{{{_NS_R}}}id", xlsx_rid)
    etree.SubElement(ext, f"{{{_NS_C}}}autoUpdate").set("val", "0")
    if title:
        _set_title(chart_el, title)
    chart_part._blob = etree.tostring(chart_el, xml_declaration=True, encoding="UTF-8", standalone=True)
    rid = doc_part.relate_to(chart_part, RT.CHART)
    n = len(list(package.iter_parts()))
    inline = parse_xml(
        '<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:c="{_NS_C}" xmlns:r="{_NS_R}">'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{int(width_emu)}" cy="{int(height_emu)}"/>'
        f'<wp:docPr id="{n + 1000}" name="Chart {n}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{_NS_C}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic>'
        "</wp:inline></w:drawing>"
    )
    paragraph.add_run()._r.append(inline)
    return chart_part


def _set_title(chart_space, text: str) -> None:
    chart = chart_space.find(f"{{{_NS_C}}}chart")
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    title = etree.fromstring(
        f'<c:title xmlns:c="{_NS_C}" xmlns:a="{a}"><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz="1200" b="1"/></a:pPr>'
        f"<a:r><a:t></a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/></c:title>"
    )
    title.find(f".//{{{a}}}t").text = text
    chart.insert(0, title)
    auto = chart.find(f"{{{_NS_C}}}autoTitleDeleted")
    if auto is not None:
        auto.set("val", "0")


def emu(inches: float) -> int:
    """Inches to EMU (914400 EMU per inch).

    >>> emu(1.5)
    1371600
    """
    return int(Emu(int(inches * 914400)))
