"""Themes (DESIGN §6): what a case is about, a controlled vocabulary a partnership can extend.

Themes are distinct from finding categories (why practice went as it did) and from factor codes.
A theme is stored by its key; partnership-added themes live in the `partnership_themes` table.
"""

from __future__ import annotations

import re

BUILT_IN_THEMES: dict[str, str] = {
    "neglect": "Neglect",
    "start_again_syndrome": "Start-again syndrome",
    "domestic_abuse": "Domestic abuse",
    "parental_mental_health": "Parental mental health",
    "parental_substance_misuse": "Parental substance misuse",
    "disguised_compliance": "Disguised compliance",
    "was_not_brought": "Was not brought (missed appointments)",
    "invisible_men": "Invisible men / male carers",
    "infants_pre_birth": "Infants under one / pre-birth assessment",
    "adolescents": "Adolescents",
    "voice_of_the_child": "Voice of the child",
    "information_sharing": "Information sharing",
    "risk_assessment_not_updated": "Risk assessment not updated",
    "professional_curiosity": "Professional curiosity",
    "rule_of_optimism": "Rule of optimism",
    "thresholds": "Thresholds",
    "escalation": "Escalation and professional disagreement",
    "young_parents": "Young parents",
    "parents_learning_disabilities": "Parents with learning disabilities",
    "commissioning": "Commissioning and contract oversight",
    "supervision": "Supervision",
    "case_closure": "Case closure",
    "dental_neglect": "Dental neglect",
    "school_attendance": "School attendance",
}

FINDING_CATEGORIES: dict[str, str] = {
    "innate_human_biases": "Innate human biases: human reasoning, cognitive and emotional biases",
    "family_professional_interaction": "Family-professional interaction: how families and professionals "
    "engage",
    "responses_to_incidents": "Responses to incidents: multi-agency communication and collaboration in "
    "response to incidents and crises",
    "longer_term_work": "Longer-term work: multi-agency communication and collaboration in assessment and "
    "longer-term work",
    "tools": "Tools: forms, frameworks, IT and procedures, and how people work with them",
    "management_systems": "Management systems: resources and demand, priorities, supervision, "
    "commissioning, performance indicators",
}


def theme_key(label: str) -> str:
    """The key a new theme gets from its label: lower case words joined by underscores."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")
