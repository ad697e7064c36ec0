from govweb.search import analysis


def test_full_width_and_traditional_are_folded():
    assert analysis.normalise("ＡＢＣ１２３") == "abc123"
    assert analysis.normalise("養老保險", phrases=True) == "养老保险"
    assert analysis.normalise("社會保險") == "社会保险"


def test_domain_words_stay_whole_and_question_words_are_dropped():
    assert analysis.query_terms(analysis.clean_query("住房公积金怎么提取")) == ["住房公积金", "提取"]
    assert analysis.query_terms(analysis.clean_query("如何办理营业执照")) == ["办理", "营业执照"]
    # Only question words: keep them rather than search for nothing.
    assert analysis.query_terms(analysis.clean_query("怎么办")) == ["怎么办"]


def test_index_segmentation_contains_sub_words():
    tokens = analysis.index_text("住房公积金提取").split()
    assert {"住房", "公积金", "住房公积金", "提取"} <= set(tokens)


def test_query_syntax_and_length_are_neutralised():
    cleaned = analysis.clean_query('公积金 AND (提取 OR "贷款") -*: ' + "很" * 10000)
    assert len(cleaned) <= analysis.MAX_QUERY_CHARS
    assert not set('"*:()') & set(cleaned)


def test_pinyin_and_initials():
    assert analysis.pinyin_keys("公积金") == ("gongjijin", "gjj")
