# ruff: noqa: E501
"""The demo's case reviews: the three reviews of the reference briefing (Alice, Andrew, Benjamin), as
a coordinator, lead reviewers and panel members would have entered them, written with pseudonyms.

Dates are days before the day the demo is loaded (`ago(days)`), so clocks and periods look current.
The sealed identities are invented (no real person, address or school). One leak is planted on
purpose: a finding of Andrew's review (at the chair's sign-off) names his foster carers by their
surname, which his register holds, so the anonymisation check can be seen catching it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from api.demo.reader import Table, read_file
from api.demo.reference_cases import ALICE, ANDREW, BENJAMIN, PARTNERSHIP, Reference
from api.demo.specs import (
    ActionSpec,
    Entry,
    EpisodeSpec,
    FactorSpec,
    FindingSpec,
    GoodPracticeSpec,
    Identity,
    ReferralSpec,
    ReviewSpec,
)
from findings.publication.view_model import BriefingData
from workflow.states import State

YEAR = 365

LEARNING = {
    "child_died": "no",
    "abuse_or_neglect": "known",
    "serious_harm": "no",
    "agency_concerns": "no",
    "lessons_for_agencies": "yes",
}
METHODOLOGY = (
    "The review used the SCIE Learning Together model. Each agency gave its own account of its "
    "involvement; the lead reviewers held structured conversations with the practitioners of the case "
    "group, and a facilitated discussion with the whole group. The review team appraised the key practice "
    "episodes against expected practice and looked for the conditions in the system that made good practice "
    "harder or easier."
)
POLICE, HEALTH, SOCIAL, EDUCATION = "Police", "Health", "Children's social care", "Education"

# ---- Alice: published --------------------------------------------------------------------------

ALICE_BORN = 6 * YEAR + 190

ALICE_REVIEW = ReviewSpec(
    pseudonym="Alice",
    target=State.PUBLISHED,
    incident_outcome="serious_harm",
    abuse_or_neglect="known",
    awareness_days_ago=40,
    incident_summary="Alice, aged 6, and her sister were found by police and paramedics in an extremely "
    "neglected state on the second night running that their mother was reported to be suicidal.",
    agencies=(POLICE, HEALTH, SOCIAL, EDUCATION),
    research_questions=(
        "How do agencies recognise neglect that builds up over years, and know whether help has made a "
        "lasting difference?",
        "How is information about missed health appointments and school attendance shared between agencies?",
        "How are young and vulnerable parents supported from pre-birth onwards?",
    ),
    period=(ALICE_BORN + 90, 38),
    criteria=LEARNING,
    decision="The criteria for a serious case review are not met; the case shows how agencies worked "
    "with long-term neglect, and a management review can bring out the lessons.",
    case_group_agency=EDUCATION,
    narratives={
        HEALTH: (
            Entry(
                ALICE_BORN + 75,
                "Midwife's booking visit: the mother, aged 17, has no settled home and "
                "little family support. The midwife records her as vulnerable and asks children's social "
                "care for a pre-birth assessment.",
                (SOCIAL,),
                True,
            ),
            Entry(
                ALICE_BORN - 12,
                "Health visitor's new birth visit: the baby is feeding well; the flat is "
                "sparsely furnished; the mother is tired and says she is managing.",
            ),
            Entry(
                3 * YEAR,
                "Dental practice: Alice is referred for treatment of extensive tooth decay; "
                "the first appointment is not attended.",
            ),
            Entry(
                2 * YEAR + 100,
                "Dental practice: the second appointment is not attended; a letter is sent to the mother.",
            ),
            Entry(
                2 * YEAR + 20,
                "Dental practice: the third appointment is not attended; the practice "
                "closes the referral and informs the GP by letter.",
                (),
                True,
            ),
            Entry(
                400,
                "GP: Alice is seen with toothache and a facial swelling; antibiotics are prescribed "
                "and she is referred back to the dental practice.",
            ),
            Entry(
                40,
                "Ambulance service: paramedics attend with the police; both girls are unwashed, with "
                "excrement on their legs; the house is cold and there is no food.",
                (POLICE, SOCIAL),
                True,
            ),
        ),
        SOCIAL: (
            Entry(
                ALICE_BORN + 40,
                "Pre-birth assessment started; the mother does not attend the second "
                "appointment and the assessment is closed as incomplete.",
                (HEALTH,),
                True,
            ),
            Entry(
                ALICE_BORN - 300,
                "Initial assessment after the health visitor's referral about home "
                "conditions: advice given, no further action.",
                (HEALTH,),
                True,
            ),
            Entry(
                4 * YEAR,
                "Home Visiting Team works with the family for twelve weeks: routines are "
                "established and the house is kept cleaner; the case closes when its goals are met.",
            ),
            Entry(
                600,
                "The mother asks the duty team for emergency financial help; food vouchers are given; "
                "no assessment is made.",
            ),
            Entry(420, "A second request for emergency financial help; vouchers are given; no assessment."),
            Entry(
                40, "Alice and her sister are placed in foster care after police protection.", (POLICE,), True
            ),
        ),
        EDUCATION: (
            Entry(
                2 * YEAR + 30,
                "Alice starts at a new primary school after a house move; her nursery "
                "records arrive six weeks later.",
            ),
            Entry(
                500,
                "School Attendance service: attendance is at 71%. A CAF assessment is completed with "
                "the mother; attendance improves after she is told of possible legal action.",
                (),
                True,
            ),
            Entry(
                270,
                "Home visit by the School Attendance Team: the house is in a reasonable state; the "
                "mother says she is coping.",
            ),
            Entry(
                120,
                "The class teacher notes that Alice is often hungry and her clothes are unwashed; the "
                "school gives her breakfast and spare clothes.",
                (),
                True,
            ),
        ),
        POLICE: (
            Entry(
                41,
                "A friend of the mother calls: the mother says she will end her life. Officers attend "
                "and the mother is taken to hospital; the children stay with a neighbour.",
                (HEALTH,),
            ),
            Entry(
                40,
                "A second call the next night: officers find the children alone with their mother in "
                "crisis and take them into police protection.",
                (SOCIAL, HEALTH),
                True,
            ),
        ),
    },
    episodes=(
        EpisodeSpec(
            title="The pre-birth assessment closes incomplete",
            valence="problematic",
            agencies=(HEALTH, SOCIAL),
            period=(ALICE_BORN + 75, ALICE_BORN + 40),
            what_happened="The midwife identified the young mother as vulnerable and asked for a pre-birth "
            "assessment. It began, the mother did not attend the second appointment, and the assessment "
            "was closed as incomplete. The midwife was not told.",
            view_from_tunnel="For the duty social worker the request was one of many; a mother who did not "
            "attend was read as not wanting a service. The midwife assumed the assessment continued.",
            appraisal="Expected practice is that a pre-birth assessment reaches a conclusion, and that the "
            "referrer is told the outcome. Neither happened.",
            appraisal_reference="Working Together to Safeguard Children 2010, 5.3\nLocal procedures: pre-birth assessment",
            explanation="Closing an assessment for non-attendance was accepted practice, and there was no "
            "route back to the referrer when an assessment closed without an outcome.",
            factors=(
                FactorSpec(
                    "frontline",
                    "inter_agency_team",
                    "There is no agreed way for a referrer to learn that "
                    "an assessment closed without an outcome, or to escalate it.",
                ),
                FactorSpec(
                    "local_strategic",
                    "quality_assurance",
                    "Closed assessments are audited for "
                    "timeliness, not for whether they reached a conclusion.",
                ),
            ),
            entries=((HEALTH, 0), (SOCIAL, 0)),
        ),
        EpisodeSpec(
            title="Dental appointments not attended; the referral is closed",
            valence="problematic",
            agencies=(HEALTH,),
            period=(3 * YEAR, 400),
            what_happened="Alice was referred for treatment of extensive tooth decay. Three appointments were "
            "not attended; the practice wrote to the mother after each and then closed the referral. A year "
            "later the GP treated an infection and referred her back.",
            view_from_tunnel="Each missed appointment was handled as an administrative matter. Neither the "
            "dental practice nor the GP saw the whole pattern, and neither had reason to think another "
            "agency was worried.",
            appraisal="Severe untreated decay in a young child and repeated failure to bring her to treatment "
            "are recognised indicators of possible neglect; expected practice is to consider that and share "
            "the concern.",
            appraisal_reference="British Society of Paediatric Dentistry, Dental neglect in children (2009)",
            explanation="Practice systems record a child not brought as a missed appointment and close "
            "referrals after three letters; dental practices were outside the partnership's training.",
            factors=(
                FactorSpec(
                    "frontline",
                    "conditions_of_work",
                    "Appointment systems record non-attendance as the "
                    "family's choice and close the referral after three letters.",
                ),
                FactorSpec(
                    "local_strategic",
                    "partnership_arrangements",
                    "Dental practices are not part of the partnership's safeguarding training or audit.",
                ),
            ),
            entries=((HEALTH, 2), (HEALTH, 3), (HEALTH, 4), (HEALTH, 5)),
        ),
        EpisodeSpec(
            title="Attendance improves; the CAF is not seen by others",
            valence="mixed",
            agencies=(EDUCATION,),
            period=(500, 270),
            what_happened="The School Attendance service completed a CAF with the mother; attendance improved "
            "after she was told of possible legal action, and the service closed. Other agencies did not "
            "know a CAF existed.",
            view_from_tunnel="The attendance officer's task was attendance, and it improved. The wider concerns "
            "recorded in the CAF were, as far as she knew, for others to pick up.",
            appraisal="The attendance work met its aim. Expected practice is that a CAF is shared with the "
            "agencies working with the family and reviewed with them.",
            appraisal_reference="CAF guidance for practitioners (2009)",
            explanation="The CAF database is only consulted when someone thinks to look, and the attendance "
            "service has no mandate to act on concerns beyond attendance.",
            factors=(
                FactorSpec(
                    "frontline", "role", "The attendance service's role is defined by attendance alone."
                ),
                FactorSpec(
                    "local_strategic",
                    "partnership_arrangements",
                    "No agency's case opening routine includes a check of the CAF database.",
                ),
            ),
            entries=((EDUCATION, 1), (EDUCATION, 2)),
        ),
        EpisodeSpec(
            title="Entry to care on the night of the second call",
            valence="good",
            agencies=(POLICE, HEALTH, SOCIAL),
            period=(41, 40),
            what_happened="On the second night police officers and paramedics found the children alone with "
            "their mother in crisis, took them into police protection and described the scene in detail; "
            "the emergency duty team placed them in foster care that night.",
            view_from_tunnel="Officers and paramedics knew each other's roles and agreed quickly who would do "
            "what; the emergency duty team had the information it needed.",
            appraisal="The response met expected practice for police protection and emergency placement, and "
            "the descriptions recorded helped to protect the children later.",
            appraisal_reference="Children Act 1989, section 46\nLocal procedures: police protection",
            explanation="Joint working on emergencies is practised often and has clear procedures.",
            factors=(
                FactorSpec(
                    "frontline",
                    "inter_agency_team",
                    "Police, paramedics and the emergency duty team "
                    "work together on emergencies often and share one account of a scene.",
                ),
            ),
            entries=((POLICE, 1), (HEALTH, 6), (SOCIAL, 5)),
        ),
    ),
    good_practice=(
        GoodPracticeSpec(
            "The entry to care was managed well between the police, the ambulance service and "
            "children's social care; the descriptions of the scene were of high quality.",
            "Emergencies are practised together and procedures are clear.",
            (POLICE, HEALTH, SOCIAL),
            3,
        ),
        GoodPracticeSpec(
            "The midwife identified the family's vulnerability before the birth.",
            "Booking visits include a structured vulnerability check.",
            (HEALTH,),
            0,
        ),
        GoodPracticeSpec(
            "The Home Visiting Team established routines and helped keep the house cleaner.",
            "Twelve weeks of practical work in the home with clear goals.",
            (SOCIAL,),
        ),
    ),
    panel_appraisals={
        POLICE: "Our involvement was at the crisis; the response was sound. Earlier police contact was minimal.",
        HEALTH: "Dental non-attendance was handled as administration; we had no route to share it.",
        SOCIAL: "Each contact was handled on its own; the pre-birth and later assessments did not connect.",
        EDUCATION: "The attendance work succeeded on its own terms; the CAF did not reach other agencies.",
    },
    findings=(
        FindingSpec(
            title="Neglect is assessed issue by issue",
            category="longer_term_work",
            statement="Agencies assess and act on single issues such as attendance, a dental referral or a "
            "request for money, so the picture of neglect building up over years is assembled by no one, and "
            "each service closes when its own issue improves.",
            context="Neglect develops slowly; each service saw a part of it at different times, and most "
            "contacts were routine.",
            how_it_showed="The attendance service closed once attendance improved; the dental referral closed "
            "after three letters; two requests for emergency help were met without an assessment.",
            why_it_matters="Children living with neglect depend on professionals to connect small signs over "
            "time; when services close on single issues, neglect can continue until a crisis.",
            themes=("neglect", "start_again_syndrome"),
            episodes=(0, 2),
            evidence=(
                (
                    "research",
                    "Across 147 serious case reviews, established frameworks and guidance were "
                    "available but not implemented, and cumulative neglect often went unrecognised.",
                    "Ofsted, Learning lessons from serious case reviews 2009-2010 (2010)",
                ),
                (
                    "typicality",
                    "The case group said that most of the neglect cases they hold look like this one.",
                    "Facilitated discussion with the case group",
                ),
            ),
            questions=(
                "How does the board know whether agencies assess neglect over time rather than issue by issue?",
                "What would make it routine for a service closing a case of concern to find out what other agencies hold?",
            ),
            response="The board accepts the finding. The neglect strategy will require a cumulative assessment "
            "before any agency closes a case where neglect was a concern.",
        ),
        FindingSpec(
            title="A child not brought to appointments is recorded as a missed appointment",
            category="tools",
            statement="Dental and GP appointment systems record a child who is not brought as a missed "
            "appointment and close the referral, so severe dental decay is not considered as a possible sign "
            "of neglect.",
            context="Dental practices are independent contractors with their own systems; the partnership's "
            "safeguarding training has not reached them.",
            how_it_showed="Three treatment appointments were not attended over a year; the referral was closed "
            "by letter and the GP later treated an infection.",
            why_it_matters="Young children cannot bring themselves to treatment; a pattern of not being brought "
            "is often the first sign that their care is neglected.",
            themes=("was_not_brought", "dental_neglect"),
            episodes=(1,),
            evidence=(
                (
                    "research",
                    "Severe untreated dental decay in young children is a recognised indicator of neglect.",
                    "British Society of Paediatric Dentistry, Dental neglect in children (2009)",
                ),
                (
                    "other_reviews",
                    "Two earlier local reviews record repeated missed health appointments before a crisis.",
                    "Partnership review summaries, last two years",
                ),
            ),
            questions=(
                "How will the board know that dental and GP practices treat a child not brought as a safeguarding question?",
            ),
            response="The board will commission a was-not-brought policy for dental and GP practices and "
            "include dental practices in its training.",
        ),
        FindingSpec(
            title="Assessments held by one service are invisible to the others",
            category="tools",
            statement="The CAF database is consulted only when a practitioner thinks to look, so assessments "
            "held by one service do not reach the other services working with the same family.",
            context="CAF was introduced to pool information; in practice each service opens and closes its own.",
            how_it_showed="The School Attendance service's CAF recorded concerns about home conditions; no other "
            "agency knew it existed when they became involved.",
            why_it_matters="Information that is recorded but not found is lost to the child; agencies start again "
            "each time.",
            themes=("information_sharing",),
            episodes=(2,),
            evidence=(
                (
                    "audit",
                    "A dip sample of 20 CAFs found 14 unknown to the family's other services.",
                    "Partnership CAF audit, spring",
                ),
            ),
            questions=(
                "How will the board know that agencies check for an existing CAF when they open a case?",
            ),
            response="The board accepts the finding and asks every agency to add a CAF check to its case "
            "opening routine.",
        ),
    ),
    register=(
        Identity("child", "Kayleigh Marie Brannigan", "Alice", ("Kayleigh Brannigan", "Kayls")),
        Identity("sibling", "Tia Brannigan", "her sister"),
        Identity(
            "parent_carer",
            "Leanne Brannigan",
            "her mother",
            ("Leanne Ward",),
            "Ward: her name before marriage.",
        ),
        Identity("parent_carer", "Darren Fenwick", "her mother's partner"),
        Identity("address", "27 Harebell Close, Thornaby, TS17 9QW", "the family home"),
        Identity("school", "Marwood Park Primary School", "the school", ("Marwood Park",)),
        Identity("practitioner", "Anjali Mehra", "the dentist"),
    ),
    briefing=ALICE,
    case_summary="Alice, aged 6, and her sister were found by police and paramedics in an extremely neglected "
    "state, on the second night running that their mother was reported to be suicidal. They were taken into "
    "police protection and placed in foster care.\n\n"
    "Their mother was young and vulnerable when Alice was born. Over six years the family had contact with "
    "midwifery, health visiting, dental and GP services, children's social care, the schools and the School "
    "Attendance service; each contact dealt with one issue at a time.",
    methodology_note=METHODOLOGY,
    board_response="The board accepts the three findings and has agreed the actions below with the agencies.",
    actions=(
        ActionSpec(
            "Cumulative neglect assessment before closing any case where neglect was a concern",
            SOCIAL,
            120,
            "in_progress",
            "First audit: the assessment was used in 9 of 15 closures.",
            0,
        ),
        ActionSpec("Was-not-brought policy for dental and GP practices", HEALTH, 90, "planned", "", 1),
        ActionSpec(
            "CAF database check in every agency's case opening routine",
            EDUCATION,
            -30,
            "done",
            "The check is live in all four agencies.",
            2,
        ),
    ),
    conversation={
        "overview": "The class teacher taught Alice for a year and saw her most days.",
        "turning_points": "The spring term, when Alice began arriving hungry.",
        "mindset": "She thought the attendance service and the CAF meant others were already involved.",
        "contributory_factors": "No one told the school the CAF had closed.",
        "went_well": "Breakfast club and spare clothes kept Alice in school.",
        "suggested_changes": "A named contact for each CAF, and a note to the school when it closes.",
    },
)

# ---- Andrew: at the chair's sign-off, with a planted leak ---------------------------------------

ANDREW_REVIEW = ReviewSpec(
    pseudonym="Andrew",
    target=State.SIGN_OFF,
    incident_outcome="other",
    abuse_or_neglect="known",
    awareness_days_ago=30,
    incident_summary="Andrew, a looked after young person, sexually abused another young person placed in "
    "the same foster home and was convicted.",
    agencies=(POLICE, HEALTH, SOCIAL, EDUCATION),
    research_questions=(
        "How did agencies understand and manage the risk Andrew posed to others?",
        "How was information about that risk given to his foster carers?",
        "How does the local authority oversee placements it commissions from independent fostering agencies?",
    ),
    period=(12 * YEAR, 35),
    criteria=LEARNING,
    decision="A management review will look at how agencies assessed and managed risk across the placement.",
    case_group_agency=SOCIAL,
    narratives={
        HEALTH: (
            Entry(
                12 * YEAR,
                "GP and health visitor share concerns about the parents' understanding of the "
                "children's needs; the health visitor visits more often.",
                (SOCIAL,),
                True,
            ),
            Entry(
                8 * YEAR,
                "School nurse agrees with the health visitor to be the link with the school.",
                (EDUCATION,),
            ),
        ),
        SOCIAL: (
            Entry(
                10 * YEAR,
                "A family support worker begins weekly visits; the parents, who both have learning "
                "disabilities, take part well.",
            ),
            Entry(
                5 * YEAR,
                "Andrew becomes looked after; placement with a local authority foster carer.",
                (),
                True,
            ),
            Entry(
                3 * YEAR,
                "Assessment and Therapeutic Centre reports regularly on its work with Andrew about "
                "harmful sexual behaviour.",
                (HEALTH,),
            ),
            Entry(
                2 * YEAR,
                "Andrew moves to foster carers of an independent fostering agency. The placement plan "
                "summarises his needs; the risk assessment is not attached.",
                (),
                True,
            ),
            Entry(
                YEAR + 100,
                "Statutory review: the plan is confirmed; the record does not say whether Andrew was "
                "seen alone.",
            ),
            Entry(
                60, "A younger child placed with the same carers discloses abuse by Andrew.", (POLICE,), True
            ),
        ),
        EDUCATION: (
            Entry(
                9 * YEAR,
                "Children, Schools and Complex Needs staff visit the parents at home to explain the "
                "statement of special educational needs.",
            ),
            Entry(
                4 * YEAR,
                "School records concerns about Andrew's behaviour towards younger pupils.",
                (SOCIAL,),
            ),
        ),
        POLICE: (
            Entry(
                4 * YEAR - 30,
                "First incident of sexual assault: the officer ensures Andrew receives an official "
                "caution, so that any later offence would be seen in that light.",
                (SOCIAL,),
                True,
            ),
            Entry(58, "Investigation after the disclosure; Andrew is charged.", (SOCIAL,), True),
        ),
    },
    episodes=(
        EpisodeSpec(
            title="The first harmful sexual behaviour is dealt with by a caution",
            valence="mixed",
            agencies=(POLICE, SOCIAL),
            period=(4 * YEAR, 4 * YEAR - 60),
            what_happened="After the first incident the officer made sure Andrew received an official caution. "
            "Children's social care recorded the incident; no specialist assessment followed for a year.",
            view_from_tunnel="The caution was a clear and recorded response. For the social worker, the incident "
            "sat among many pressing needs of a family already well known to the service.",
            appraisal="The caution met expected practice. Guidance expects a specialist assessment of a young "
            "person who sexually harms, undertaken by an experienced qualified worker.",
            appraisal_reference="AIM assessment model for young people who sexually harm (2007)",
            explanation="Specialist assessment had a long wait, and the social worker's caseload gave no time to "
            "press for it.",
            factors=(
                FactorSpec(
                    "local_strategic",
                    "resources_and_commissioning",
                    "The specialist assessment service had a waiting list of many months.",
                ),
                FactorSpec(
                    "frontline", "conditions_of_work", "Caseloads left little time to follow up referrals."
                ),
            ),
            entries=((POLICE, 0),),
        ),
        EpisodeSpec(
            title="Placement with independent foster carers without the risk assessment",
            valence="problematic",
            agencies=(SOCIAL,),
            period=(2 * YEAR, YEAR),
            what_happened="Andrew moved to foster carers of an independent fostering agency. The placement plan "
            "summarised his needs; the risk assessment was not attached and a younger child was later placed "
            "in the same home.",
            view_from_tunnel="The placing social worker saw a stable young person whose therapy was going well; "
            "the fostering agency matched on the information it was given.",
            appraisal="Guidance expects carers to be told what they need to keep other children safe, and the "
            "commissioner to check that a placement can manage known risks.",
            appraisal_reference="Fostering Services National Minimum Standards (2011), standard 3",
            explanation="The placement request form has no field for risk to others, and the contract monitors "
            "occupancy and cost rather than the management of risk.",
            factors=(
                FactorSpec(
                    "frontline",
                    "conditions_of_work",
                    "The placement request form has no section for risks a child poses to others.",
                ),
                FactorSpec(
                    "local_strategic",
                    "resources_and_commissioning",
                    "Contract monitoring of independent "
                    "fostering agencies covers occupancy and cost, not risk management.",
                ),
            ),
            entries=((SOCIAL, 3), (SOCIAL, 4)),
        ),
        EpisodeSpec(
            title="Early family support for parents with learning disabilities",
            valence="good",
            agencies=(HEALTH, SOCIAL, EDUCATION),
            period=(12 * YEAR, 9 * YEAR),
            what_happened="The GP and health visitor shared information early; a family support worker visited "
            "weekly; education staff explained the statement process at home.",
            view_from_tunnel="Practitioners recognised the parents might find written processes hard and adapted "
            "how they worked.",
            appraisal="This met the Good Practice Guidance on Working with Parents with a Learning Disability.",
            appraisal_reference="Good Practice Guidance on Working with Parents with a Learning Disability (2007)",
            explanation="Small, stable teams who knew the family well.",
            factors=(FactorSpec("frontline", "own_team", "Stable teams with time to know the family."),),
            entries=((HEALTH, 0), (SOCIAL, 0), (EDUCATION, 0)),
        ),
    ),
    good_practice=(
        GoodPracticeSpec(
            "The GP and health visitor shared information appropriately in the early years.",
            "A shared base and regular meetings.",
            (HEALTH,),
            2,
        ),
        GoodPracticeSpec(
            "The officer made sure the first incident led to an official caution.",
            "Clear guidance on youth justice disposals.",
            (POLICE,),
            0,
        ),
    ),
    panel_appraisals={
        POLICE: "The caution was appropriate; later, police had no information about the placement.",
        HEALTH: "Early health involvement was good; later, health was not asked about risk.",
        SOCIAL: "The risk assessment did not travel with Andrew to his placement.",
        EDUCATION: "School concerns about younger pupils were shared but not linked to the placement.",
    },
    findings=(
        FindingSpec(
            title="Risk to others is not carried into placement decisions",
            category="longer_term_work",
            statement="Assessments of the risk a young person poses to others are held by the services that made "
            "them and are not carried into placement decisions, so carers and placing agencies decide without them.",
            context="Several services assessed Andrew over the years; each record was complete for its purpose.",
            # The planted leak: the foster carers' surname, which Andrew's register holds.
            how_it_showed="The placement plan summarised Andrew's needs without the risk assessment; in the "
            "Ashdowns' household a younger child was later placed too.",
            why_it_matters="Carers can only keep other children safe with what they are told; a younger child was "
            "harmed.",
            themes=("risk_assessment_not_updated", "information_sharing"),
            episodes=(1,),
            evidence=(
                (
                    "research",
                    "Young people who sexually harm need risk plans that follow them between settings.",
                    "Hackett S., Children and young people with harmful sexual behaviours (2014)",
                ),
            ),
            questions=(
                "How will the board know that placement requests carry the risks a child poses to others?",
            ),
        ),
        FindingSpec(
            title="Commissioned placements are monitored for cost, not for risk",
            category="management_systems",
            statement="Contracts with independent fostering agencies are monitored for occupancy and cost, so the "
            "commissioner does not see whether a placement can manage the risks placed with it.",
            context="Commissioning is a separate team from case work; its indicators are financial.",
            how_it_showed="No review of the placement asked whether other children were placed in the same home.",
            why_it_matters="The local authority remains responsible for children it places; what it does not "
            "monitor it cannot manage.",
            themes=("commissioning",),
            episodes=(1,),
            evidence=(
                (
                    "other_reviews",
                    "National reviews record the same gap in oversight of commissioned placements.",
                    "Ofsted, Learning lessons from serious case reviews 2009-2010 (2010)",
                ),
            ),
            questions=(
                "What does the board expect commissioners to know about the risks in each placement?",
            ),
        ),
    ),
    register=(
        Identity("child", "Connor James Wetherall", "Andrew", ("Connor Wetherall",)),
        Identity("parent_carer", "Sharon Wetherall", "his mother"),
        Identity("parent_carer", "Keith Wetherall", "his father"),
        Identity("parent_carer", "Gail Ashdown", "the foster carer", ("Mrs Ashdown",)),
        Identity("parent_carer", "Trevor Ashdown", "the foster carer"),
        Identity("other", "Lewis Carrick", "another young person"),
        Identity("school", "Hartburn Grange School", "his school"),
        Identity("practitioner", "Ian Dobson", "the police officer"),
    ),
    briefing=ANDREW,
    case_summary="Andrew was in the care of the local authority. Whilst in a foster placement he abused, and "
    "was convicted of abusing, another young person.",
    methodology_note=METHODOLOGY,
    seal_after_signoff=True,
)

# ---- Benjamin: in analysis -----------------------------------------------------------------------

BENJAMIN_REVIEW = ReviewSpec(
    pseudonym="Benjamin",
    target=State.ANALYSIS,
    incident_outcome="serious_harm",
    abuse_or_neglect="suspected",
    awareness_days_ago=20,
    incident_summary="Benjamin, a baby, was found to have injuries that could not be explained; his young "
    "mother was living with relatives.",
    agencies=(POLICE, HEALTH, SOCIAL),
    research_questions=(
        "Were the risks to a very young child in a complex family recognised and shared?",
        "How were decisions to close the case made and shared?",
    ),
    period=(YEAR + 200, 25),
    criteria=LEARNING,
    decision="A management review will look at how agencies worked together around a very young child.",
    case_group_agency=HEALTH,
    narratives={
        HEALTH: (
            Entry(
                YEAR + 180,
                "Midwife: a young single mother with a previous miscarriage and a history of an "
                "eating disorder and depression; complications at the birth.",
                (SOCIAL,),
                True,
            ),
            Entry(
                YEAR + 100,
                "Health visitor's early visits are regular and appropriate; the family live with relatives.",
            ),
            Entry(
                200,
                "School nurse raises concerns about the mother's younger brother's behaviour at home.",
                (SOCIAL,),
                True,
            ),
        ),
        SOCIAL: (
            Entry(
                190,
                "Referral from the school nurse; initial assessment starts late; the case is closed "
                "without discussion with health.",
                (),
                True,
            ),
            Entry(
                30,
                "Strategy meeting after Benjamin is seen with bruising; child protection enquiries begin.",
                (POLICE, HEALTH),
                True,
            ),
        ),
        POLICE: (
            Entry(400, "Call-out to a dispute in the extended family; no children recorded as present."),
            Entry(29, "Joint visit with children's social care.", (SOCIAL,), True),
        ),
    },
    episodes=(
        EpisodeSpec(
            title="The case is closed without discussion with health",
            valence="problematic",
            agencies=(SOCIAL, HEALTH),
            period=(190, 150),
            what_happened="After the school nurse's referral an initial assessment began late and the case was "
            "closed without discussion with the health visitor or school nurse.",
            view_from_tunnel="The social worker saw a mother cooperating and a baby who looked well.",
            appraisal="Procedures expect case closure to involve the agencies that referred and those involved.",
            appraisal_reference="Local procedures: case closure",
            explanation="Caseload pressure and a change of manager; the closure form does not ask who was consulted.",
            factors=(
                FactorSpec("frontline", "conditions_of_work", "Closure forms do not ask who was consulted."),
            ),
            entries=((SOCIAL, 0), (HEALTH, 2)),
        ),
        EpisodeSpec(
            title="Early health visiting",
            valence="good",
            agencies=(HEALTH,),
            period=(YEAR + 180, YEAR),
            what_happened="The health visitor visited early and regularly.",
            view_from_tunnel="She knew the family's history from the midwife.",
            appraisal="This met the Healthy Child Programme.",
            appraisal_reference="Healthy Child Programme (2009)",
            explanation="A good handover from midwifery.",
            factors=(
                FactorSpec(
                    "frontline", "inter_agency_team", "Midwife to health visitor handover is face to face."
                ),
            ),
            entries=((HEALTH, 0), (HEALTH, 1)),
        ),
    ),
    good_practice=(
        GoodPracticeSpec(
            "The school nurse's involvement led to the initial concerns being raised.",
            "The school nurse knew the extended family.",
            (HEALTH,),
        ),
    ),
    panel_appraisals={
        POLICE: "Police contact was with the extended family; the link to Benjamin was not made.",
    },
    findings=(
        FindingSpec(
            title="Case closure without the other agencies",
            category="tools",
            statement="Case closure forms do not ask who was consulted, so cases close without the agencies that "
            "raised the concern.",
            context="",
            how_it_showed="The referral from the school nurse closed without a conversation with health.",
            why_it_matters="",
            themes=("case_closure",),
            episodes=(0,),
            evidence=(),
            questions=(),
        ),
    ),
    register=(
        Identity("child", "Riley Jordan Pemberton", "Benjamin", ("Riley Pemberton",)),
        Identity("parent_carer", "Chantelle Pemberton", "his mother"),
        Identity("family_member", "Jason Pemberton", "his uncle"),
        Identity("address", "Flat 3, 118 Lindisfarne Road, Billingham, TS23 4XR", "his grandmother's flat"),
    ),
    briefing=BENJAMIN,
    case_summary="Benjamin was a young and vulnerable child. At the time of his birth there were a number of "
    "factors which could have raised concerns about his vulnerability.",
    submit_panel=False,
)

DEMO_REVIEWS: tuple[ReviewSpec, ...] = (ALICE_REVIEW, ANDREW_REVIEW, BENJAMIN_REVIEW)
DEMO_PARTNERSHIP = PARTNERSHIP


# ---- the data files ----------------------------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"
TARGETS = {state.value: state for state in State if state is not State.REFERRED}


def _entry(table: Table) -> Entry:
    entry = Entry(
        days_ago=table.days_ago("days_ago"),
        text=table.text("text"),
        aware=table.texts("aware"),
        significant=table.flag("significant", False),
    )
    table.done()
    return entry


def _narratives(top: Table) -> dict[str, tuple[Entry, ...]]:
    narratives = top.table("narratives", required=False)
    found = {agency: tuple(_entry(t) for t in narratives.tables(agency)) for agency in narratives.values}
    narratives.done()
    return found


def _entry_refs(table: Table, narratives: Mapping[str, Sequence[Entry]]) -> tuple[tuple[str, int], ...]:
    refs = []
    for index, ref in enumerate(table.array("entries")):
        where = f"entries[{index}]"
        if not (isinstance(ref, list) and len(ref) == 2 and isinstance(ref[0], str) and type(ref[1]) is int):
            raise table.error(where, "expected [agency, index of the entry in its narrative]")
        agency, number = ref
        if not 0 <= number < len(narratives.get(agency, ())):
            raise table.error(where, f"{agency}'s narrative has no entry {number} (they count from 0)")
        refs.append((agency, number))
    return tuple(refs)


def _factor(table: Table) -> FactorSpec:
    factor = FactorSpec(
        level=table.text("level"),
        category=table.text("category"),
        description=table.text("description"),
        evidence=table.text("evidence", ""),
    )
    table.done()
    return factor


def _episode(table: Table, narratives: Mapping[str, Sequence[Entry]]) -> EpisodeSpec:
    episode = EpisodeSpec(
        title=table.text("title"),
        valence=table.text("valence"),
        agencies=table.texts("agencies", required=True),
        period=table.period("period"),
        what_happened=table.text("what_happened"),
        view_from_tunnel=table.text("view_from_tunnel"),
        appraisal=table.text("appraisal"),
        appraisal_reference=table.text("appraisal_reference"),
        explanation=table.text("explanation"),
        factors=tuple(_factor(t) for t in table.tables("factors")),
        entries=_entry_refs(table, narratives),
    )
    table.done()
    return episode


def _index(table: Table, key: str, value: object, count: int, what: str) -> int:
    if type(value) is not int or not 0 <= value < count:
        raise table.error(key, f"{value!r} is not the index of one of the {count} {what} (from 0)")
    return value


def _good_practice(table: Table, episodes: int) -> GoodPracticeSpec:
    episode = table.optional_number("episode")
    spec = GoodPracticeSpec(
        what_went_well=table.text("what_went_well"),
        what_enabled_it=table.text("what_enabled_it"),
        agencies=table.texts("agencies", required=True),
        episode=None if episode is None else _index(table, "episode", episode, episodes, "episodes"),
    )
    table.done()
    return spec


def _evidence(table: Table) -> tuple[str, str, str]:
    evidence = (table.text("kind"), table.text("summary"), table.text("reference"))
    table.done()
    return evidence


def _finding(table: Table, episodes: int) -> FindingSpec:
    finding = FindingSpec(
        title=table.text("title"),
        category=table.text("category"),
        statement=table.text("statement"),
        context=table.text("context"),
        how_it_showed=table.text("how_it_showed"),
        why_it_matters=table.text("why_it_matters"),
        themes=table.texts("themes"),
        episodes=tuple(
            _index(table, f"episodes[{i}]", e, episodes, "episodes")
            for i, e in enumerate(table.array("episodes"))
        ),
        evidence=tuple(_evidence(t) for t in table.tables("evidence")),
        questions=table.texts("questions"),
        response=table.text("response", ""),
    )
    table.done()
    return finding


def _identity(table: Table) -> Identity:
    identity = Identity(
        kind=table.text("kind"),
        value=table.text("value"),
        pseudonym=table.text("pseudonym"),
        variants=table.texts("variants"),
        note=table.text("note", ""),
    )
    table.done()
    return identity


def _action(table: Table, findings: int) -> ActionSpec:
    action = ActionSpec(
        title=table.text("title"),
        owner_agency=table.text("owner_agency"),
        due_in_days=table.number("due_in_days"),
        status=table.text("status"),
        evidence_of_impact=table.text("evidence_of_impact", ""),
        finding=_index(table, "finding", table.number("finding"), findings, "findings"),
    )
    table.done()
    return action


def _briefing(top: Table, reference: Reference) -> BriefingData:
    name = top.text("briefing")
    if name not in reference.cases:
        raise top.error(
            "briefing", f"{name!r} is not one of the reference's cases ({', '.join(reference.cases)})"
        )
    return reference.cases[name]


def read_review(path: Path, reference: Reference) -> ReviewSpec:
    """One demo review from its data file; `DemoDataError` names the file, the key and what is wrong."""
    top = read_file(path)
    narratives = _narratives(top)
    episodes = tuple(_episode(t, narratives) for t in top.tables("episodes"))
    findings = tuple(_finding(t, len(episodes)) for t in top.tables("findings"))
    spec = ReviewSpec(
        pseudonym=top.text("pseudonym"),
        target=top.choice("target", TARGETS),
        incident_outcome=top.text("incident_outcome"),
        abuse_or_neglect=top.text("abuse_or_neglect"),
        awareness_days_ago=top.number("awareness_days_ago"),
        incident_summary=top.text("incident_summary"),
        agencies=top.texts("agencies", required=True),
        research_questions=top.texts("research_questions", required=True),
        period=top.period("period"),
        criteria=top.strings("criteria", required=True),
        decision=top.text("decision"),
        case_group_agency=top.text("case_group_agency"),
        narratives=narratives,
        episodes=episodes,
        good_practice=tuple(_good_practice(t, len(episodes)) for t in top.tables("good_practice")),
        panel_appraisals=top.strings("panel_appraisals"),
        findings=findings,
        register=tuple(_identity(t) for t in top.tables("register")),
        briefing=_briefing(top, reference),
        case_summary=top.text("case_summary"),
        methodology_note=top.text("methodology_note", ""),
        board_response=top.text("board_response", ""),
        actions=tuple(_action(t, len(findings)) for t in top.tables("actions")),
        conversation=top.strings("conversation"),
        submit_panel=top.flag("submit_panel", True),
        seal_after_signoff=top.flag("seal_after_signoff", False),
    )
    top.done()
    return spec


def read_referral(path: Path) -> ReferralSpec:
    """A review that is only referred (Daisy) from its data file."""
    top = read_file(path)
    spec = ReferralSpec(
        pseudonym=top.text("pseudonym"),
        incident_outcome=top.text("incident_outcome"),
        abuse_or_neglect=top.text("abuse_or_neglect"),
        awareness_days_ago=top.number("awareness_days_ago"),
        incident_summary=top.text("incident_summary"),
        agencies=top.texts("agencies", required=True),
    )
    top.choice("target", {"referred": State.REFERRED})
    top.done()
    return spec
