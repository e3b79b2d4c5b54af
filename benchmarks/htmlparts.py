"""Page chrome of the generated site: head, header, ticker, footer, padding scripts.

The large constant pieces (CSS, JavaScript, footers) are built once at import time or cached
per language, so rendering a page is mostly string joins.
"""

from __future__ import annotations

import bisect
import random
from functools import lru_cache
from html import escape
from urllib.parse import quote

from benchmarks.corpus import OUTLETS, REPORT_NOTICE, REPORT_THANKS, UI
from benchmarks.urls import listing_root

SITE_NAME = "Maghress"
PUBLIC_ORIGIN = "https://www.maghress.com"
NBSP_RUN = "&nbsp;" * 8

STATIC_PAGES: dict[str, str] = {
    "contact": "Contact",
    "about": "Qui sommes-nous ?",
    "privacy": "Politique de confidentialité",
    "terms": "Conditions d'utilisation",
}

_LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "es": "Español"}


def _build_css() -> str:
    """A realistic, minified-looking stylesheet (~15 KB)."""
    rules = [
        "*{box-sizing:border-box}body{margin:0;font-family:Arial,Helvetica,sans-serif;"
        "font-size:15px;color:#222;background:#f4f4f4}a{color:#0b4f8a;text-decoration:none}"
        "a:hover{text-decoration:underline}.container{max-width:1170px;margin:0 auto;"
        "padding:0 15px}.row{display:flex;flex-wrap:wrap;margin:0 -15px}",
        ".site-header{background:#fff;border-bottom:3px solid #c8102e}.logo img{height:54px}"
        ".main-nav a{display:inline-block;padding:12px 14px;font-weight:700;color:#333}",
        ".ticker{background:#1d1d1d;color:#fff;overflow:hidden;white-space:nowrap;height:38px}"
        ".ticker-label{background:#c8102e;padding:9px 14px;float:left;font-weight:700}"
        ".marquee{display:inline-block;padding:9px 0;animation:scroll 240s linear infinite}"
        ".marquee a{color:#fff}@keyframes scroll{from{transform:translateX(0)}"
        "to{transform:translateX(-100%)}}",
        ".post-title{font-size:28px;line-height:1.3;margin:18px 0 8px}.post-meta{color:#777;"
        "font-size:13px;margin-bottom:14px}.post-content p{line-height:1.8;margin:0 0 16px}"
        ".post-content h2{font-size:20px;margin:22px 0 10px}.source-link{margin:20px 0;"
        "padding:12px;background:#fff6e5;border:1px dashed #e0a800}",
        ".report-image{position:relative;font-size:12px}.report-msg{display:none;"
        "background:#fff;border:1px solid #ddd;padding:8px;position:absolute;z-index:9}",
        ".related ul{list-style:none;padding:0}.related li{padding:8px 0;border-bottom:1px "
        "solid #eee}.rel-date,.rel-src{color:#888;font-size:12px;margin:0 6px}",
        ".news-item{background:#fff;padding:12px 14px;margin-bottom:10px;border-radius:3px}"
        ".news-title{font-size:17px;margin:0 0 6px}.news-meta{font-size:12px;color:#888}"
        ".pagination{text-align:center;margin:24px 0}.nav-btn{display:inline-block;"
        "padding:8px 18px;background:#c8102e;color:#fff;font-size:22px;margin:0 6px}",
        ".share-bar a{display:inline-block;padding:6px 12px;margin:0 4px 4px 0;color:#fff;"
        "border-radius:3px}.share-fb{background:#3b5998}.share-tw{background:#111}"
        ".share-wa{background:#25d366}.site-footer{background:#222;color:#bbb;padding:30px 0;"
        "margin-top:30px;font-size:13px}.site-footer a{color:#ddd;margin:0 8px 6px 0;"
        "display:inline-block}",
        "[dir=rtl] .ticker-label{float:right}[dir=rtl] .post-content{text-align:right}",
    ]
    for i in range(0, 61):
        px = i * 2
        rules.append(
            f".mt-{i}{{margin-top:{px}px}}.mb-{i}{{margin-bottom:{px}px}}"
            f".pt-{i}{{padding-top:{px}px}}.pb-{i}{{padding-bottom:{px}px}}"
        )
    for bp, width in (("sm", 576), ("md", 768), ("lg", 992), ("xl", 1200)):
        cols = "".join(
            f".col-{bp}-{n}{{flex:0 0 {n / 12 * 100:.4f}%;max-width:{n / 12 * 100:.4f}%}}"
            for n in range(1, 13)
        )
        rules.append(f"@media (min-width:{width}px){{{cols}}}")
    return "".join(rules)


