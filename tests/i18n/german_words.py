"""The shop's own German words, to find what a page or an e-mail still says in German when the
reader chose English."""

import re
from html import unescape

# Words of the shop's own German text that English never uses. Content written by the editors
# (titles, teasers, lessons) is German by nature; the tests that look for these words give their
# content neutral names, so whatever German is left came from a template or the code.
GERMAN_WORDS = [
    "Sie", "Ihr", "Ihre", "Ihren", "und", "oder", "mit", "für", "nicht", "inkl", "MwSt",
    "Bestellung", "Bibliothek", "herunterladen", "Angebot", "kaufen", "Lektion", "Lektionen",
    "Aufgabe", "Aufgaben", "erledigt", "Zertifikat", "Anmeldelink", "Zahlung", "Wunsch", "Preise",
    "Meine", "Kurs", "Textreihe", "Artikel", "Zurück", "Sprache", "Redaktion", "abschließen",
    "Fortschritt", "Übersicht", "Speichern", "Anmelden", "E-Mail-Adresse", "Guten", "Tag",
    "Rabattcode", "kündigen", "Kündigung", "Abo", "Vertrag", "Monat",
]  # fmt: skip
_WORDS = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, GERMAN_WORDS)) + r")(?![\w-])")


def visible_text(html: str) -> str:
    """What a reader sees or hears: text, button labels and aria-labels, without the markup."""
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', html))
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html)) + " " + labels


def german_words_in(text: str) -> list[str]:
    return sorted(set(_WORDS.findall(text)))
