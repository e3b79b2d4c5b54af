"""The schema check: the compiled fast path accepts, jsonschema decides and explains refusals."""

from __future__ import annotations

import dataclasses

import pytest
from jsonschema import Draft202012Validator

from newsagg.errors import ArticleDropped
from newsagg.pipelines.validate import ValidatePipeline, load_article_schema
from tests.crafted import article_record

ARTICLE = article_record()


@pytest.fixture
def pipeline() -> ValidatePipeline:
    return ValidatePipeline(("title",), Draft202012Validator(load_article_schema()))


def test_a_valid_article_passes(pipeline: ValidatePipeline) -> None:
    assert pipeline.process_item(ARTICLE) is ARTICLE


def test_a_refused_article_is_explained_by_jsonschema(pipeline: ValidatePipeline) -> None:
    with pytest.raises(ArticleDropped) as dropped:
        pipeline.process_item(dataclasses.replace(ARTICLE, language="fra"))
    assert dropped.value.reason == "invalid_schema"
    assert dropped.value.found == {
        "field": "language",
        "error": "'fra' does not match '^[a-z]{2}$'",
    }


def test_what_only_the_fast_check_refuses_is_decided_by_jsonschema(
    pipeline: ValidatePipeline,
) -> None:
    # Python's `$` matches before a final newline, so jsonschema (as before) lets this through;
    # the compiled check reads `$` as the end of the string and refuses it.
    item = dataclasses.replace(ARTICLE, language="fr\n")
    assert pipeline.accepts is not None
    assert not pipeline.accepts(dataclasses.asdict(item))
    assert pipeline.process_item(item) is item