def _build_js() -> str:
    """Inline head scripts: analytics bootstrap, site config and UI helpers (~6 KB)."""
    helpers = "".join(
        f"function _m{i}(e,t){{var n=document.querySelectorAll(e);for(var r=0;r<n.length;"
        f"r++){{n[r].addEventListener('{ev}',t,!1)}}return n.length}}"
        for i, ev in enumerate(("click", "mouseover", "focus", "touchstart") * 8)
    )
    return (
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
        "arguments)}gtag('js',new Date());gtag('config','G-MGHRSS0042',{anonymize_ip:!0});"
        '</script>\n<script async src="https://www.googletagmanager.com/gtag/js?id='
        'G-MGHRSS0042"></script>\n<script async src="https://pagead2.googlesyndication.com/'
        'pagead/js/adsbygoogle.js?client=ca-pub-0000000000000000" crossorigin="anonymous">'
        "</script>\n<script>var MAGHRESS={version:'4.12.7',cdn:'https://cdn.maghress.com',"
        "lazy:!0,ticker:{speed:240,pauseOnHover:!0},report:{endpoint:'/ajax/report-image',"
        f"threshold:5}}}};{helpers}"
        "document.addEventListener('DOMContentLoaded',function(){_m0('.report-btn',function(e)"
        "{e.preventDefault();var t=this.parentNode.querySelector('.report-msg');"
        "t.style.display='block'})});</script>\n"
    )


CSS = _build_css()
HEAD_JS = _build_js()


def _build_padding_pool() -> tuple[list[str], list[int]]:
    """Pre-rendered ad-slot JSON entries and their cumulative lengths (for size padding)."""
    rng = random.Random(0xAD5)
    sections = ("news", "politique", "economie", "sport", "societe", "culture", "monde")
    positions = ("atf", "btf", "sidebar", "inread", "sticky", "interstitial")
    sizes = ("[300,250]", "[336,280]", "[728,90]", "[970,250]", "[320,100]", "[300,600]")
    entries = []
    for k in range(1500):
        sec, pos = rng.choice(sections), rng.choice(positions)
        size_list = ",".join(rng.sample(sizes, rng.randint(1, 4)))
        entries.append(
            f'{{"id":"div-gpt-ad-{rng.randrange(10**12):012d}-{k}","unit":"/218099576/maghress/'
            f'{sec}/{pos}","sizes":[{size_list}],"targeting":{{"pos":"{pos}","sect":"{sec}",'
            f'"ctx":"{rng.getrandbits(64):016x}"}},"refresh":{rng.choice((0, 30, 45, 60))},'
            f'"lazy":{"true" if rng.random() < 0.7 else "false"}}}'
        )
    cumulative = []
    total = 0
    for entry in entries:
        total += len(entry) + 1
        cumulative.append(total)
    return entries, cumulative


_PAD_ENTRIES, _PAD_CUMULATIVE = _build_padding_pool()


def padding_script(rng: random.Random, n_bytes: int) -> str:
    """A ``<script>`` of roughly ``n_bytes`` ASCII bytes (empty when ``n_bytes`` is small)."""
    if n_bytes < 400:
        return ""
    prefix, suffix = "<script>window.__AD_SLOTS__=[", "];</script>\n"
    need = n_bytes - len(prefix) - len(suffix)
    start = rng.randrange(len(_PAD_ENTRIES))
    chunks: list[str] = []
    while need > 0:
        base = _PAD_CUMULATIVE[start - 1] if start else 0
        end = bisect.bisect_left(_PAD_CUMULATIVE, base + need, lo=start)
        end = min(end + 1, len(_PAD_ENTRIES))
        chunks.extend(_PAD_ENTRIES[start:end])
        need -= _PAD_CUMULATIVE[end - 1] - base
        start = 0  # wrap around for (unusually) large paddings
    return prefix + ",".join(chunks) + suffix


def head(lang: str, title: str, extra: str = "") -> str:
    """``<!DOCTYPE>`` through ``<body>``; ``title`` is the full, unescaped ``<title>``."""
    ui = UI[lang]
    return (
        f'<!DOCTYPE html>\n<html lang="{ui.html_lang}" dir="{ui.direction}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title, quote=False)}</title>\n{extra}"
        '<link rel="icon" href="/favicon.ico">\n'
        '<link rel="stylesheet" href="https://cdn.maghress.com/css/bootstrap.min.css?v=4.6">\n'
        f'<style>{CSS}</style>\n{HEAD_JS}</head>\n<body class="lang-{lang}">\n'
        '<div id="fb-root"></div>\n'
    )


