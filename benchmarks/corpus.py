"""Static vocabulary for the generated aggregator site.

Everything here is plain data built once at import time: outlet tables, sentence fragments,
month names and the per-language interface strings of the page chrome. Nothing is random here;
:mod:`benchmarks.textgen` draws from these tables with seeded ``random.Random`` instances.
"""

from __future__ import annotations

from typing import NamedTuple


class Outlet(NamedTuple):
    """A news outlet whose articles the aggregator republishes."""

    slug: str
    name: str
    domain: str
    weight: int


class UiStrings(NamedTuple):
    """Interface strings of the page chrome for one language."""

    html_lang: str
    direction: str
    ticker_label: str
    published: str  # format string with {outlet} and {date}
    source_link: str
    related: str
    share: str
    home: str
    listing_title: str
    page_label: str
    report_button: str
    most_read: str


OUTLETS: dict[str, tuple[Outlet, ...]] = {
    "ar": (
        Outlet("hespress", "هسبريس", "www.hespress.com", 9),
        Outlet("alyaoum24", "اليوم 24", "alyaoum24.com", 7),
        Outlet("hibapress", "هبة بريس", "ar.hibapress.com", 6),
        Outlet("almassae", "المساء", "almassae.press.ma", 4),
        Outlet("assabah", "الصباح", "assabah.ma", 4),
        Outlet("alakhbar", "الأخبار", "alakhbar.press.ma", 4),
        Outlet("febrayer", "فبراير", "febrayer.com", 3),
        Outlet("goud", "گود", "www.goud.ma", 3),
        Outlet("alayam24", "الأيام 24", "www.alayam24.com", 3),
        Outlet("barlamane", "برلمان.كوم", "www.barlamane.com", 2),
        Outlet("almaghribia", "الصحراء المغربية", "almaghribia.ma", 2),
        Outlet("alalam", "العلم", "alalam.ma", 1),
    ),
    "fr": (
        Outlet("lopinion", "L'opinion", "www.lopinion.ma", 8),
        Outlet("lematin", "Le Matin", "lematin.ma", 8),
        Outlet("aujourdhui", "Aujourd'hui le Maroc", "aujourdhui.ma", 6),
        Outlet("leseco", "L'Economiste", "www.leconomiste.com", 5),
        Outlet("lavieeco", "La Vie éco", "www.lavieeco.com", 4),
        Outlet("medias24", "Médias 24", "medias24.com", 4),
        Outlet("le360", "Le360", "fr.le360.ma", 4),
        Outlet("hespressfr", "Hespress FR", "fr.hespress.com", 3),
        Outlet("libe", "Libération", "www.libe.ma", 2),
        Outlet("mapexpress", "MAP Express", "www.mapexpress.ma", 2),
        Outlet("challenge", "Challenge", "www.challenge.ma", 2),
        Outlet("telquel", "TelQuel", "telquel.ma", 2),
    ),
    "es": (
        Outlet("europapress", "Europa Press", "www.europapress.es", 8),
        Outlet("elpais", "El País", "elpais.com", 6),
        Outlet("elmundo", "El Mundo", "www.elmundo.es", 5),
        Outlet("abc", "ABC", "www.abc.es", 4),
        Outlet("lavanguardia", "La Vanguardia", "www.lavanguardia.com", 4),
        Outlet("elconfidencial", "El Confidencial", "www.elconfidencial.com", 3),
        Outlet("efe", "Agencia EFE", "efe.com", 4),
        Outlet("larazon", "La Razón", "www.larazon.es", 3),
        Outlet("elfarodeceuta", "El Faro de Ceuta", "elfarodeceuta.es", 3),
        Outlet("elfarodemelilla", "El Faro de Melilla", "elfarodemelilla.es", 3),
        Outlet("atalayar", "Atalayar", "www.atalayar.com", 2),
        Outlet("20minutos", "20 minutos", "www.20minutos.es", 2),
    ),
}

