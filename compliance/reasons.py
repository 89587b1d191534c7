"""Why compliance refuses something: one table of reason messages (code -> Msg), like
``stages.reasons.MESSAGES``, and what can be wrong in a rule set or a setting.

- :data:`MESSAGES`: the codes the compliance package raises, built by :func:`compliance_reason`.
  ``compliance_bad_ruleset`` and ``compliance_bad_setting`` name a ``problem`` (a key of
  :data:`PROBLEMS`) and the field it is in; the message says that problem in words.
- ``close_contrary_needs_decision``, ``close_not_contrary``: a close that does not agree with
  the report (:func:`compliance.gates.close_reasons`); ``{causes}``: the report's causes in words.
- :data:`GATE`: a basic requirement that blocks leaving a stage. Its code is the rule's own
  (``compliance_<rule id>``, :attr:`compliance.model.Rule.code`), one per rule.
"""
from __future__ import annotations

from typing import Any

from i18n import Lazy, Msg, N_
from stages import vocabulary
from stages.errors import Reason

MESSAGES: dict[str, Msg] = {
    "compliance_unknown_ruleset": N_("There is no rule set '{ruleset}'. Available: {known}."),
    "compliance_unknown_rule": N_("The rule set names a rule that does not exist: '{rule}'. Rules: {known}."),
    "compliance_bad_ruleset": N_("The rule set cannot be used: {problem}"),
    "compliance_bad_setting": N_("A compliance setting cannot be used: {problem}"),
    "close_contrary_needs_decision": N_(
        "The process acts contrary to process: {causes} It is closed so only by an adopted decision of the "
        "secretariat to close it acting contrary to process, with its reason (a decision to close the process "
        "acting contrary to process)."),
    "close_not_contrary": N_(
        "The compliance report finds no cause for which the process would act contrary to process (a late plan, "
        "a minimum requirement missed, no progress): close it with a decision to close the process."),
}

#: What can be wrong, per code that names a problem: problem -> message (``{field}``: where).
PROBLEMS: dict[str, dict[str, Msg]] = {
    "compliance_bad_ruleset": {
        "not_a_mapping": N_("a rule set is written as fields with their values; the fields are: {known}."),
        "unknown_field": N_("'{field}' is not a field of a rule set; the fields are: {known}."),
        "bad_name": N_("'{field}' takes lowercase letters, digits, '.', '_' and '-' (2 to 64 characters)."),
        "builtin_name": N_("'{field}': '{value}' is the name of a built-in rule set; choose another name."),
        "required": N_("'{field}' is required."),
        "unknown_base": N_("'{field}': there is no built-in rule set '{value}'; the built-in ones are: {known}."),
        "bad_title": N_("'{field}' is a text, or one text per language (es, en)."),
        "not_allowed_value": N_("'{field}' does not admit '{value}'; it admits: {known}."),
        "rules_or_base": N_("it needs '{field}' (its rules) or 'base' (the built-in rule set it starts from)."),
        "not_a_list": N_("'{field}' must be a list."),
        "bad_level": N_("'{field}': the level of '{rule}' is 'basic' or 'advanced', not '{value}'."),
        "not_a_mapping_of_levels": N_("'{field}' must list rules with their level (rule: basic or advanced)."),
        "unknown_rule": N_("'{field}' names a rule that does not exist: '{rule}'."),
        "no_rules": N_("it keeps no rule."),
    },
    "compliance_bad_setting": {
        "not_a_mapping": N_("'{field}' must list settings with their values (setting: value)."),
        "unknown": N_("'{field}' is not a compliance setting; the settings are: {known}."),
        "not_a_whole_number": N_("'{field}' must be a whole number, 0 or more."),
        "not_a_list_of_numbers": N_("'{field}' must be a list of whole numbers greater than 0."),
        "not_a_list_of_texts": N_("'{field}' must be a list of texts."),
        "not_a_stage": N_("'{field}' must be a stage ({known}); it is '{value}'."),
    },
}

GATE = N_("Basic requirement not met, required to leave the stage: {rule} [{id}]: {summary}")


def compliance_reason(code: str, **details: Any) -> Reason:
    """A compliance reason by code; for a code with problems, ``problem`` and ``field`` say which."""
    if code not in PROBLEMS:
        return Reason(code, MESSAGES[code], details)
    problem = PROBLEMS[code][details["problem"]]
    fields = {k: v for k, v in details.items() if k != "problem"}
    text = Lazy(lambda lang: vocabulary.render(MESSAGES[code], lang,
                                               problem=vocabulary.render(problem, lang, **fields)))
    return Reason(code, text, details)
