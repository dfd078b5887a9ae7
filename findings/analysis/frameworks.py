"""Contributory factor frameworks (DESIGN §5.3), declared as data.

A framework has levels; each level has categories; each category knows whether it sits at the level
of the individual practitioner or above it. The `draft_findings` guard uses that flag: a problematic
key practice episode explained only by individual-level factors is a lesson about a person, not a
finding about the system.

Where DESIGN names only categories (London Protocol, SEIPS), the levels below group them the way the
framework's own literature does; `learning_together`'s local strategic and national categories are
ours, named after the areas SCIE's model asks reviewers to look at above the frontline.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_FRAMEWORK = "learning_together"


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    individual_level: bool = False


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Framework:
    key: str
    label: str
    levels: tuple[Level, ...]

    def level(self, key: str) -> Level | None:
        return next((level for level in self.levels if level.key == key), None)

    def category(self, level: str, key: str) -> Category | None:
        found = self.level(level)
        if found is None:
            return None
        return next((c for c in found.categories if c.key == key), None)


def _c(key: str, label: str, individual: bool = False) -> Category:
    return Category(key, label, individual)


FRAMEWORKS: dict[str, Framework] = {
    f.key: f
    for f in (
        Framework(
            "learning_together",
            "SCIE Learning Together",
            (
                Level(
                    "frontline",
                    "Frontline",
                    (
                        _c("family", "Family"),
                        _c("personal", "Personal (staff)", individual=True),
                        _c("role", "Role"),
                        _c("conditions_of_work", "Conditions of work"),
                        _c("own_team", "Own team"),
                        _c("inter_agency_team", "Inter-agency / inter-professional team"),
                        _c("organisational_culture", "Organisational culture and management"),
                        _c("wider_context", "Wider context"),
                    ),
                ),
                Level(
                    "local_strategic",
                    "Local strategic",
                    (
                        _c("strategy_and_priorities", "Strategy and priorities"),
                        _c("resources_and_commissioning", "Resources and commissioning"),
                        _c("partnership_arrangements", "Partnership arrangements"),
                        _c("quality_assurance", "Quality assurance and performance management"),
                    ),
                ),
                Level(
                    "national",
                    "National",
                    (
                        _c("legislation_and_guidance", "Legislation and statutory guidance"),
                        _c("national_policy_and_funding", "National policy and funding"),
                        _c("inspection_and_regulation", "Inspection and regulation"),
                    ),
                ),
            ),
        ),
        Framework(
            "london_protocol",
            "London Protocol",
            (
                Level(
                    "frontline",
                    "Frontline",
                    (
                        _c("child_and_family", "Child and family"),
                        _c("task_and_technology", "Task and technology"),
                        _c("individual", "Individual (staff)", individual=True),
                        _c("team", "Team"),
                    ),
                ),
                Level(
                    "organisation",
                    "Organisation",
                    (
                        _c("work_environment", "Work environment"),
                        _c("organisational_and_management", "Organisational and management"),
                    ),
                ),
                Level(
                    "institutional",
                    "Institutional",
                    (_c("institutional_context", "Institutional context"),),
                ),
            ),
        ),
        Framework(
            "seips",
            "SEIPS (Systems Engineering Initiative for Patient Safety)",
            (
                Level(
                    "work_system",
                    "Work system",
                    (
                        _c("persons", "Person(s)", individual=True),
                        _c("tasks", "Tasks"),
                        _c("tools_and_technology", "Tools and technology"),
                        _c("organisation", "Organisation"),
                        _c("internal_environment", "Internal environment"),
                        _c("external_environment", "External environment"),
                    ),
                ),
            ),
        ),
    )
}


def get(key: str) -> Framework | None:
    return FRAMEWORKS.get(key)


def is_individual_level(framework: str, level: str, category: str) -> bool:
    """Whether a coded factor sits at the individual level. Unknown codes count as individual
    (a factor the machine cannot place never satisfies the 'above the individual level' rule)."""
    found = FRAMEWORKS.get(framework)
    cat = found.category(level, category) if found else None
    return True if cat is None else cat.individual_level


def category_label(framework: str, level: str, category: str) -> str:
    found = FRAMEWORKS.get(framework)
    cat = found.category(level, category) if found else None
    return cat.label if cat else category


def validate(framework: str, level: str, category: str) -> dict[str, str]:
    """Errors per field for a factor code, in words; empty when the code is valid."""
    found = FRAMEWORKS.get(framework)
    if found is None:
        return {"framework": "Framework must be one of: " + ", ".join(FRAMEWORKS) + "."}
    lvl = found.level(level)
    if lvl is None:
        return {"level": f"Level must be one of: {', '.join(x.key for x in found.levels)}."}
    if found.category(level, category) is None:
        return {
            "category": f"Category at level '{lvl.label}' must be one of: "
            + ", ".join(c.key for c in lvl.categories)
            + "."
        }
    return {}
