"""Evaluation on question sets with gold answers (`dateline eval`) and its terminal report."""

from bot.tooling.evaluation.render import render_evaluation, save_plot
from bot.tooling.evaluation.run import (
    Outcome,
    abstention,
    answer_in_quote,
    load_questions,
    normalise,
    run_evaluation,
    score_answer,
    withheld,
    withheld_knowledge,
)

__all__ = [
    "Outcome",
    "abstention",
    "answer_in_quote",
    "load_questions",
    "normalise",
    "render_evaluation",
    "run_evaluation",
    "save_plot",
    "score_answer",
    "withheld",
    "withheld_knowledge",
]
