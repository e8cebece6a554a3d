"""HTML of the report: the first screen, then the technical detail in ``<details>``.

Only plain values from :mod:`._view` reach this module. The page is self-contained:
one inline stylesheet, one inline script (open every section before printing),
images as data URIs, no external resource.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from ._model import Table

CSS = """
*{box-sizing:border-box}
body{margin:0;color:#1b1b1b;background:#fff;line-height:1.5;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:62rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.3em 0}
h2{font-size:1.2rem;margin:1.6em 0 .5em;border-bottom:1px solid #ddd}
h3{font-size:1.05rem;margin:.2em 0}
.meta{color:#505050;font-size:.9rem;margin:.2em 0 .8em}
.disclaimer{background:#f3f7fb;border-left:4px solid #0072b2;padding:.5em .9em}
.headlines{list-style:none;padding:0;margin:0;display:grid;gap:.7rem}
.headline{border:1px solid #ccc;border-radius:6px;padding:.55em .9em}
.headline.primary{border:2px solid #0072b2}
.role{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:#505050;margin:0}
.sentence{font-size:1.08rem;font-weight:600;margin:.15em 0}
.rule{margin:.15em 0}
.detail{color:#404040;font-size:.9rem;margin:.15em 0}
.decision{font-size:.9rem;color:#404040}
figure{margin:1rem 0}
img{display:block;max-width:100%;height:auto}
img.forest{width:32rem} img.wide{width:100%} img.half{width:26rem}
.figures{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:flex-start}
.figures figure{margin:.5rem 0;flex:0 1 22rem;min-width:0}
.figures figure.wide{flex:1 1 34rem}
figcaption{font-size:.85rem;color:#505050}
.warn{background:#fff4e0;border-left:4px solid #e69f00;padding:.4em .9em;margin:1em 0}
.provenance dl{display:grid;grid-template-columns:minmax(7rem,16rem) minmax(0,1fr);
gap:.25em 1em;margin:.4em 0;font-size:.9rem}
.provenance dt{color:#404040}
.provenance dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;
overflow-wrap:anywhere}
details{border-top:1px solid #ddd;padding:.35em 0}
details:last-of-type{border-bottom:1px solid #ddd}
summary{cursor:pointer}
summary h3{display:inline}
.section{padding:.3em 0 .6em}
.table{max-width:100%;margin:.6em 0}
table{border-collapse:collapse;width:100%;font-size:.85rem}
caption{text-align:left;font-weight:600;padding:.2em 0}
th,td{border-bottom:1px solid #ddd;padding:.3em .45em;text-align:left;vertical-align:top;
overflow-wrap:break-word;hyphens:auto}
th{background:#f2f2f2;font-weight:600}
.note{color:#505050;font-size:.85rem}
footer{margin:2.5em 0 1em;color:#666;font-size:.8rem}
@media (max-width:40rem){
main{padding:.6rem}
.headline{padding:.45em .7em}
.sentence{font-size:1rem}
.meta{font-size:.85rem}
.provenance dl{grid-template-columns:minmax(0,1fr)}
.provenance dd{margin-bottom:.4em}
table,tbody,tr,td,caption{display:block;width:100%}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
tr{border:1px solid #ddd;border-radius:4px;margin:.5em 0;padding:.2em .5em}
td{border:0;display:grid;grid-template-columns:minmax(0,42%) minmax(0,1fr);gap:.6em;
padding:.15em 0}
td::before{content:attr(data-label);font-weight:600;color:#404040}
td:not([data-label]){display:block;font-weight:600;font-size:.95rem}
td:not([data-label])::before{content:none}
}
@media print{
@page{margin:12mm}
body{font-size:10pt}
main{max-width:none;padding:0}
.disclaimer,.headline,.warn{-webkit-print-color-adjust:exact;print-color-adjust:exact}
details{border:0}
summary{list-style:none}
summary::-webkit-details-marker{display:none}
table{font-size:8pt}
tr,img,figure,.headline{break-inside:avoid}
h2,h3,caption{break-after:avoid}
img.wide{width:100%}
}
@media print{details::details-content{content-visibility:visible;display:contents}}
"""

#: opens every section before printing, so that the printout holds all of the report
SCRIPT = ("addEventListener('beforeprint',function(){"
          "document.querySelectorAll('details').forEach(function(d){d.open=true})})")


def table(t: Table) -> str:
    """A table with a ``data-label`` on every cell (the phone layout shows it).

    With ``row_heads``, the first cell of a row has no label: on a phone it is the
    title of the row's card.
    """
    head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in t.columns)
    def cell(i: int, column: str, value: str) -> str:
        if i == 0 and t.row_heads:  # names the row: the card's title on a phone
            return f"<td>{escape(value)}</td>"
        return f"<td data-label='{escape(column, quote=True)}'>{escape(value)}</td>"

    body = "".join(
        "<tr>" + "".join(cell(i, c, v) for i, (c, v) in enumerate(zip(t.columns, row,
                                                                        strict=True)))
        + "</tr>" for row in t.rows)
    note = f"<p class='note'>{escape(t.note)}</p>" if t.note else ""
    return (f"<div class='table'><table><caption>{escape(t.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}</div>")


def details(ident: str, heading: str, parts: Iterable[str]) -> str:
    """A collapsible section whose summary is a real heading."""
    return (f"<details id='{ident}'><summary><h3>{escape(heading)}</h3></summary>"
            f"<div class='section'>{''.join(parts)}</div></details>")


def page(title: str, body: Iterable[str]) -> str:
    """The whole document."""
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{CSS}</style>"
            f"<script>{SCRIPT}</script></head><body><main>"
            + "\n".join(body) + "</main></body></html>")