UI: dict[str, UiStrings] = {
    "ar": UiStrings(
        html_lang="ar",
        direction="rtl",
        ticker_label="آخر الأخبار",
        published="نشر في {outlet} يوم {date}",
        source_link="اضغط هنا للاطلاع على تفاصيل الخبر من مصدره",
        related="مواضيع ذات صلة",
        share="شارك",
        home="الرئيسية",
        listing_title="مغرس : أخبار المغرب",
        page_label="صفحة",
        report_button="الإبلاغ عن هذه الصورة",
        most_read="الأكثر قراءة",
    ),
    "fr": UiStrings(
        html_lang="fr",
        direction="ltr",
        ticker_label="À la une",
        published="Publié dans {outlet} le {date}",
        source_link="Cliquez ici pour lire l'article depuis sa source.",
        related="Articles similaires",
        share="Partager",
        home="Accueil",
        listing_title="Maghress : Actualités du Maroc",
        page_label="page",
        report_button="Signaler cette image",
        most_read="Les plus lus",
    ),
    "es": UiStrings(
        html_lang="es",
        direction="ltr",
        ticker_label="Última hora",
        published="Publicado en {outlet} el {date}",
        source_link="Pulse aquí para leer el artículo desde su fuente.",
        related="Artículos relacionados",
        share="Compartir",
        home="Portada",
        listing_title="Maghress : Noticias de Marruecos en español",
        page_label="página",
        report_button="Denunciar esta imagen",
        most_read="Lo más leído",
    ),
}

# The image-report widget is French on every language edition (as on the real site).
# fmt: off
REPORT_THANKS = "Merci d'avoir signalé!"
REPORT_NOTICE = (
    "Cette image sera automatiquement bloquée après qu'elle soit signalée par plusieurs personnes."
)

MONTHS: dict[str, tuple[str, ...]] = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "ar": (
        "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
        "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
    ),
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}

CITIES: dict[str, tuple[str, ...]] = {
    "fr": (
        "Casablanca", "Rabat", "Tanger", "Marrakech", "Fès", "Agadir", "Oujda", "Meknès",
        "Tétouan", "Laâyoune", "Dakhla", "Kénitra", "El Jadida", "Safi", "Nador", "Béni Mellal",
        "Essaouira", "Ouarzazate", "Errachidia", "Taza", "Settat", "Khouribga", "Larache", "Ifrane",
    ),
    "es": (
        "Casablanca", "Rabat", "Tánger", "Marrakech", "Fez", "Agadir", "Uxda", "Mequinez",
        "Tetuán", "El Aaiún", "Dajla", "Kenitra", "Ceuta", "Melilla", "Nador", "Alhucemas",
        "Algeciras", "Madrid", "Sevilla", "Málaga", "Almería", "Larache", "Arcila", "Chauen",
    ),
    "ar": (
        "الدار البيضاء", "الرباط", "طنجة", "مراكش", "فاس", "أكادير", "وجدة", "مكناس",
        "تطوان", "العيون", "الداخلة", "القنيطرة", "الجديدة", "آسفي", "الناظور", "بني ملال",
        "الصويرة", "ورزازات", "الرشيدية", "تازة", "سطات", "خريبكة", "العرائش", "إفران",
    ),
}

COMPANIES: dict[str, tuple[str, ...]] = {
    "fr": (
        "OCP", "Maroc Telecom", "Attijariwafa bank", "Royal Air Maroc", "Marsa Maroc",
        "Renault", "Stellantis", "Label'Vie", "Managem", "Akdital", "Lydec", "Inwi",
    ),
    "es": (
        "OCP", "Maroc Telecom", "Attijariwafa bank", "Royal Air Maroc", "Marsa Maroc",
        "Renault", "Stellantis", "Iberdrola", "Inditex", "Acciona", "Naviera Armas", "Baleària",
    ),
    "ar": (
        "المكتب الشريف للفوسفاط", "اتصالات المغرب", "التجاري وفا بنك", "الخطوط الملكية المغربية",
        "مرسى المغرب", "رونو", "ستيلانتيس", "لابيلفي", "مناجم", "أكديتال", "ليدك", "إنوي",
    ),
}

