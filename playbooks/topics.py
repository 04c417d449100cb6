"""Which of the fourteen org-design topics a question is about: a classifier learned from the corpus.

Features are the question's lemmas and lemma pairs (playbooks/words.py) and its character 2–4-grams,
each weighted by TF-IDF; a multinomial logistic regression maps them to topic probabilities. Words
carry the meaning across inflections and paraphrases, character n-grams carry what the analyser
splits differently or a typo breaks. Training is deterministic (no random state is involved), so the
same corpus always gives the same model and the same text always gives the same reading.

A reading is *confident* when the likeliest topic's probability reaches `CONFIDENT`, a threshold
chosen by cross-validation on the training part of the corpus only (`choose_threshold`, printed by
`python -m bench.ask --eval`); below it the answer offers the likeliest topics instead of guessing.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline

from playbooks.amounts import normalise
from playbooks.corpus import LabelledQuestion, load_corpus
from playbooks.words import words

# In the order of the playbook's menu.
Topic = Literal[
    "renewal_owner",
    "expansion_owner",
    "renewal_models",
    "reporting_line",
    "leader_profile",
    "csm_profile",
    "csm_metrics",
    "strategy",
    "team_size",
    "org_chart",
    "lifecycle",
    "ttv",
    "kpi",
    "cs_definition",
]
TOPICS: tuple[Topic, ...] = get_args(Topic)
# The corpus also holds text that is not an org-design question ("hello", "/cs health acme" typed as
# a question, questions about other things), labelled `other`, so that the classifier learns what is
# not one of its topics instead of forcing every text into one.
OFF_TOPIC = "other"
LABELS: tuple[str, ...] = (*TOPICS, OFF_TOPIC)

# The likeliest topic's probability from which a reading is acted on. Chosen by `choose_threshold` on
# the training part (five-fold cross-validation): the lowest value at which at most
# `WRONG_CONFIDENT_TARGET` of those questions would have been answered confidently and wrongly.
CONFIDENT = 0.90
# How many answers may be confident and wrong, at most, when choosing the threshold: half the 1% the
# product aims for, because a figure cross-validated on the training part is a little better than the
# same figure on questions never seen.
WRONG_CONFIDENT_TARGET = 0.005
# Inverse regularisation of the logistic regression: chosen with the threshold, on the training part.
REGULARISATION = 50.0


@dataclass(frozen=True)
class TopicReading:
    ranked: tuple[tuple[str, float], ...]  # every topic with its probability, likeliest first

    @property
    def topic(self) -> str:
        return self.ranked[0][0]

    @property
    def confidence(self) -> float:
        return self.ranked[0][1]

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT

    def choices(self, *, share: float = 0.1) -> list[Topic]:
        """The topics to offer when unsure: the two likeliest, and a third with at least `share`
        probability. Never the off-topic label: a person picks among things the playbook answers."""
        topics = [(topic, p) for topic, p in self.ranked if topic != OFF_TOPIC]
        offered = [topic for topic, _ in topics[:2]]
        offered += [topic for topic, p in topics[2:3] if p >= share]
        return [on_topic(topic) for topic in offered]  # type: ignore[misc]


def on_topic(label: str) -> Topic | None:
    """The label as a topic; None for the off-topic label."""
    return label if label in TOPICS else None  # type: ignore[return-value]


LEXICON_PATH = Path(__file__).with_name("lexicon.yml")


@cache
def _concepts() -> dict[str, tuple[str, ...]]:
    """Lemma (or lemma pair) → the concepts it stands for (playbooks/lexicon.yml)."""
    found: dict[str, list[str]] = {}
    for concept, entries in yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8")).items():
        for entry in entries:
            for lemma in (" ".join(words(str(entry))), str(entry).lower()):
                if concept not in found.setdefault(lemma, []):
                    found[lemma].append(concept)
    return {lemma: tuple(concepts) for lemma, concepts in found.items()}


# The long and the short name of the same role, spelled one way before any feature is taken: without
# this, the many character n-grams of カスタマーサクセス outweigh everything else in a short question
# and pull it towards the topics whose questions happen to spell the name out.
_CANONICAL = [
    (re.compile(r"カスタマー\s*サクセス\s*マネー?ジャー|customer[- ]success[- ]managers?", re.I), " CSM "),
    (re.compile(r"カスタマー\s*サクセス|customer[- ]success", re.I), " CS "),
]


def _canonical(text: str) -> str:
    text = normalise(text)
    for spelling, short in _CANONICAL:
        text = spelling.sub(short, text)
    return text


def _word_features(text: str) -> list[str]:
    lemmas = words(_canonical(text))
    pairs = [f"{a} {b}" for a, b in pairwise(lemmas)]
    concepts = _concepts()
    named = sorted({concept for term in lemmas + pairs for concept in concepts.get(term, ())})
    # Concepts together, wherever they stand: "who … renewals" and "renewals … who" are one cue.
    together = [f"@{a}+{b}" for i, a in enumerate(named) for b in named[i + 1 :]]
    return lemmas + pairs + [f"@{concept}" for concept in named] + together


def _characters(text: str) -> str:
    return _canonical(text).lower()


def _pipeline(regularisation: float = REGULARISATION) -> Pipeline:
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=_word_features, sublinear_tf=True)),
            (
                "characters",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 4), preprocessor=_characters, sublinear_tf=True
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("model", LogisticRegression(C=regularisation, max_iter=5000))])


class TopicClassifier:
    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._classes: list[str] = [str(label) for label in pipeline.classes_]

    @classmethod
    def train(
        cls, questions: Sequence[LabelledQuestion], *, regularisation: float = REGULARISATION
    ) -> "TopicClassifier":
        pipeline = _pipeline(regularisation)
        pipeline.fit([q.text for q in questions], [q.topic for q in questions])
        return cls(pipeline)

    def read(self, text: str) -> TopicReading:
        return self.read_many([text])[0]

    def read_many(self, texts: Iterable[str]) -> list[TopicReading]:
        probabilities = self._pipeline.predict_proba(list(texts))
        return [_reading(self._classes, row) for row in probabilities]


def _reading(classes: list[str], probabilities: np.ndarray) -> TopicReading:
    order = np.argsort(-probabilities, kind="stable")
    return TopicReading(tuple((classes[i], float(probabilities[i])) for i in order))


@cache
def default_classifier() -> TopicClassifier:
    """Trained once per process on the whole corpus shipped in playbooks/corpus (and a team's own
    questions added there): the evaluation trains on the training part only."""
    return TopicClassifier.train(load_corpus(topics=LABELS))


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    regularisation: float
    wrong_confident: float  # share of training questions answered confidently and wrongly, cross-validated
    unsure: float  # share that would get a choice of topics instead


def cross_validated_readings(
    questions: Sequence[LabelledQuestion], *, regularisation: float = REGULARISATION, folds: int = 5
) -> list[TopicReading]:
    """Each question read by a model trained on the other folds (fixed fold assignment)."""
    texts = [q.text for q in questions]
    labels = [f"{q.language}:{q.topic}" for q in questions]  # stratified by language and topic
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    probabilities = cross_val_predict(
        _pipeline(regularisation),
        texts,
        [q.topic for q in questions],
        cv=list(splitter.split(texts, labels)),
        method="predict_proba",
    )
    classes = sorted({str(q.topic) for q in questions})
    return [_reading(classes, row) for row in probabilities]


def choose_threshold(
    train: Sequence[LabelledQuestion], *, regularisations: Sequence[float] = (5.0, 20.0, 50.0)
) -> ThresholdChoice:
    """The regularisation and threshold that answer the most training questions confidently while at
    most `WRONG_CONFIDENT_TARGET` of them are answered wrongly; cross-validated, training part only."""
    best: ThresholdChoice | None = None
    for regularisation in regularisations:
        readings = cross_validated_readings(train, regularisation=regularisation)
        right = np.array([r.topic == q.topic for r, q in zip(readings, train, strict=True)])
        confidence = np.array([r.confidence for r in readings])
        for threshold in np.arange(0.15, 0.951, 0.01):
            sure = confidence >= threshold
            wrong = float(np.mean(sure & ~right))
            if wrong <= WRONG_CONFIDENT_TARGET:
                choice = ThresholdChoice(
                    round(float(threshold), 2), regularisation, wrong, float(np.mean(~sure))
                )
                if best is None or choice.unsure < best.unsure:
                    best = choice
                break
    if best is None:
        raise ValueError("no threshold keeps the wrong confident answers within the target")
    return best