@lru_cache(maxsize=32)
def header(lang: str, languages: tuple[str, ...]) -> str:
    """Site header: logo, language switch and social links."""
    ui = UI[lang]
    langs = "".join(
        f'<a href="{listing_root(code)}" hreflang="{code}">{_LANGUAGE_NAMES[code]}</a>'
        for code in languages
    )
    return (
        '<header class="site-header"><div class="container">'
        f'<a class="logo" href="{listing_root(lang)}"><img src="https://cdn.maghress.com/img/'
        f'logo-maghress.png" alt="{SITE_NAME}" width="220" height="54"></a>\n'
        f'<nav class="main-nav"><a href="{listing_root(lang)}">{ui.home}</a>{langs}'
        '<a href="javascript:void(0)" class="search-toggle">&#128269;</a></nav>\n'
        '<div class="social"><a href="https://www.facebook.com/maghress" rel="nofollow">'
        'Facebook</a><a href="https://twitter.com/maghress" rel="nofollow">Twitter</a></div>'
        "</div></header>\n"
    )


def ticker(lang: str, links: list[tuple[str, str]]) -> str:
    """The scrolling headline bar; ``links`` are ``(path, unescaped title)`` pairs."""
    items = NBSP_RUN.join(f'<a href="{path}">{escape(title)}</a>' for path, title in links)
    return (
        f'<div class="ticker"><span class="ticker-label">{UI[lang].ticker_label}</span>'
        f'<div class="marquee" id="ticker">{NBSP_RUN}{items}{NBSP_RUN}</div></div>\n'
    )


def report_widget(num: int, lang: str) -> str:
    """The "report this image" widget (its messages are French on every edition)."""
    return (
        f'<div class="report-image"><a href="#" class="report-btn" data-id="{num}">'
        f"{UI[lang].report_button}</a>"
        f'<div class="report-msg"><p>{escape(REPORT_THANKS, quote=False)}</p>'
        f"<p>{escape(REPORT_NOTICE, quote=False)}</p></div></div>\n"
    )


def share_bar(path: str, title: str, lang: str) -> str:
    """Social share buttons (external links carrying the public URL)."""
    url = quote(PUBLIC_ORIGIN + path, safe="")
    text = quote(title, safe="")
    return (
        f'<div class="share-bar"><span>{UI[lang].share}</span>'
        f'<a class="share-fb" href="https://www.facebook.com/sharer.php?u={url}" '
        'rel="nofollow" target="_blank">Facebook</a>'
        f'<a class="share-tw" href="https://twitter.com/intent/tweet?url={url}&amp;text={text}" '
        'rel="nofollow" target="_blank">Twitter</a>'
        f'<a class="share-wa" href="https://api.whatsapp.com/send?text={url}" '
        'rel="nofollow" target="_blank">WhatsApp</a></div>\n'
    )


@lru_cache(maxsize=32)
def footer(lang: str, languages: tuple[str, ...]) -> str:
    """Footer with outlet directory, language editions, static pages and tail scripts."""
    outlet_links = "".join(
        f'<a href="https://{o.domain}/" rel="nofollow" target="_blank">{escape(o.name)}</a>'
        for code in languages
        for o in OUTLETS[code]
    )
    editions = "".join(
        f'<a href="{listing_root(code)}">{SITE_NAME} {_LANGUAGE_NAMES[code]}</a>'
        for code in languages
    )
    pages = "".join(
        f'<a href="/p/{name}">{escape(label)}</a>' for name, label in STATIC_PAGES.items()
    )
    return (
        '<footer class="site-footer"><div class="container">\n'
        f'<div class="footer-sources"><h4>Sources</h4>{outlet_links}</div>\n'
        f'<div class="footer-editions">{editions}</div>\n'
        f'<div class="footer-pages">{pages}</div>\n'
        f'<p class="copyright">&copy; 2008-2026 {SITE_NAME}. {UI[lang].listing_title}</p>\n'
        "</div></footer>\n"
        '<script src="https://cdn.maghress.com/js/jquery.min.js"></script>\n'
        '<script src="https://cdn.maghress.com/js/main.min.js?v=4.12.7" defer></script>\n'
    )


def tail() -> str:
    """Closing tags of every page."""
    return "</body>\n</html>\n"
