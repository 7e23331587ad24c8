"""Graphviz's SVG rebuilt from an allow-list, so that it can be inlined into an HTML page.

Graphviz does not escape every attribute it writes (URLs among them), and an SVG inlined into a page runs in
that page. So the SVG is parsed as XML (defusedxml: no entities, no external anything) and written again
element by element: only the drawing elements Graphviz uses, only presentation attributes, links only when they
are relative links into the site or fragments, and every text and value escaped anew. Everything else (scripts,
``foreignObject``, event handlers, styles, animations, ``use``, images, comments, processing instructions) is
dropped with its content.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from archrepo.errors import RenderError
from archrepo.escaping import xml_text

__all__ = ["sanitise_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_ELEMENTS = frozenset({"svg", "g", "title", "desc", "a", "path", "polygon", "polyline", "ellipse", "circle",
                       "rect", "line", "text", "tspan", "defs", "linearGradient", "radialGradient", "stop"})
_TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan"})
_ATTRIBUTES = frozenset({
    "id", "class", "transform", "viewBox", "width", "height", "preserveAspectRatio",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "points", "d", "offset",
    "fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "font-family", "font-size", "font-weight", "font-style",
    "text-anchor", "text-decoration", "target",
})
_LINK_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})
_TITLE_ATTRIBUTE = f"{{{XLINK_NS}}}title"
# A relative link archrepo made (percent-encoded path and fragment) or a fragment; nothing with a scheme or host.
_SAFE_LINK = re.compile(r"(?![/\\])[A-Za-z0-9._~/%-]*(#[A-Za-z0-9._~%-]*)?")
# Functions in presentation values: transforms and colours take numbers; url() only a fragment (a gradient).
_FUNCTION = re.compile(r"([A-Za-z-]+)\(([^()]*)\)")
_NUMBERS = re.compile(r"[0-9eE.,%\s+-]*")
_FRAGMENT = re.compile(r"\s*#[A-Za-z0-9_.-]+\s*")
_TARGETS = frozenset({"_top", "_self", "_parent", "_blank"})


def sanitise_svg(data: bytes, attributes: Mapping[str, str]) -> str:
    """The ``<svg>`` element of ``data`` rebuilt from the allow-list, with ``attributes`` added to it.
    RenderError when ``data`` is not a well-formed SVG document."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise RenderError(f"Graphviz wrote an SVG that is not well-formed XML ({error}); it is not used",
                          hint="Please report this with the model that causes it.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise RenderError("Graphviz wrote something other than an SVG document; it is not used")
    out: list[str] = []
    _write(root, out, extra=attributes)
    return "".join(out)


def _write(element: Element, out: list[str], extra: Mapping[str, str] | None = None) -> None:
    name = _local_name(element.tag)
    if name is None:
        return
    out.append(f"<{name}")
    if extra is not None:  # the root
        out.append(f' xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"')
    for key, value in element.attrib.items():
        out.append(_attribute_text(name, key, value))
    for key, value in (extra or {}).items():
        out.append(f' {key}="{_escape(value, attribute=True)}"')
    text = element.text if element.text and (name in _TEXT_ELEMENTS or not element.text.strip()) else ""
    if not text and len(element) == 0:
        out.append("/>")
        return
    out.append(">" + _escape(text))
    for child in element:
        _write(child, out)
        # text between elements only inside text elements; elsewhere only the line breaks Graphviz writes
        if child.tail and (name in _TEXT_ELEMENTS or not child.tail.strip()):
            out.append(_escape(child.tail))
    out.append(f"</{name}>")


@functools.lru_cache(maxsize=256)  # a few dozen tags
def _local_name(tag: object) -> str | None:
    """The SVG element name if it is allowed; comments and processing instructions (tag not a str) are not."""
    if not isinstance(tag, str) or not tag.startswith(f"{{{SVG_NS}}}"):
        return None
    name = tag[len(SVG_NS) + 2:]
    return name if name in _ELEMENTS else None


@functools.lru_cache(maxsize=1 << 16)  # colours, fonts, classes, widths: the same few thousand in every diagram
def _attribute_text(element: str, key: str, value: str) -> str:
    """The attribute as written into the SVG (`` name="value"``, escaped), or "" when it is not allowed."""
    written = _attribute(element, key, value)
    return "" if written is None else f' {written[0]}="{_escape(written[1], attribute=True)}"'


def _attribute(element: str, key: str, value: str) -> tuple[str, str] | None:
    """The attribute as written (name, value), or None when it is not allowed."""
    if key in _LINK_ATTRIBUTES:
        link = value.strip()
        return ("xlink:href", link) if element == "a" and _SAFE_LINK.fullmatch(link) else None
    if key == _TITLE_ATTRIBUTE:
        return ("xlink:title", value) if element == "a" else None
    if key not in _ATTRIBUTES:
        return None
    if key == "target" and value not in _TARGETS:
        return None
    if not _plain_value(value):
        return None
    return key, value


def _plain_value(value: str) -> bool:
    """No function in the value but numeric ones (``translate(4 3172)``, ``rgb(…)``) and ``url(#fragment)``."""
    for function, arguments in _FUNCTION.findall(value):
        allowed = _FRAGMENT.fullmatch(arguments) if function.lower() == "url" else _NUMBERS.fullmatch(arguments)
        if not allowed:
            return False
    rest = _FUNCTION.sub("", value)
    return not any(char in rest for char in "()\\")


@functools.lru_cache(maxsize=1 << 16)  # line breaks between elements, and names drawn in many diagrams
def _escape(text: str, *, attribute: bool = False) -> str:
    text = xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return text
