from catalog.search import analysis


def test_words_are_folded_stemmed_and_stop_words_dropped():
    assert analysis.words("Children's Café, NO-2") == ["childrens", "cafe", "no", "2"]
    assert analysis.terms("The Lanterns for a Christmas Tree") == ["lantern", "christma", "tree"]
    assert analysis.normalise("  Xmas   MUGS! ") == "xmas mugs"


def test_a_query_becomes_groups_with_synonyms_longest_phrase_first():
    synonyms = analysis.synonyms_build(["hottie, hot water bottle", "xmas, christmas"])
    query = analysis.query_parse("xmas hot water bottles", synonyms=synonyms)
    assert [g.typed for g in query.groups] == ["xmas", "hot water bottles"]
    assert [a.text for a in query.groups[1].alternatives] == ["hot water bottles", "hottie"]
    # the word being typed is not expanded as a whole word
    typed = analysis.query_parse("xmas", synonyms=synonyms, prefix=True)
    assert [a.text for a in typed.groups[0].alternatives] == ["xmas"]


def test_edit_distance_counts_a_swap_of_neighbours_as_one():
    assert analysis.edit_distance("lantren", "lantern") == 1
    assert analysis.edit_distance("clok", "clock") == 1
    assert analysis.edit_distance("mug", "bag") == 2


def test_the_likeliest_correction_is_the_closest_then_the_most_alike():
    candidates = [("cook", "cook", 50), ("clock", "clock", 10), ("lock", "lock", 99)]
    assert analysis.best_correction("clok", candidates) == ("clock", "clock")
    assert analysis.best_correction("ab", candidates) is None  # too short to guess at


def test_trigram_similarity_is_pg_trgms():
    # SELECT similarity('lantren', 'lantern') = 0.33333334 in PostgreSQL
    assert round(analysis.trigram_similarity("lantren", "lantern"), 4) == 0.3333


def test_highlighting_escapes_the_text_and_marks_matching_words():
    marked = analysis.highlight("Tom & Jerry's <Lanterns>", {"lantern"}, prefixes=["jer"])
    assert marked == "Tom &amp; <mark>Jerry</mark>&#x27;s &lt;<mark>Lanterns</mark>&gt;"
