"""Folding, word boundaries, prefixes and their bounds."""

from __future__ import annotations

import pytest

from search.tokens import MAX_PREFIX, MAX_WORDS, fold, matches, prefixes, query_words, terms, words


def test_diacritics_and_case_fold_away():
    assert fold("Café ÉTÉ Straße") == "cafe ete strasse"
    assert words("Crème brûlée", "naïve.JPG") == ["creme", "brulee", "naive", "jpg"]


def test_words_split_at_unicode_boundaries_and_underscores():
    assert words("IMG_2041.jpg", "Ôsaka-jō: 大阪城 (1583)") == ["img", "2041", "jpg", "osaka", "jo", "大阪城", "1583"]


def test_vowel_signs_stay_inside_their_word():
    # Devanagari, Bengali and Tamil write vowels as marks; a word does not end at one.
    assert words("हिन्दी फ़िल्म", "বাংলা গান", "தமிழ்நாடு") == ["हिनदी", "फिलम", "বাংলা", "গান", "தமிழநாடு"]
    assert query_words("বাংলা") == ["বাংলা"]


def test_prefixes_start_at_two_characters_and_stop_at_the_bound():
    assert prefixes("harbour") == ["ha", "har", "harb", "harbo", "harbou", "harbour"]
    assert prefixes("a") == []
    assert prefixes("internationalisation")[-1] == "internatio"
    assert len(prefixes("x" * 24)) == MAX_PREFIX - 1


def test_an_item_has_at_most_its_bound_of_words_and_terms():
    caption = " ".join(f"word{n:03d}" for n in range(500))

    many = words("Name", "file.jpg", caption)

    assert len(many) == MAX_WORDS
    assert many[:3] == ["name", "file", "jpg"]
    assert len(terms(many)) <= MAX_WORDS * (MAX_PREFIX - 1)


def test_every_asked_word_must_begin_a_word():
    item = words("Harbour at dawn", "IMG_1.jpg", "Fog")

    assert matches(["harb", "da"], item)
    assert not matches(["harb", "dusk"], item)
    assert not matches(["arbou"], item)  # the beginning of a word, not any part


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least two"),
        ("a", "at least two"),
        ("!!! ---", "at least two"),
        ("one two three four five six seven eight nine", "at most 8 words"),
    ],
)
def test_a_search_with_nothing_to_look_up_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        query_words(text)


def test_a_search_keeps_one_letter_words_beside_a_longer_one():
    assert query_words("Day 5 day") == ["day", "5"]
