# ruff: noqa: E501
"""The three reviews of the reference briefing (`shared/reference/lscb-briefing-2011.md`) as briefing data.

The wording is the reference's, kept verbatim (including its punctuation), so that the practitioner
briefing rendered for the Alice demo review reproduces the reference's headings and content. The names are
the reference's own pseudonyms. The demo loader and the golden-file tests both read from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from api.demo.reader import Table, read_file
from findings.publication.view_model import (
    BoardBriefing,
    BriefingData,
    BriefingItem,
    BriefingSection,
    SourceKind,
    Text,
    text,
)

PARTNERSHIP = "Stockton-on-Tees Local Safeguarding Children Board"
REVIEW_TYPE = "management review"

# A bullet is its words, or its words with sub-bullets.
Bullet = str | tuple[str, Sequence[str]]


def _texts(
    review: str, field: str, paragraphs: Sequence[str], kind: SourceKind = SourceKind.BRIEFING
) -> tuple[Text, ...]:
    return tuple(text(p, kind, review, field, number) for number, p in enumerate(paragraphs, start=1))


def _items(review: str, field: str, bullets: Sequence[Bullet]) -> tuple[BriefingItem, ...]:
    items = []
    for number, bullet in enumerate(bullets, start=1):
        words, children = (bullet, ()) if isinstance(bullet, str) else bullet
        items.append(
            BriefingItem(
                text(words, SourceKind.BRIEFING, review, field, number),
                tuple(
                    BriefingItem(text(child, SourceKind.BRIEFING, review, field, f"{number}.{sub}"))
                    for sub, child in enumerate(children, start=1)
                ),
            )
        )
    return tuple(items)


def _section(
    review: str,
    field: str,
    heading: str,
    *,
    intro: Sequence[str] = (),
    items: Sequence[Bullet] = (),
    outro: Sequence[str] = (),
) -> BriefingSection:
    return BriefingSection(
        heading=heading,
        intro=_texts(review, f"{field}_intro", intro),
        items=_items(review, field, items),
        outro=_texts(review, f"{field}_outro", outro),
    )


def _briefing(
    review: str,
    pseudonym: str,
    *,
    background: Sequence[str],
    key_issues: BriefingSection,
    positive_factors: BriefingSection,
    lessons_learned: BriefingSection,
) -> BriefingData:
    return BriefingData(
        review_id=review,
        child_pseudonym=text(pseudonym, SourceKind.REVIEW, review, "child_pseudonym"),
        review_type=REVIEW_TYPE,
        background=_section(review, "background", "Background", intro=background),
        key_issues=key_issues,
        positive_factors=positive_factors,
        lessons_learned=lessons_learned,
        partnership=PARTNERSHIP,
    )


ALICE = _briefing(
    "alice",
    "Alice",
    background=[
        "Alice, aged 6 and her sister were reported to be in an extremely neglected, unhygienic state with "
        "excrement on their legs. Emergency police services for the second night running had been notified "
        "that Alice's mother was suicidal.",
        "Serious neglect was not flagged up as requiring a more critical response from any agency prior to "
        "the above incident despite knowledge that the mother was young and vulnerable",
    ],
    key_issues=_section(
        "alice",
        "key_issues",
        "Key Issues Gleaned from a Facilitated Discussion",
        intro=["These were identified as:"],
        items=[
            "All agencies seemed to lack a clear understanding about neglect- understanding and identifying "
            "it, analysing whether improvements had been achieved for the long-term and taking action in cases "
            "where neglect was likely to impair health and development of children. Some of the group (not "
            "those in Education) were aware of a current LSCB initiative around neglect but unclear on how "
            "this was helping front-line practice.",
            "Dealing with non-attendance as an issue- relating both to the children's poor school attendance, "
            "and poor attendance at Alice's dental appointments",
            "Issues were identified around engagement with the dentist and GP which raised safeguarding "
            "issues. This was especially worrying in respect of the severe dental decay suffered by Alice and "
            "repeated failed appointments to provide treatment. There seemed to be no understanding of the "
            "well-established link between severe dental decay in pre-school and primary school aged children "
            "and neglect.",
            "Practitioners needed to grapple with identifying serious neglect when in fact the children "
            "presented frequently when at school in ways which did not suggest that they were suffering "
            "significant harm. The group was concerned that the levels of neglect were far more widespread "
            "than services had resources with which to deal adequately.",
            "There were concerns about information sharing. A CAF assessment had been completed by the School "
            "Attendance service but other agencies were not aware of this and had not checked the common "
            "database where this information would have lain. It was noted that the CAF assessment indicated "
            "that attendance improved when the mother was confronted with the threat of legal action.",
            "All services needed to undertake assessment and intervention work on the basis of seeking to "
            "achieve sustainable change and not focus only on single issues such as non-school attendance.",
            "There were a number of changes to nursery and school and some household moves. The reasons for "
            "changes were not well understood and therefore the significance of changes not analysed.",
            "An earlier initial assessment undertaken when Alice was very young had not been followed up with "
            "any further action or monitoring. Subsequent requests by the mother for emergency financial "
            "assistance from children's services had not led to an assessment.",
            "The pre-birth assessment had not been completed fully and the midwife's concerns about "
            "vulnerability not acted upon by any other practitioner.",
            "There had been little effort expended in trying to understand the world from Alice's point of "
            "view although the group acknowledged that the house had not been in an unfit state when home "
            "visits had been undertaken up to 9 months earlier by the School Attendance Team.",
            "The case highlighted limited understanding about how to know when family support services were "
            "making a difference which could be sustained over time.",
        ],
    ),
    positive_factors=_section(
        "alice",
        "positive_factors",
        "Positive Factors",
        intro=[
            "Not everything in this case as with most cases, was flawed there were some positive factors.",
        ],
        items=[
            "The entry to care was managed appropriately between all agencies involved, notably the police, "
            "Ambulance Service and Children's Services.",
            "The depth of description provided by both paramedics and police officers of the scene on the "
            "night of removal into police protection was of high quality and assisted later attempts to ensure "
            "that the children were protected in foster care.",
            "The midwife identified at pre-birth stage the level of vulnerability of the family.",
            "The Attendance Team had achieved its end of improving Alice's school attendance and the school "
            "staff provided reliable supportive approaches to Alice, her sister and mother.",
            "The social care Home Visiting Team achieved its expectations when involved earlier in the case "
            "in establishing routines and enabling the house to be kept cleaner.",
        ],
    ),
    lessons_learned=_section(
        "alice",
        "lessons_learned",
        "Lessons Learned",
        intro=["There is a need for:"],
        items=[
            "Appropriate and timely intervention for neglect cases",
            "Vulnerable Young People to be appropriately supported to bring up their children within the "
            "community",
            "Effective inter-agency child protection working by GPs and Dentists.",
            "Information shared to support work with children and families within the CAF framework",
            "Quality Assurance audit trails to ensure effectiveness of action and support provided to families",
            "Male Carers to be fully considered and included in the assessment process",
        ],
    ),
)

ANDREW = _briefing(
    "andrew",
    "Andrew",
    background=[
        "Andrew was in the care of the Local Authority. Whilst in a foster placement he abused and was "
        "convicted of abusing, another young person.",
        "This raised questions regarding the level of supervision he received when in foster care, the way "
        "agencies involved had worked together, the way that information was shared and whether the levels "
        "of risk had been adequately identified and managed.",
        "He is now serving concurrent sentences, detained under the Mental Health Act and will be on the sex "
        "offenders' register indefinitely.",
    ],
    key_issues=_section(
        "andrew",
        "key_issues",
        "Key Issues",
        intro=["Identified that were a cause of concern:"],
        items=[
            "the level of supervision provided and required in his placement;",
            "the understanding of the agencies involved as to the level of risk that Andrew posed within the "
            "community;",
            "communication between foster carers and agencies in terms of Andrew's background and the level "
            "of risk he presented;",
            "factors in Andrew's background that agencies were aware of, which might have influenced the risk "
            "level and type of placement he was in;",
            "the relationship between the local authority, as commissioner, and the independent fostering "
            "agency, as provider, in terms of monitoring arrangements and overview of the contract;",
            "information on any other children placed with the foster carers during the period in question, "
            "and any concerns or issues arising from their care.",
        ],
    ),
    positive_factors=_section(
        "andrew",
        "positive_factors",
        "Positive Factors",
        items=[
            "There was evidence of good practice in relation to sharing of information in the early days of "
            "this case. The GP and Health Visitor shared information appropriately. The Health Visitor and "
            "School Nurse shared concerns and the School Nurse accepted the responsibility of liaison with "
            "school staff.",
            "Children, Schools and Complex Needs staff recognised that the parents may have had difficulty "
            "understanding the Statement of Special Educational Needs process and therefore a home visit was "
            "made to them to explain the documentation and procedure.",
            "Assessment & Therapeutic Centre staff regularly shared information, followed up in written form, "
            "in respect of their work with Andrew. This is identified as their standard of acceptable normal "
            "practice rather than specific good practice.",
            "The Police Officer who dealt with the first incident of sexual assault ensured that Andrew "
            "receive an official caution, which ensured that any subsequent offending would recognise this "
            "concerning incident.",
            "The Family Support Worker, who became involved with the family at an early stage, demonstrated "
            "good understanding of the family's needs and responded accordingly.",
        ],
    ),
    lessons_learned=_section(
        "andrew",
        "lessons_learned",
        "Lessons Learned",
        intro=["There is a need for:"],
        items=[
            "Robust evidenced based assessment informed by historical information, including inter-agency "
            "information and research, in particular with regard to young people who sexually harm and "
            "parents who have learning disabilities.",
            "Local Authorities to ensure that when they are commissioning specialist services from other "
            "agencies that appropriate contracts are established.",
            "Carers who are caring for children/young people who may pose a risk to others in the community "
            "are advised and assisted as to what information can be given in order to minimise any risk the "
            "child/young person may pose.",
            "Staff to be cognisant of the Good Practice Guidance on Working with Parents with a Learning "
            "Disability.",
            "Decision making in respect of future planning for young people who are 'Looked After' to be "
            "evidence based and multi-agency.",
            "Staff within Children Education and Social Care to accurately record the purpose of visits and "
            "when children are seen alone.",
            "The procedures in respect of reviewing 'Looked after Children' are adhered to.",
            "The need for all professionals to be reminded on a regular basis to refer and adhere to the "
            "Multi-Agency Safeguarding Children Procedures.",
            "The requirement that an experienced qualified social worker to undertake assessment where sexual "
            "abuse is a feature of the case.",
            "The need to understand the risks in relation to young people who sexually harm.",
            "The need for regular and reflective supervision.",
        ],
    ),
)

BENJAMIN = _briefing(
    "benjamin",
    "Benjamin",
    background=[
        "Benjamin was a young and vulnerable child. At the time of his birth there were a number of factors "
        "in existence, which should have raised concerns with professionals about his vulnerability.",
        "The review identified concerns about the level of involvement from services, lack of communication "
        "between services and whether safeguarding procedures were followed.",
    ],
    key_issues=_section(
        "benjamin",
        "key_issues",
        "Key Issues",
        intro=[
            "The following are some of the issues that should have alerted professionals and raised concerns "
            "with them about Benjamin's safety and vulnerability:",
        ],
        items=[
            (
                "He had a young single parent who had;",
                [
                    "had a previous miscarriage;",
                    "previous mental health concerns (eating disorder and depression);",
                ],
            ),
            "there were complications with the birth;",
            "there was a history of violence, in the extended family;",
            "there was ongoing involvement in the family re the uncle and his behaviour;",
            "there were housing issues, Benjamin and his mother were not in their own home.",
        ],
        outro=[
            "There were a number of agencies involved with the family throughout the period covered by the "
            "review so there were opportunities to intervene.",
            "The family were not lost to the system. However, there did not appear to be any significant "
            "coordinated multi-agency assessment or use of the Common Assessment Framework, to support the "
            "pooling of information and agreeing actions.",
        ],
    ),
    positive_factors=_section(
        "benjamin",
        "positive_factors",
        "Positive Factors",
        intro=["Some areas of good practice were identified:"],
        items=[
            "there was evidence of some good liaison at various points between professionals e.g. Housing did "
            "try to pursue contacts with CESC;",
            "school nurse involvement did lead to the raising of the initial concerns;",
            "early Health Visitor involvement was appropriate.",
        ],
    ),
    lessons_learned=_section(
        "benjamin",
        "lessons_learned",
        "Lessons Learned",
        items=[
            "Assessments need to be thorough and multi-agency, particularly where a very young child is "
            "involved and risks clearly identified;",
            "The CAF process should be used at as early a stage as possible to support the early "
            "identification of concerns from agencies and to support multi-agency working;",
            "Staff need to be supported to challenge decisions by other agencies;",
            "Case closure should always involve discussion and liaison with other agencies;",
            "Timescales for Initial Assessments and Section 47 enquiries need to be consistent and in line "
            "with procedures;",
            "Medical assessments should be undertaken for all cases of very young children where there are "
            "child protection concerns around neglect, physical abuse and/or sexual abuse;",
            "There needs to be a focus on the vulnerabilities of very young children in families where "
            "agencies are involved with other members;",
            "There needs to be clear liaison with all agencies working in complex families, including the "
            "regular sharing of case records at meetings whose purposes are clearly defined;",
            "The process between strategy meetings and child protection conferences needs to be managed in "
            "terms of ongoing risks. It is not just about getting an assessment done;",
            "There needs to be a clear focus on risk when there are a number of changes of worker/manager;",
            'There needs to continue to be a challenge to the "rule of optimism" which was evident in this '
            "case;",
            "In future management reviews, consideration should be given to the need to access files of "
            "relevant others, where there are complex family situation",
        ],
    ),
)

REFERENCE_BRIEFINGS: tuple[BriefingData, ...] = (ALICE, ANDREW, BENJAMIN)


def board_briefing(published_on: date | None = None) -> BoardBriefing:
    """The reference's own gathering of the three reviews, with its introduction."""
    return BoardBriefing(
        title="Learning Lessons from Serious Case Reviews & Management Case Reviews",
        partnership=PARTNERSHIP,
        introduction=_texts(
            "reference",
            "introduction",
            [
                "One of the prerequisites of a Local Safeguarding Children Board is to co-ordinate "
                "safeguarding children activity and learn how to do this better to improve outcomes for "
                "children. Stockton LSCB carries this function out not only by receiving, discussing and "
                "providing challenge to the monitoring and audit reports that are presented to the Board but "
                "also by undertaking Serious Case Reviews (SCR) and Management Reviews.",
                "This edition of SLSCB Safeguarding Children Briefing cover the lessons learned from reviews "
                "undertaken in Stockton recently.",
            ],
            SourceKind.BOARD_BRIEFING,
        ),
        reviews_heading="Stockton LSCB Case Reviews",
        reviews_intro=_texts(
            "reference",
            "reviews_intro",
            [
                "Local Safeguarding Children Boards can undertake multi agency case reviews when the criteria "
                "for a Serious Case Review is not met as detailed in Chapter 8 of Working Together 2010. It "
                "may do this if it thinks there are lessons to be learned by agencies and individuals to "
                "improve the way in which they work both individually and collectively to safeguard and "
                "promote the welfare of children.",
                "In Stockton we have recently concluded a few Management Reviews under this process. The "
                "following is a summary of their findings.",
            ],
            SourceKind.BOARD_BRIEFING,
        ),
        briefings=REFERENCE_BRIEFINGS,
        published_on=published_on,
    )


