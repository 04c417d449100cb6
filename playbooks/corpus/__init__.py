"""The question corpus: org-design questions in English and Japanese, each labelled with its topic and,
where it says enough, the company model. The topic classifier learns from it; `bench.ask --eval`
measures the understanding on the part of it set aside for testing.

The split is fixed once: a question belongs to the test part when a keyed hash of its text falls in
the lowest quarter. Adding questions later never moves an existing one between the parts, and no
choice of features or threshold ever looks at the test part.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from domain.company_models import COMPANY_MODELS

CORPUS_DIR = Path(__file__).parent
TEST_SHARE = 0.25
SPLIT_KEY = b"csbot-corpus-split-2"  # the split's seed: changing it reshuffles every question


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    language: str
    topic: str
    model: str | None  # the company model the question names or implies; None when it says too little
    origin: str  # "en.yml:12", for messages about the corpus itself


class CorpusError(ValueError):
    """A corpus file that cannot be used, with its file and line."""


def load_corpus(
    directory: Path = CORPUS_DIR, *, topics: Sequence[str] | None = None
) -> list[LabelledQuestion]:
    """Every question of every `*.yml` in the directory, in file order. With `topics`, a label outside
    them is an error naming the file and line."""
    questions: list[LabelledQuestion] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        document = yaml.compose(text)  # for the line of each entry
        data = yaml.safe_load(text)
        language = data.get("language")
        entries = data.get("questions") or []
        nodes = _question_nodes(document)
        for index, entry in enumerate(entries):
            line = nodes[index] if index < len(nodes) else 0
            origin = f"{path.name}:{line}"
            text, topic, model = entry.get("q"), entry.get("topic"), entry.get("model")
            if not isinstance(text, str) or not text.strip() or not isinstance(topic, str):
                raise CorpusError(f"{origin}: each question needs `q` (the text) and `topic`")
            if topics is not None and topic not in topics:
                raise CorpusError(f"{origin}: unknown topic {topic!r}")
            if model is not None and model not in COMPANY_MODELS:
                raise CorpusError(f"{origin}: unknown company model {model!r}")
            if text in seen:
                raise CorpusError(f"{origin}: the same question is already at {seen[text]}")
            seen[text] = origin
            questions.append(LabelledQuestion(text, str(language), topic, model, origin))
    return questions


def _question_nodes(document: yaml.Node | None) -> list[int]:
    """The 1-based line of each entry under `questions:`, for error messages."""
    if not isinstance(document, yaml.MappingNode):
        return []
    for key, value in document.value:
        if key.value == "questions" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def in_test_part(question: LabelledQuestion) -> bool:
    digest = hashlib.blake2b(question.text.encode("utf-8"), key=SPLIT_KEY, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < TEST_SHARE


def split(questions: Sequence[LabelledQuestion]) -> tuple[list[LabelledQuestion], list[LabelledQuestion]]:
    """(train, test): the fixed split described above."""
    train = [q for q in questions if not in_test_part(q)]
    test = [q for q in questions if in_test_part(q)]
    return train, test
