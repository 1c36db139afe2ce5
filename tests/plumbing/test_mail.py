"""plumbing.mail.quoted: what a visitor typed, as a receipt repeats it."""

from plumbing.mail import quoted


def test_links_are_made_unclickable():
    text = quoted("Siehe https://evil.example.com/a?b=1, HTTP://X.DE und www.böse.de.")
    assert text == "Siehe hxxps://evil[.]example[.]com/a?b=1, HxxP://X[.]DE und www[.]böse[.]de."


def test_plain_words_numbers_and_line_breaks_stay():
    text = "Kündigung zum 31.12.\nGrund: Umzug, 3,5 Monate vorher."
    assert quoted(text) == text


def test_at_most_a_thousand_characters_are_quoted():
    assert len(quoted("x" * 5000)) == 1000
    assert quoted("x" * 5000).endswith("…")
    assert quoted("x" * 1000) == "x" * 1000
