"""User-entered and imported text shown as text, never as Markdown or HTML: the one helper.

Streamlit renders Markdown (links, images, `:red[…]` colours, `$…$` formulas, emphasis, raw
HTML as text) in titles, headers, captions, `st.markdown`, alerts, metric labels and values, tab
and expander labels, widget labels and help, and the options of radio buttons and segmented
controls. A name such as `[点我](https://…)` or `![i](https://…/t.png)` typed into a form or
imported from a file would become a live link or an image fetched from an outside host. So every
such value goes through `markdown` (or, inside a translated text, through `fill`), which
backslash-escapes every ASCII punctuation character — CommonMark makes any of them literal when
escaped, which also defeats GFM's bare-URL autolinks, entities (`&lt;`) and Streamlit's
directives — and puts a space for line breaks and tabs (a new line could start a heading, a list
or a code block). Plain surfaces (table cells, the options of select boxes and multiselects, text
inputs) show text as it is and take the value unescaped: escaped, it would show its backslashes.

Plotly sets chart labels and hover text from a small HTML subset (`<b>`, `<a href>`, `<br>`):
`chart` escapes `&`, `<` and `>` there.
"""

from __future__ import annotations

import html
import re
import string

from analytics.ui.language import t

_SPECIAL = frozenset(string.punctuation)  # every ASCII punctuation character may be backslash-escaped
_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\u2028\u2029\x85]")


def markdown(value: object) -> str:
    """`value` as text for an element that renders Markdown: shown exactly as written."""
    if value is None:
        return ""
    flat = _BREAKS.sub(" ", str(value))
    return "".join(f"\\{c}" if c in _SPECIAL else c for c in flat)


def fill(key: str, **values: object) -> str:
    """The text `key` in this run's language, its `values` shown as text: strings (names, ids,
    anything a user typed or a file brought) are escaped by `markdown`; numbers, dates and the
    like keep their format specs (`{change:+.1%}`) and are not text a user wrote."""
    return t(key, **{name: markdown(v) if isinstance(v, str) else v for name, v in values.items()})


def chart(value: object) -> str:
    """`value` as text for a Plotly label, tick or hover: HTML-escaped (`<b>` shows as `<b>`)."""
    return "" if value is None else html.escape(str(value), quote=False)