SUBJECTS: dict[str, tuple[str, ...]] = {
    "fr": (
        "Le gouvernement", "Le ministère de l'Économie et des Finances",
        "Le ministère de la Santé et de la Protection sociale", "Bank Al-Maghrib",
        "Le Haut-Commissariat au Plan", "La Direction générale de la sûreté nationale",
        "Le conseil communal de {city}", "Les autorités locales de {city}",
        "Le conseil régional", "L'Office national des chemins de fer",
        "La Fédération royale marocaine de football", "Le Chef du gouvernement",
        "Les professionnels du tourisme", "Plusieurs associations de la société civile",
        "Le syndicat national de l'enseignement", "La CGEM", "Les députés de l'opposition",
        "La Chambre des représentants", "Le wali de la région de {city}",
        "Les agriculteurs de la région de {city}", "L'Agence nationale des ports",
        "Le groupe {company}", "Le tribunal de première instance de {city}",
        "Le ministre de l'Équipement et de l'Eau", "Les habitants de {city}",
        "L'Observatoire national du développement humain", "La Bourse de Casablanca",
        "Les opérateurs du secteur automobile", "L'Agence marocaine de l'efficacité énergétique",
        "Le Conseil économique, social et environnemental",
    ),
    "es": (
        "El Gobierno marroquí", "El Ministerio de Economía y Finanzas",
        "El Ministerio de Sanidad", "Bank Al-Maghrib", "El Alto Comisionado del Plan",
        "La Dirección General de la Seguridad Nacional", "El Ayuntamiento de {city}",
        "Las autoridades locales de {city}", "El consejo regional",
        "La Oficina Nacional de Ferrocarriles", "La Federación Marroquí de Fútbol",
        "El jefe del Gobierno", "Los empresarios del sector turístico",
        "Varias asociaciones de la sociedad civil", "Los sindicatos de la enseñanza",
        "La patronal marroquí", "Los diputados de la oposición", "La Cámara de Representantes",
        "El delegado del Gobierno en {city}", "Los agricultores de la región de {city}",
        "La Autoridad Portuaria", "El grupo {company}", "Un tribunal de {city}",
        "El ministro de Equipamiento y Agua", "Los vecinos de {city}", "La Guardia Civil",
        "El Ejecutivo español", "La Comisión Europea", "La Bolsa de Casablanca",
        "El Consejo Económico, Social y Medioambiental",
    ),
    "ar": (
        "الحكومة", "وزارة الاقتصاد والمالية", "وزارة الصحة والحماية الاجتماعية", "بنك المغرب",
        "المندوبية السامية للتخطيط", "المديرية العامة للأمن الوطني",
        "المجلس الجماعي لمدينة {city}", "السلطات المحلية بمدينة {city}", "مجلس الجهة",
        "المكتب الوطني للسكك الحديدية", "الجامعة الملكية المغربية لكرة القدم", "رئاسة الحكومة",
        "جمعية مهنيي قطاع السياحة", "عدد من جمعيات المجتمع المدني", "النقابة الوطنية للتعليم",
        "الاتحاد العام لمقاولات المغرب", "فرق المعارضة بمجلس النواب", "لجنة المالية بمجلس النواب",
        "ولاية جهة {city}", "تعاونيات الفلاحين بمنطقة {city}", "الوكالة الوطنية للموانئ",
        "مجموعة {company}", "المحكمة الابتدائية بمدينة {city}", "وزارة التجهيز والماء",
        "ساكنة مدينة {city}", "المرصد الوطني للتنمية البشرية", "بورصة الدار البيضاء",
        "الوكالة المغربية للنجاعة الطاقية", "المجلس الاقتصادي والاجتماعي والبيئي",
        "جماعة {city}",
    ),
}

# fr/es: "singular|plural" (a bare "a X"/"ha X" gets "ont X"/"han X" as plural).
# ar: "verb|words placed after the subject" (verb-subject-object order).
VERBS: dict[str, tuple[str, ...]] = {
    "fr": (
        "a annoncé", "a lancé", "a présenté", "a dévoilé", "a signé", "a inauguré", "a validé",
        "a examiné", "prévoit|prévoient", "prépare|préparent", "a confirmé", "a salué",
        "a critiqué", "a adopté", "souhaite accélérer|souhaitent accélérer",
        "compte renforcer|comptent renforcer", "a mis en place", "a approuvé", "a finalisé",
        "a reporté", "s'apprête à lancer|s'apprêtent à lancer", "étudie|étudient",
        "appelle à revoir|appellent à revoir", "a relancé",
    ),
    "es": (
        "ha anunciado", "ha lanzado", "ha presentado", "ha desvelado", "ha firmado",
        "ha inaugurado", "ha aprobado", "ha examinado", "prevé|prevén", "prepara|preparan",
        "ha confirmado", "ha celebrado", "ha criticado", "ha adoptado",
        "quiere acelerar|quieren acelerar", "pretende reforzar|pretenden reforzar",
        "ha puesto en marcha", "ha validado", "ha ultimado", "ha aplazado",
        "se dispone a lanzar|se disponen a lanzar", "estudia|estudian",
        "pide revisar|piden revisar", "ha relanzado",
    ),
    "ar": (
        "أعلنت|عن", "أطلقت", "قدمت", "كشفت|عن", "وقعت", "دشنت", "صادقت|على", "تدارست",
        "تعتزم|إطلاق", "تستعد|لإطلاق", "أكدت|على أهمية", "ثمنت", "انتقدت", "اعتمدت",
        "تسعى|إلى تسريع", "وضعت", "تراهن|على", "أنهت", "أجلت", "تدرس", "دعت|إلى مراجعة",
        "أعادت|إطلاق", "عرضت", "تتابع",
    ),
}