# ---- the data file -----------------------------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"
SECTIONS = ("background", "key_issues", "positive_factors", "lessons_learned")


@dataclass(frozen=True)
class Reference:
    """The reference briefing: its partnership, its cases by name, and its own gathering of them."""

    partnership: str
    cases: Mapping[str, BriefingData]
    board: BoardBriefing


def _file_texts(table: Table, key: str, review: str, field: str, kind: SourceKind) -> tuple[Text, ...]:
    return tuple(text(p, kind, review, field, n) for n, p in enumerate(table.texts(key), start=1))


def _file_item(table: Table, index: int, value: object, review: str, field: str) -> BriefingItem:
    number = index + 1
    if isinstance(value, str):
        return BriefingItem(text(value, SourceKind.BRIEFING, review, field, number))
    if not isinstance(value, dict):
        raise table.error("items", f"item {number} must be a string or {{ text = ..., items = [...] }}")
    item = Table(table.file, f"{table.where('items')}[{index}]", value)
    words = item.text("text")
    children = tuple(
        BriefingItem(text(child, SourceKind.BRIEFING, review, field, f"{number}.{sub}"))
        for sub, child in enumerate(item.texts("items", required=True), start=1)
    )
    item.done()
    return BriefingItem(text(words, SourceKind.BRIEFING, review, field, number), children)


