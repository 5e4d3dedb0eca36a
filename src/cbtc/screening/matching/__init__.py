"""Least-restrictive level-of-care recommendation (issue 4, deliverable 6): plain data and pure functions.

The model, in the words a counsellor would use:

* Input (MatchInput): the client's latest screening results in a neutral form (ASSIST risk per substance row a-j,
  AUDIT zone, AUDIT-C, DAST-10 band, CRAFFT score) and a few facts about their situation (injecting in the past
  3 months, pregnancy, age, a mental health concern, likely withdrawal, past overdose, insecure housing) plus what
  the client wants now (no treatment now, harm reduction only, outpatient, opioid agonist treatment, residential).
* Rules are data (definitions/level_of_care/rules-v1.json, listed in the README beside it). Each rule that fires
  sets a minimum level of the service pyramid (seed 001 L4569-L4666: 1 informal community care ... 7 long-term
  residential) with service types, or adds "also offer" items (needles and syringes, naloxone, testing, housing
  help) that never raise the level. Every rule carries plain-language reason text and a seed citation.
* The recommendation is the least intensive level that satisfies every fired rule: the highest of their minimums
  ("the least invasive intervention possible", seed 001 L4501-L4503). Participation is voluntary (seed 000 L153):
  a preference for less intensive care lowers the level, but not below the safety floor set by rules marked
  safety_floor (likely severe withdrawal; pregnancy with opioid use). Services the client does not want now are
  kept as "deferred", still on offer.
* Relapse or continued use never leads to less care or to being turned away (seed 000 L157): there is no such rule,
  flags can only add care, and a test checks the rule texts.
* placement_mismatch() flags a placement more intensive than recommended, for review. It is never an error and
  never blocks the clinician.

Nothing here touches the database; the enums come from cbtc.network.models, so Django must be set up first.
"""

from .engine import placement_mismatch, recommend
from .model import PREFERENCES, MatchInput, Mismatch, Preference, Reason, Recommendation
from .rules import BUILTIN_RULES, RulesDefinitionError, RuleSet, builtin_rules, load_rules

__all__ = [
    "BUILTIN_RULES",
    "PREFERENCES",
    "MatchInput",
    "Mismatch",
    "Preference",
    "Reason",
    "Recommendation",
    "RuleSet",
    "RulesDefinitionError",
    "builtin_rules",
    "load_rules",
    "placement_mismatch",
    "recommend",
]
