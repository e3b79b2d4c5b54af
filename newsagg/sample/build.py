"""Build the bundled offline sample: a WARC of constructed pages in the maghress template.

The French article is the real seed capture (tests/fixtures/seeds/maghress_article_capture.txt,
a copy of the visible text of one real maghress page) put back into markup; the other pages are
composed for the sample. Run from the repository root:

    .venv/bin/python -m newsagg.sample.build [path/to/seed.txt]
"""

from __future__ import annotations

import html
import io
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BASE = "https://www.maghress.com"
OUT = Path(__file__).parent / "ress-sample.warc.gz"
DEFAULT_SEED = Path("tests/fixtures/seeds/maghress_article_capture.txt")  # from the repo root
NBSP_GAP = "&nbsp;&nbsp;&nbsp;&nbsp;"

ARABIC = {
    "path": "/hespress/5123456",
    "title": "الحكومة تعلن عن برنامج جديد لدعم المقاولات الصغيرة",
    "line": "نشر في هسبريس يوم 14 - 03 - 2023",
    "source_url": "https://www.hespress.com/economie/123456.html",
    "body": [
        "أعلنت الحكومة، اليوم الثلاثاء، عن إطلاق برنامج جديد لدعم المقاولات الصغيرة والمتوسطة،"
        " يهدف إلى تسهيل ولوجها إلى التمويل وتحسين قدرتها التنافسية.",
        "تفاصيل البرنامج",
        "ويشمل البرنامج ضمانات للقروض البنكية ومنحا للاستثمار، إلى جانب مواكبة تقنية للمقاولات"
        " في مراحلها الأولى.",
        "وأكد الوزير أن البرنامج سيستفيد منه أزيد من عشرة آلاف مقاولة خلال السنة الأولى.",
    ],
    "read_at_source": "اضغط هنا للاطلاع على تفاصيل الخبر من مصدره",
}
SPANISH = {
    "path": "/es/europapress/2234567",
    "title": "Marruecos y España refuerzan su cooperación en materia de energías renovables",
    "line": "Publicado en Europa Press el 02 - 06 - 2023",
    "source_url": "https://www.europapress.es/internacional/noticia-marruecos-espana.html",
    "body": [
        "Marruecos y España firmaron este viernes en Rabat un memorando de entendimiento para"
        " reforzar su cooperación en materia de energías renovables.",
        "El acuerdo prevé proyectos conjuntos de interconexión eléctrica y de hidrógeno verde.",
        "Un calendario de trabajo",
        "Ambos gobiernos se reunirán cada seis meses para evaluar los avances de los proyectos.",
    ],
    "read_at_source": "Pulse aquí para leer el artículo desde su fuente.",
}
SECOND_FRENCH = {
    "path": "/fr/lematin/3465301",
    "title": "Bourse de Casablanca : le MASI termine la semaine en hausse",
    "line": "Publié dans Le Matin le 21 - 01 - 2022",
    "source_url": "https://lematin.ma/bourse/masi-semaine-hausse/1234.html",
    "body": [
        "La Bourse de Casablanca a terminé la semaine en hausse, son indice principal, le MASI,"
        " gagnant 1,2 % sur cinq séances.",
        "Les valeurs bancaires ont porté l'essentiel de la progression, dans un marché aux"
        " volumes en légère baisse.",
    ],
    "read_at_source": "Cliquez ici pour lire l'article depuis sa source.",
}


def seed_article(seed_path: Path) -> dict[str, object]:
    """The seed capture's title, published line and body lines."""
    lines = seed_path.read_text(encoding="utf-8").splitlines()
    ticker = lines[0]
    line_index = next(i for i, line in enumerate(lines) if line.startswith("Publié dans "))
    end = next(i for i, line in enumerate(lines) if line.startswith("Cliquez ici"))
    return {
        "path": "/fr/lopinion/3465234",
        "title": lines[line_index - 1].strip(),
        "line": lines[line_index].strip(),
        "source_url": "https://www.lopinion.ma/Crise-ukrainienne-Dernier-ballet-diplomatique_a22154.html",
        "body": [line.strip() for line in lines[line_index + 1 : end] if line.strip()],
        "read_at_source": lines[end].strip(),
        "ticker": [item.strip() for item in ticker.split("\u00a0") if item.strip()],
    }


