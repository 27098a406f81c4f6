"""Text people wrote, shown as plain text (pages call it as `ui.plain`).

Streamlit renders `st.markdown`, `st.caption`, `st.info` … as Markdown, so a cycle title
such as `![t](http://host/track.png)` would make every reader's browser fetch an image from
someone else's server, and `[here](…)` would be a link nobody approved. Every text a person
typed or imported (cycle fields, takeaways, notes, quotes, narratives, comments, catalog
text) goes through `plain` before it is placed in Markdown: it then reads exactly as typed.
"""

from __future__ import annotations

import re

# Characters Markdown (with Streamlit's LaTeX and directives) acts on wherever they stand are
# escaped with a backslash everywhere; the three HTML ones become character references (never
# a tag or an entity of theirs). A full stop, "-", "+" and "=" act only at the start of a line
# (an ordered or bulleted list, a heading underline), so they are escaped there alone and an
# ordinary sentence keeps its punctuation as typed.
_ANYWHERE = re.compile(r"([\\`*_\[\]()!#|~$^{}])")
_LINE_START = re.compile(r"(?m)^(\s*)([-+=])")
_ORDERED = re.compile(r"(?m)^(\s*\d+)([.)])")
# A bare web or e-mail address becomes a link on its own (GitHub-flavoured Markdown): its
# "://", "@" or "www." is escaped, so it stays words. Streamlit's renderer also links
# addresses in a second pass over the parsed text, after escapes are gone, wherever a scheme
# or "www" is followed by a host with a dot, or an e-mail address has one: there an
# invisible word joiner (U+2060) goes between "http"/"www"/the name and what follows, which
# that pass cannot match across; the text reads and wraps as typed.
_AUTOLINK = re.compile(r"(?i)(:(?=//)|@|(?<=\bwww)\.)")
_LINKED = re.compile(r"(?i)(?:\bhttps?(?=://[-.\w]*\.)|\bwww(?=\.)"
                     r"|[-.\w+](?=@[-\w]+(?:\.[-\w]+)+))")
JOINER = "\u2060"
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def plain(text: object) -> str:
    """`text` escaped for Markdown: no emphasis, link, image, heading, list, table, quote,
    HTML, LaTeX or colour directive is interpreted and no address becomes a link; line
    breaks are kept."""
    if text is None:
        return ""
    out = _ANYWHERE.sub(r"\\\1", _LINKED.sub(lambda m: m.group(0) + JOINER, str(text)))
    out = re.sub(r"[&<>]", lambda m: _HTML[m.group(0)], out)
    out = _ORDERED.sub(r"\1\\\2", _LINE_START.sub(r"\1\\\2", out))
    out = _AUTOLINK.sub(r"\\\1", out)
    return re.sub(r"\r?\n", "  \n", out)