def _file_section(case: Table, field: str, review: str) -> BriefingSection:
    table = case.table(field)
    heading = table.text("heading")
    intro = _file_texts(table, "intro", review, f"{field}_intro", SourceKind.BRIEFING)
    raw = table.array("items")
    items = tuple(_file_item(table, i, value, review, field) for i, value in enumerate(raw))
    outro = _file_texts(table, "outro", review, f"{field}_outro", SourceKind.BRIEFING)
    table.done()
    return BriefingSection(heading=heading, intro=intro, items=items, outro=outro)


def _file_case(cases: Table, review: str, partnership: str, review_type: str) -> BriefingData:
    case = cases.table(review)
    pseudonym = case.text("pseudonym")
    background, key_issues, positive, lessons = (_file_section(case, name, review) for name in SECTIONS)
    case.done()
    return BriefingData(
        review_id=review,
        child_pseudonym=text(pseudonym, SourceKind.REVIEW, review, "child_pseudonym"),
        review_type=review_type,
        background=background,
        key_issues=key_issues,
        positive_factors=positive,
        lessons_learned=lessons,
        partnership=partnership,
    )


def read_reference(path: Path = DATA / "reference.toml") -> Reference:
    """The reference briefing's cases from its data file; `DemoDataError` names the key that is wrong."""
    top = read_file(path)
    partnership, review_type = top.text("partnership"), top.text("review_type")
    cases = top.table("cases")
    found = {name: _file_case(cases, name, partnership, review_type) for name in cases.values}
    board = top.table("board")
    order = board.texts("cases", required=True)
    for index, name in enumerate(order):
        if name not in found:
            raise board.error("cases", f"{name!r} (item {index + 1}) is not one of the [cases]")
    gathered = BoardBriefing(
        title=board.text("title"),
        partnership=partnership,
        introduction=_file_texts(
            board, "introduction", "reference", "introduction", SourceKind.BOARD_BRIEFING
        ),
        briefings=tuple(found[name] for name in order),
        reviews_heading=board.text("reviews_heading"),
        reviews_intro=_file_texts(
            board, "reviews_intro", "reference", "reviews_intro", SourceKind.BOARD_BRIEFING
        ),
    )
    board.done()
    top.done()
    return Reference(partnership=partnership, cases=found, board=gathered)