def article_page(article: dict[str, object], ticker: list[str], lang: str) -> str:
    """An article page in the maghress legacy-spans template. A `line` or `source_url` of
    None leaves the published line or the read-at-source link out (for reject tests)."""
    body = "<br>\n".join(
        f"<b>{html.escape(p)}</b>" if len(p) < 60 and not p.endswith(".") else html.escape(p)
        for p in article["body"]  # type: ignore[union-attr]
    )
    ticker_html = NBSP_GAP.join(
        f'<a href="/fr/lopinion/{3465000 + i}">{html.escape(t)}</a>' for i, t in enumerate(ticker)
    )
    direction = "rtl" if lang == "ar" else "ltr"
    title = html.escape(str(article["title"]))
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">
<title>{title} - Maghress</title>
<meta property="og:title" content="{title}">
<script>var dataLayer = [];</script></head>
<body>
<div class="header"><a href="/"><img src="/logo.png" alt="Maghress"></a></div>
<div class="ticker">{ticker_html}</div>
<div class="report-image">Merci d'avoir signalé!<br>Cette image sera automatiquement bloquée
après qu'elle soit signalée par plusieurs personnes.</div>
<span class="articletitle">{title}</span><br>
{_published_span(article.get("line"))}
<span class="articlecontent">{body}</span><br><br>
{_source_link(article.get("source_url"), article.get("read_at_source"))}
<div class="footer"><a href="/fr/contact">Contact</a> © Maghress</div>
</body></html>"""


def _published_span(line: object) -> str:
    if not line:
        return ""
    return f'<span class="articlenewspaper">{html.escape(str(line))}</span><br><br>'


def _source_link(href: object, text: object) -> str:
    if not href:
        return ""
    return f'<a href="{href}" target="_blank">{html.escape(str(text))}</a>'


def listing_page(lang: str, links: list[tuple[str, str]], next_path: str | None) -> str:
    items = "\n".join(f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in links)
    rel_next = f'<link rel="next" href="{next_path}">' if next_path else ""
    arrow = f'<a class="nav-btn left" href="{next_path}">»</a>' if next_path else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Maghress</title>{rel_next}</head>
<body><div class="header"><a href="/">Maghress</a> <a href="/fr/search?q=maroc">Recherche</a></div>
<ul class="articles">{items}</ul>
<div class="pagination">{arrow}</div></body></html>"""


def main() -> None:
    seed_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED
    seed = seed_article(seed_path)
    ticker: list[str] = seed["ticker"]  # type: ignore[assignment]
    pages = {
        "/robots.txt": ("text/plain", "User-agent: *\nDisallow: /fr/search\n"),
        str(seed["path"]): ("text/html; charset=utf-8", article_page(seed, ticker[:12], "fr")),
        SECOND_FRENCH["path"]: (
            "text/html; charset=utf-8",
            article_page(SECOND_FRENCH, ticker[12:24], "fr"),
        ),
        ARABIC["path"]: ("text/html; charset=utf-8", article_page(ARABIC, [], "ar")),
        SPANISH["path"]: ("text/html; charset=utf-8", article_page(SPANISH, [], "es")),
        "/fr/": (
            "text/html; charset=utf-8",
            listing_page("fr", [(str(seed["path"]), str(seed["title"]))], next_path="/fr/?page=2"),
        ),
        "/fr/?page=2": (
            "text/html; charset=utf-8",
            listing_page(
                "fr",
                [
                    (SECOND_FRENCH["path"], SECOND_FRENCH["title"]),
                    # The same article again, tracking-tagged: fetched once all the same.
                    (f"{seed['path']}?utm_source=facebook#comments", str(seed["title"])),
                ],
                next_path=None,
            ),
        ),
        "/": (
            "text/html; charset=utf-8",
            listing_page("ar", [(ARABIC["path"], ARABIC["title"])], None),
        ),
        "/es/": (
            "text/html; charset=utf-8",
            listing_page("es", [(SPANISH["path"], SPANISH["title"])], None),
        ),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for path, (content_type, text) in pages.items():
            body = text.encode("utf-8")
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                BASE + path, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
    print(f"wrote {len(pages)} records to {OUT}")


if __name__ == "__main__":
    main()