# Subjects starting with one of these words take a plural verb (fr/es) ...
PLURAL_STARTS = ("Les ", "Plusieurs ", "Los ", "Las ", "Varias ", "Varios ")
# ... and have their first letter lower-cased when they do not open the sentence.
LOWER_STARTS = ("Le ", "La ", "L'", "Les ", "Plusieurs ", "El ", "Los ", "Las ", "Un ", "Varias ")

OBJECTS: dict[str, tuple[str, ...]] = {
    "fr": (
        "un nouveau programme de développement territorial", "une convention de partenariat",
        "le projet de loi de finances", "un plan d'urgence contre la sécheresse",
        "la stratégie nationale de l'eau", "les résultats du premier semestre",
        "une enveloppe de {num} millions de dirhams",
        "un programme de formation destiné aux jeunes",
        "la réforme du système de santé", "le chantier de la protection sociale",
        "un nouveau centre hospitalier universitaire",
        "la construction de {num} logements sociaux",
        "la modernisation du réseau ferroviaire", "une campagne de sensibilisation routière",
        "le bilan de la saison touristique", "un accord de coopération avec l'Union européenne",
        "la feuille de route du secteur numérique", "l'extension du port de {city}",
        "les mesures de soutien aux petites entreprises", "le calendrier des examens régionaux",
        "un projet de dessalement de l'eau de mer", "la liste des candidats retenus",
        "un investissement de {num} millions de dollars", "le nouveau plan d'aménagement urbain",
        "la hausse des prix des carburants", "le programme de réhabilitation de la médina",
        "la nouvelle ligne de bus à haut niveau de service",
        "le recensement général de la population",
    ),
    "es": (
        "un nuevo programa de desarrollo territorial", "un convenio de colaboración",
        "el proyecto de presupuestos", "un plan de emergencia contra la sequía",
        "la estrategia nacional del agua", "los resultados del primer semestre",
        "una partida de {num} millones de dírhams", "un programa de formación para jóvenes",
        "la reforma del sistema sanitario", "la ampliación de la protección social",
        "un nuevo hospital universitario", "la construcción de {num} viviendas sociales",
        "la modernización de la red ferroviaria", "una campaña de seguridad vial",
        "el balance de la temporada turística", "un acuerdo de cooperación con la Unión Europea",
        "la hoja de ruta del sector digital", "la ampliación del puerto de {city}",
        "las ayudas a las pequeñas empresas", "la reapertura de la aduana comercial",
        "una planta desaladora de agua de mar", "la lista de candidatos seleccionados",
        "una inversión de {num} millones de euros", "el nuevo plan de ordenación urbana",
        "la subida de los precios del combustible", "el plan de rehabilitación de la medina",
        "la operación Paso del Estrecho", "el censo general de población",
    ),
    "ar": (
        "برنامجا جديدا للتنمية المجالية", "اتفاقية شراكة جديدة", "مشروع قانون المالية",
        "مخططا استعجاليا لمواجهة الجفاف", "الاستراتيجية الوطنية للماء",
        "نتائج النصف الأول من السنة", "غلافا ماليا بقيمة {num} مليون درهم",
        "برنامجا لتكوين الشباب", "إصلاح المنظومة الصحية", "ورش تعميم الحماية الاجتماعية",
        "مركزا استشفائيا جامعيا جديدا", "بناء {num} وحدة سكنية", "تحديث شبكة السكك الحديدية",
        "حملة تحسيسية للسلامة الطرقية", "حصيلة الموسم السياحي", "اتفاق تعاون مع الاتحاد الأوروبي",
        "خارطة طريق القطاع الرقمي", "توسعة ميناء {city}", "إجراءات دعم المقاولات الصغرى",
        "مواعيد الامتحانات الجهوية", "مشروعا لتحلية مياه البحر", "لائحة المرشحين المقبولين",
        "استثمارا بقيمة {num} مليون دولار", "تصميم التهيئة الحضرية الجديد",
        "ارتفاع أسعار المحروقات", "برنامج تأهيل المدينة العتيقة", "خطا جديدا للحافلات",
        "نتائج الإحصاء العام للسكان",
    ),
}

COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "fr": (
        "à {city}", "pour l'année {year}", "dans le cadre de la nouvelle feuille de route",
        "selon un communiqué officiel", "en présence de plusieurs responsables", "d'ici {year}",
        "au profit de {num} bénéficiaires", "lors d'une réunion tenue ce {weekday}",
        "malgré les critiques de l'opposition", "avec le soutien de partenaires internationaux",
        "après plusieurs mois de négociations", "afin de répondre aux attentes des citoyens",
        "dans plusieurs provinces du Royaume", "en coordination avec les autorités régionales",
        "selon des sources concordantes", "à l'issue d'un conseil d'administration",
        "pour un coût global estimé à {num} millions de dirhams",
        "sur instructions du ministère de tutelle", "au cours des prochaines semaines",
        "dans la région de {city}", "avant la fin du mois", "en marge d'un forum tenu à {city}",
    ),
    "es": (
        "en {city}", "para el año {year}", "en el marco de la nueva hoja de ruta",
        "según un comunicado oficial", "en presencia de varios responsables", "antes de {year}",
        "en beneficio de {num} personas", "durante una reunión celebrada este {weekday}",
        "pese a las críticas de la oposición", "con el apoyo de socios internacionales",
        "tras varios meses de negociaciones", "para responder a las demandas de los ciudadanos",
        "en varias provincias del país", "en coordinación con las autoridades regionales",
        "según fuentes consultadas por este diario", "al término de un consejo de administración",
        "con un coste total estimado en {num} millones de euros",
        "por instrucción del ministerio", "en las próximas semanas", "en la región de {city}",
        "antes de que acabe el mes", "al margen de un foro celebrado en {city}",
    ),
    "ar": (
        "بمدينة {city}", "برسم سنة {year}", "في إطار خارطة الطريق الجديدة", "حسب بلاغ رسمي",
        "بحضور عدد من المسؤولين", "في أفق سنة {year}", "لفائدة {num} مستفيد",
        "خلال اجتماع عقد يوم {weekday}", "رغم انتقادات المعارضة", "بدعم من شركاء دوليين",
        "بعد أشهر من المفاوضات", "من أجل الاستجابة لانتظارات المواطنين",
        "في عدد من أقاليم المملكة", "بتنسيق مع السلطات الجهوية", "وفق مصادر متطابقة",
        "عقب اجتماع لمجلس الإدارة", "بكلفة إجمالية تقدر بـ{num} مليون درهم",
        "بتعليمات من الوزارة الوصية", "خلال الأسابيع المقبلة", "بجهة {city}",
        "قبل نهاية الشهر الجاري", "على هامش منتدى احتضنته مدينة {city}",
    ),
}

SUBHEADINGS: dict[str, tuple[str, ...]] = {
    "fr": (
        "Un projet structurant", "Les chiffres clés", "Réactions", "Contexte",
        "Les prochaines étapes", "Un enjeu régional", "Financement", "Calendrier",
        "Ce qu'il faut retenir", "Des critiques", "Impact attendu", "Le point de vue des élus",
    ),
    "es": (
        "Un proyecto clave", "Las cifras", "Reacciones", "Contexto", "Próximos pasos",
        "Un reto regional", "Financiación", "Calendario", "Lo que hay que saber", "Críticas",
        "Impacto esperado", "La opinión de los cargos electos",
    ),
    "ar": (
        "مشروع مهيكل", "أرقام أساسية", "ردود فعل", "سياق", "الخطوات المقبلة", "رهان جهوي",
        "التمويل", "الجدول الزمني", "ما يجب معرفته", "انتقادات", "الأثر المرتقب",
        "موقف المنتخبين",
    ),
}

# Joiners used by the sentence templates: (comma, "and", sentence end).
PUNCT: dict[str, tuple[str, str, str]] = {
    "fr": (", ", " et ", "."),
    "es": (", ", " y ", "."),
    "ar": ("، ", " و", "."),
}
# fmt: on

SUPPORTED_LANGUAGES = tuple(OUTLETS)
