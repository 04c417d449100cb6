"""The topic classifier's parts: words as lemmas, the corpus and its fixed split, the reading itself,
and a regression guard on the held-out figures (a little below what `bench.ask --eval` reports, so
that a change that makes the understanding worse fails here)."""

from collections import Counter
from pathlib import Path

import pytest

from playbooks.corpus import CorpusError, LabelledQuestion, load_corpus, split
from playbooks.topics import LABELS, OFF_TOPIC, TOPICS, TopicClassifier, TopicReading
from playbooks.words import english_lemma, words


@pytest.mark.parametrize(
    ("text", "lemmas"),
    [
        ("更新は誰が持ちますか", ["更新", "誰", "持つ", "ます"]),
        ("更新を担当しています", ["更新", "担当", "為る", "居る", "ます"]),
        # Spelling variants and kana for kanji are one word too.
        ("ひかくする", ["比較", "為る"]),
        ("シュミレーション", ["シミュレーション"]),
        ("Who owns renewals?", ["who", "own", "renewal"]),
        ("Upselling to companies", ["upsell", "to", "company"]),
    ],
)
def test_inflections_of_a_word_are_one_lemma(text: str, lemmas: list[str]) -> None:
    assert words(text) == lemmas


def test_japanese_compounds_are_split_and_particles_left_out() -> None:
    lemmas = words("契約更新の責任者は誰ですか？")
    assert "更新" in lemmas and "契約" in lemmas
    assert not {"の", "は", "?", "？"} & set(lemmas)


def test_latin_words_inside_japanese_are_lemmatised_like_english() -> None:
    assert words("CSMのRenewalsは誰？")[:2] == ["csm", "renewal"]


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("renewals", "renewal"),
        ("companies", "company"),
        ("owning", "own"),
        ("status", "status"),
        ("cs", "cs"),
    ],
)
def test_english_lemmas(word: str, lemma: str) -> None:
    assert english_lemma(word) == lemma


def test_the_corpus_has_six_hundred_questions_a_language_and_every_topic() -> None:
    questions = load_corpus(topics=LABELS)
    # Org-design questions only: the off-topic texts are extra.
    per_language = Counter(q.language for q in questions if q.topic != OFF_TOPIC)
    assert per_language["en"] >= 600 and per_language["ja"] >= 600
    for language in ("en", "ja"):
        topics = Counter(q.topic for q in questions if q.language == language)
        assert set(topics) == set(LABELS)
        assert min(topics[topic] for topic in TOPICS) >= 35, topics
        assert topics[OFF_TOPIC] >= 50


@pytest.mark.parametrize(
    ("second_line", "error"),
    [
        ("{q: 'Odd', topic: weather}", r"team\.yml:4: unknown topic 'weather'"),
        (
            "{q: 'Who renews?', topic: renewal_owner}",
            r"team\.yml:4: the same question is already at team\.yml:3",
        ),
        ("{q: 'Who renews now?', topic: kpi, model: big}", r"team\.yml:4: unknown company model 'big'"),
    ],
)
def test_a_bad_corpus_line_is_named_with_its_file_and_line(
    tmp_path: Path, second_line: str, error: str
) -> None:
    (tmp_path / "team.yml").write_text(
        f"language: en\nquestions:\n  - {{q: 'Who renews?', topic: renewal_owner}}\n  - {second_line}\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=error):
        load_corpus(tmp_path, topics=LABELS)


def test_the_split_is_a_quarter_per_language_and_never_moves() -> None:
    questions = load_corpus(topics=LABELS)
    train, test = split(questions)
    assert not {q.text for q in train} & {q.text for q in test}
    for language in ("en", "ja"):
        share = sum(q.language == language for q in test) / sum(q.language == language for q in questions)
        assert 0.18 < share < 0.32
    # A question's part depends on its text alone: new questions leave the others where they were.
    extra = LabelledQuestion("A brand new question about renewals?", "en", "renewal_owner", None, "x:1")
    assert [q for q in split([*questions, extra])[1] if q is not extra] == test


@pytest.fixture(scope="module")
def held_out() -> tuple[list[LabelledQuestion], list[TopicReading]]:
    train, test = split(load_corpus(topics=LABELS))
    classifier = TopicClassifier.train(train)
    return test, classifier.read_many([q.text for q in test])


def test_held_out_topic_accuracy_does_not_fall(
    held_out: tuple[list[LabelledQuestion], list[TopicReading]],
) -> None:
    test, readings = held_out
    for language, floor in (("en", 0.9), ("ja", 0.87)):
        pairs = [(q, r) for q, r in zip(test, readings, strict=True) if q.language == language]
        accuracy = sum(r.topic == q.topic for q, r in pairs) / len(pairs)
        assert accuracy >= floor, (language, accuracy)


def test_confident_readings_are_rarely_wrong(
    held_out: tuple[list[LabelledQuestion], list[TopicReading]],
) -> None:
    test, readings = held_out
    wrong = sum(r.confident and r.topic != q.topic for q, r in zip(test, readings, strict=True))
    assert wrong / len(test) <= 0.025


def test_a_confident_answer_has_the_right_topic(
    held_out: tuple[list[LabelledQuestion], list[TopicReading]],
) -> None:
    test, readings = held_out
    for language in ("en", "ja"):
        answered = [
            r.topic == q.topic
            for q, r in zip(test, readings, strict=True)
            if q.language == language and r.confident
        ]
        assert sum(answered) / len(answered) >= 0.96, language


def test_an_org_design_question_gets_the_right_answer_or_the_right_button(
    held_out: tuple[list[LabelledQuestion], list[TopicReading]],
) -> None:
    test, readings = held_out
    for language in ("en", "ja"):
        outcomes = [
            r.topic == q.topic if r.confident else q.topic in r.choices()
            for q, r in zip(test, readings, strict=True)
            if q.language == language and q.topic != OFF_TOPIC
        ]
        assert sum(outcomes) / len(outcomes) >= 0.95, language


def test_training_is_deterministic() -> None:
    train, _ = split(load_corpus(topics=LABELS))
    texts = ["Who should own renewals?", "CSMは何人必要？", "what is ttv"]
    first = TopicClassifier.train(train).read_many(texts)
    second = TopicClassifier.train(train).read_many(texts)
    assert first == second


def test_a_reading_ranks_every_topic_and_offers_the_likely_ones() -> None:
    reading = TopicReading((("kpi", 0.5), ("csm_metrics", 0.3), ("ttv", 0.15), ("lifecycle", 0.05)))
    assert reading.topic == "kpi" and reading.confidence == 0.5
    assert reading.choices() == ["kpi", "csm_metrics", "ttv"]
    assert reading.choices(share=0.2) == ["kpi", "csm_metrics"]
    assert not reading.confident
    # Two topics at least, however unlikely the second; never the off-topic label.
    lopsided = TopicReading((("other", 0.6), ("ttv", 0.35), ("kpi", 0.04), ("lifecycle", 0.01)))
    assert lopsided.choices() == ["ttv", "kpi"]
