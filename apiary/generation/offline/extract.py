"""What a prompt names explicitly: roles, who does what, entities, fields, children.

Plain regular expressions over the prompt's clauses, no model: they read the forms people use
to describe business apps ("employees submit claims with a due date and an amount; a manager
approves; finance pays"). What they miss, the blueprint supplies; what they find wins over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from apiary.definition.names import ENGINE_ENTITIES
from apiary.generation.offline.lexicon import (
    APPROVE_VERBS,
    ASSOCIATION_VERBS,
    CREATE_VERBS,
    ENTITY_SHAPES,
    PARTY_WORDS,
    PURE_VERBS,
    RECORD_MAKING_VERBS,
    RECORD_NOUNS,
    ROLE_WORDS,
    VERBS,
    VIEWER_HINTS,
    entity_shape,
    field_spec,
    plural,
    singular,
    snake,
)

ARTICLES = {"a", "an", "the", "their", "its", "his", "her", "our", "your", "each", "every",
            "some", "any", "optional", "required", "mandatory", "own", "new", "all", "also",
            "whole", "entire", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "ten", "twelve"}
NOT_FIELDS = {"it", "them", "they", "that", "this", "which", "who", "people", "user", "users",
              "way", "ability", "option", "need", "lot", "thing", "things", "app", "system",
              "tool", "status", "state", "workflow", "id", "data", "information", "info",
              "details", "field", "fields", "approval", "approvals", "time", "do", "does",
              "did", "done", "how", "etc", "column", "columns", "best", "what", "where"}
RESERVED = {"id", "created_at", "updated_at", "created_by", "updated_by", "row_version",
            "true", "false", "null", "in", "user", "now", "today", "as", "break", "const",
            "continue", "else", "for", "function", "if", "import", "let", "loop", "namespace",
            "package", "return", "var", "void", "while", "state"}
MANY = r"(?:several|multiple|many|one or more|a list of|a number of|any number of|lots of)"
_BOUNDARY = (r"(?=[.;:!?]|\bwhere\b|\bwhich\b|\bwho\b|\bthat\b|\bso\b|\bthen\b|\bwhen\b|"
             r"\bwhile\b|\bbecause\b|\bonce\b|\bafter\b|\bbefore\b|\bbut\b|$)")


FILLERS = {"can", "may", "must", "will", "should", "to", "also", "finally", "later", "first",
           "then", "s", "team", "department", "need", "needs", "wants", "want", "able", "be",
           "only", "just", "usually", "always", "each", "either", "both"}
PASSIVE = {"are", "is", "be", "been", "being", "was", "were", "get", "gets", "got"}
NOT_ENTITIES = {"completion", "attendance", "progress", "everything", "anything", "history",
                "activity", "changes", "decision", "approval", "time", "hours", "them", "it",
                "status", "reporting", "tracking", "management", "handling", "scheduling",
                "planning", "logging", "monitoring", "process", "workflow", "goods", "log",
                "list", "number", "detail", "details", "thing", "stuff", "credit", "work",
                "data", "info", "information", "people", "everyone", "anyone", "one",
                "ones", "other", "others", "nobody", "someone", "something", "intake", "hey",
                "hi", "hello", "please", "thanks", "over", "under", "above", "below",
                "need", "needs"}
_COMMON_VERBS = {"want", "come", "go", "send", "decide", "join", "reach", "agree", "arrive",
                 "happen", "become", "seem", "tell", "bring", "explain", "expect", "allow",
                 "include", "know", "think", "get", "give", "see", "mean", "let"}
_EVERYDAY_VERBS = {verb + ending for verb in _COMMON_VERBS for ending in ("", "s", "es", "d",
                                                                          "ed")} | {
    "came", "went", "gone", "sent", "gave", "given", "saw", "seen", "known", "knew", "thought",
    "got", "told", "brought", "wanting", "coming", "going", "sending", "deciding", "joining",
    "sold", "bought", "made", "spent"}
"""Everyday verbs that never end a record's name ("what the owner wants", "what actually
reaches the bank")."""
_NEVER_IN_NAMES = {"hasn", "hadn", "isn", "wasn", "aren", "weren", "don", "doesn", "didn",
                   "couldn", "shouldn", "wouldn", "pdf", "csv", "docx", "jpeg", "summer",
                   "winter", "spring", "autumn", "month", "week", "year", "morning", "afternoon",
                   "evening", "weekend", "everything", "anything", "something", "nothing",
                   "everyone", "anyone", "someone"}
"""Contractions, file formats, periods and pronouns ("everything starts with") never name a
record, wherever they stand in the phrase."""
_CONTAINERS = {"column", "columns", "field", "fields", "header", "headers", "heading",
               "headings", "sheet", "sheets", "tab", "tabs", "spreadsheet", "excel", "form",
               "forms", "row", "rows", "cell", "cells"}
"""Where a record is written down, never the record alone ("Columns: ...", "the form")."""
RECORD_VERBS = {"record", "records", "recording", "store", "stores", "storing", "capture",
                "captures", "capturing"}


def _default_roles() -> re.Pattern[str]:
    return role_regex()


@dataclass
class Action:
    role: str
    verb: str
    position: int
    waits: bool = False
    """A check or review another step follows: the record waits under review for it."""
    joined: str = ""
    """The word that joins it to the step before, said by the same role ("," "or" "and"); the
    last of a list that ends in "or" ("repair, replace or scrap") counts as "or"."""

    def move(self) -> tuple[str, str]:
        """The transition this step takes and the state it leads to."""
        transition, target = VERBS[self.verb]
        return (transition, "under_review") if self.waits else (transition, target)


@dataclass
class Intent:
    roles: list[str] = field(default_factory=list)
    viewers: set[str] = field(default_factory=set)
    actions: list[Action] = field(default_factory=list)
    entities: list[tuple[str, int]] = field(default_factory=list)
    """Entity phrases (singular, lowercase) with their position, in order of mention."""
    fields: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)
    """Field name, spec, position in the prompt (to attach it to the nearest entity)."""
    children: list[tuple[str, int]] = field(default_factory=list)
    weak: set[str] = field(default_factory=set)
    """Entity phrases only seen as the app's subject ("a recruiting app"): used to name a
    blueprint's entity, never to add one."""
    delete_roles: set[str] = field(default_factory=set)
    states: list[str] = field(default_factory=list)
    """States the prompt lists in order ("moves through screening, interview, offer...")."""
    final_states: set[str] = field(default_factory=set)
    states_at: int = 0
    delete_all: bool = False
    extra_roles: tuple[str, ...] = ()
    role_re: re.Pattern[str] = field(default_factory=lambda: _default_roles())
    currency: str = ""
    name: str = ""
    links: list[tuple[str, str, int]] = field(default_factory=list)
    """Pairs of entity phrases the prompt ties together ("tickets belong to accounts"): the
    first points at the second."""
    associations: list[tuple[str, str, str, int]] = field(default_factory=list)
    """Who does what to which thing, leaving a record of its own: (subject word, record noun,
    object phrase or "", position) for "members borrow books" → (member, loan, book)."""
    title: str = ""
    """The record a prompt opening with a bare noun phrase names ("Weekly timesheets.")."""
    secondary: set[int] = field(default_factory=set)
    """Positions of entity mentions that name what a record points at ("per location"), not
    the record the words after them describe."""
    counted: set[int] = field(default_factory=set)
    """Positions of what the organisation counts ("we manage about 1,200 tenancies"): a
    register the records point at, never the record the prompt opens with."""
    outcomes: list[tuple[str, list[str], int]] = field(default_factory=list)
    """Where a decision ends ("the panel decides: upheld, partially upheld or dismissed"):
    the role deciding, the final states, the position."""
    sentences: list[tuple[int, int]] = field(default_factory=list)
    """Where each sentence (or ;-clause) of the prompt starts and ends."""
    passives: list[tuple[str, int]] = field(default_factory=list)
    """Steps told in the passive, with no one named ("the permit is issued"): verb, position."""
    nouns: set[str] = field(default_factory=set)
    """Words the lists call verbs that the prompt uses as nouns ("each hire has...")."""
    opening: str = ""
    """The prompt's first sentence, lowercase."""
    handled: str = ""
    """What the office a prompt opens with handles ("University placement office." →
    placement): the record, when the prompt names no other."""
    words: str = ""
    """The prompt's words, singular and lowercase, space-separated with a space at each end,
    to ask whether it speaks of something at all (``" insurance claim "``)."""
    lists: list[tuple[int, int]] = field(default_factory=list)
    """Where each list of a record's fields stands in the prompt."""
    prose: str = ""
    """``words`` without the lists of fields: what the prompt speaks of as things, not as
    columns ("hour meter reading" among a check's fields is no app about meters)."""
    listed: str = ""
    """The words of the lists of fields, in the same form."""


@lru_cache(maxsize=1)
def verb_forms() -> dict[str, str]:
    """Every inflection of the known verbs → the verb (``approves``, ``approved`` → approve)."""
    forms: dict[str, str] = {}
    for verb in list(VERBS) + sorted(CREATE_VERBS) + sorted(ASSOCIATION_VERBS):
        if " " in verb:
            head, particle = verb.split()
            for form in (head, head + "s", head + "ed", head + "ing", head + head[-1] + "ed"):
                forms.setdefault(f"{form} {particle}", verb)
                forms.setdefault(f"{form}-{particle}", verb)
            continue
        stem = verb[:-1] if verb.endswith("e") else verb
        for form in (verb, verb + "s", verb + "es", verb + "d", verb + "ed", stem + "ing",
                     verb[:-1] + "ies", verb[:-1] + "ied", verb + verb[-1] + "ed",
                     verb + verb[-1] + "ing"):
            forms.setdefault(form, verb)
        if verb in VERBS:
            forms.setdefault(VERBS[verb][1], verb)
    forms.update({"paid": "pay", "pays": "pay", "won": "win", "lost": "lose",
                  "sent": "return", "raised": "raise", "filed": "file"})
    return forms


@lru_cache(maxsize=64)
def role_regex(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Role mentions: the known role words, "the X team", and this prompt's agent nouns."""
    words = sorted(set(ROLE_WORDS) | set(extra), key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    article = (r"(?!(?:the|their|a|an|our|its|his|her|and|or|of|to|by|for|with|each|every|"
               r"your|whole|same|this|that|then|once|when|if|so|but|while|after|before|all|"
               r"any|only|also|finally|where|who|whose|is|are|from|in|on|at|as|no|one|"
               r"responsible|assigned|direct|own|new|other|which|what|some|many|more|most|"
               r"relevant|right|named)\s)")
    # "the heavy haulage manager", "a revenue protection inspector": up to two words before
    compound = (rf"(?<!')(?:[a-z]+\s+{article})?[a-z]+\s+(?:team|manager|officer|lead|leader|"
                r"coordinator|director|clerk|specialist|holder|board|committee|panel|administrator|owner|supervisor|"
                r"associate|representative|adviser|advisor|assistant|desk|office|handler|"
                r"engineer|analyst|planner|controller|auditor|accountant|technician|"
                r"inspector|scientist|designer|developer|buyer|editor|assessor|adjuster|"
                r"underwriter|investigator|consultant|nurse|agent|authority|superintendent|"
                r"champion|signatory|executive)")
    # "a senior broker", "the head teacher": a role of its own, above or beside the plain one
    qualified = (r"(?:senior|junior|head|chief|deputy|principal|lead|trainee)\s+"
                 rf"(?:{alternatives})")
    return re.compile(rf"\b(?:the\s+)?({article}{compound}|{qualified}|{alternatives})(?:e?s)?\b")


_ROLES = role_regex()


def role_name(phrase: str) -> str:
    phrase = " ".join(phrase.split())
    if phrase in ROLE_WORDS:
        return ROLE_WORDS[phrase]
    if phrase.endswith(" team"):
        base = phrase[: -len(" team")].strip()
        # "the claims team" works on claims: `claims`, as people say it
        return ROLE_WORDS.get(base, ROLE_WORDS.get(singular(base), snake(phrase)))
    words = phrase.split()
    if words[-1] != "affairs":  # ("regulatory affairs" has no singular)
        words[-1] = singular(words[-1])
    joined = " ".join(words)
    return ROLE_WORDS.get(joined, snake(joined))


_LINKS = ("to", "of", "and", "for")


def _spell_out(text: str) -> str:
    """"BEOs (banquet event orders)", "permit to work (PTW)": the acronym stands for the
    words, everywhere in the prompt, so that the record is named once, in words."""
    found: dict[str, list[str]] = {}
    brackets: list[tuple[int, int]] = []
    for match in re.finditer(r"\b([a-z]{2,6}?)s?\s*(\(([a-z][a-z -]{3,60}?)\))|"
                             r"\b((?:[a-z]+[ -]){1,5}[a-z]+?)\s*(\(([a-z]{2,6}?)s?\))", text):
        acronym, words, bracket = (match.group(1), match.group(3), match.span(2)) \
            if match.group(1) else (match.group(6), match.group(4), match.span(5))
        parts = re.findall(r"[a-z]+|-", words)
        names = [w for w in parts if w != "-"]
        for first in range(len(names)):
            tail = names[first:]
            if acronym in ("".join(w[0] for w in tail),
                           "".join(w[0] for w in tail if w not in _LINKS)):
                found[acronym] = tail
                brackets.append(bracket)
                break
    for begin, stop in sorted(brackets, reverse=True):
        text = text[:begin].rstrip() + text[stop:]
    for acronym, tail in found.items():
        # the head is the last word, or the first before "to", "of"... ("permit to work")
        head = 0 if any(w in _LINKS for w in tail) else len(tail) - 1
        one = [singular(w) if i == head else w for i, w in enumerate(tail)]
        many = [plural(w) if i == head else w for i, w in enumerate(one)]
        text = re.sub(rf"\b{acronym}s\b", " ".join(many), text)
        text = re.sub(rf"\b{acronym}\b", " ".join(one), text)
    return text


def _number(match: re.Match[str]) -> str:
    """"ear tag no., breed", "no. of customers", "lab invoice no. The nurse": the
    abbreviation names a number; what follows it (a comma, "of", or the next sentence) stays."""
    before, after = match.group(1), match.group(2)
    if before in ("or", "and", "yes", "say", "says", "said", "answer", "answers", "is", "a"):
        return match.group(0)  # "billable yes or no. They submit": the word no
    return f"{before} number{after if after is not None else '.'}"


def normalise(text: str) -> str:
    """Phrasal verbs the tables read as one word; "keep a log of X" is "keep X"; acronyms
    spelled out where the prompt says what they stand for."""
    text = _spell_out(text)
    text = re.sub(r"\b(e\.g|i\.e)\.", lambda m: m.group(1).replace(".", ""), text)
    text = re.sub(r"\b([a-z]+)\s+no\.(\s*[,;/)]|\s+of\b)?", _number, text)
    text = re.sub(r"\b(keep|keeps|maintain|maintains)\s+(?:a |an |the )?(?:log|list|record|"
                  r"history|register)\s+of\s+(?:each |every |all |the )?", r"\1 ", text)
    text = re.sub(r"\b(sign|signs|signed|signing)\s+(?:them|it)\s+off\b", r"\1 off", text)
    text = re.sub(r"\b(?:sign|signs|signed|signing)[- ]up\b", "signup", text)
    # "each person's yearly allowance": the allowance is the record, not the person
    # ("each freelancer's bank details" keeps the person: their details are a record)
    text = re.sub(r"\b(each|every|their|our)\s+[a-z]+'s\s+(?!(?:[a-z]+\s+){0,3}?details\b)",
                  r"\1 ", text)
    text = re.sub(r"\b([a-z]+)'s\s+(?=(?:representative|manager|team|officer|lead|leader|"
                  r"contact|agent|office|assistant)\b)", r"\1 ", text)
    text = re.sub(r"\b(fill|fills|filled|filling)\s+(?:in|out)\b", "fill", text)
    # "approves it or sends it back with questions": returns it
    text = re.sub(r"\b(send|sends|sent|sending)\s+(it|them)\s+back\b",
                  lambda m: {"send": "return", "sends": "returns", "sent": "returned",
                             "sending": "returning"}[m.group(1)] + " " + m.group(2), text)
    # "the site manager gives the final yes or no", "gives the go-ahead": a decision
    text = re.sub(r"\b(?:gives?|says?|decides?)\s+(?:it\s+)?(?:the\s+|a\s+)?(?:final\s+)?"
                  r"(?:yes\s+or\s+no|yes/no|go/no-go|go\s+or\s+no-go)\b", "approves or rejects",
                  text)
    text = re.sub(r"\b(?:gives?)\s+(?:it\s+)?(?:the\s+)?(?:final\s+|formal\s+)?(?:go-ahead|"
                  r"green\s+light|approval|sign-off)\b", "approves", text)
    # "staff sign keys out": they sign out keys
    text = re.sub(r"\b(sign|signs|signed|signing|check|checks|checked|checking|book|books|"
                  r"booked|booking)\s+(?!it\b|them\b)([a-z]+)\s+out\b", r"\1 out \2", text)
    text = re.sub(r"\b([a-z])\s?&\s?([a-z])\b", r"\1\2", text)  # "the L&D team", "R&D"
    return re.sub(r"\bqty\b", "quantity", text)


def extract(text: str) -> Intent:
    intent = Intent()
    lowered = normalise(text.lower())
    _roles(lowered, intent, text)
    _actions(lowered, intent)
    _drop_who_we_are(lowered, intent)
    _entities(lowered, intent)
    _activity_record(lowered, intent)
    _asked_for(lowered, intent)
    _fields(lowered, intent)
    _states(lowered, intent)
    _bare_lists(lowered, intent)
    _deletes(lowered, intent)
    _links(lowered, intent)
    _outcomes(lowered, intent)
    intent.sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.;!?]+", lowered)]
    intent.opening = lowered[:intent.sentences[0][1]] if intent.sentences else ""
    _merge_short_roles(intent)
    intent.entities = _clean_phrases(intent.entities, frozenset(intent.nouns))
    if not intent.entities and intent.handled:
        intent.entities = [(intent.handled, 0)]
    if not intent.entities:
        _fallback_record(lowered, intent)
    intent.children = _clean_phrases(intent.children)
    intent.currency = _currency(text)
    intent.words = _word_string(lowered)
    prose = lowered
    for start, end in intent.lists:
        prose = prose[:start] + " " * (end - start) + prose[end:]
    intent.prose = _word_string(prose)
    intent.listed = " | ".join(_word_string(lowered[start:end]) for start, end in intent.lists)
    named = re.search(r"\b(?:called|named)\s+[\"']?([A-Za-z][\w -]{1,28}?)[\"']?(?=[.,;]|$)",
                      text)
    if named:
        intent.name = named.group(1).strip()
    return intent


_ACTIVITY_NOUNS = {"audit": "audit", "survey": "survey", "inspect": "inspection",
                   "assess": "assessment", "appraise": "appraisal", "evaluate": "evaluation",
                   "investigate": "investigation", "test": "test", "visit": "visit",
                   "screen": "screening", "review": "review"}
"""Work whose doing leaves a record of the same name: "supervisors audit the contractor" keeps
audits."""
_WE_DO = re.compile(r"\s*we\s+(?:also\s+|now\s+|regularly\s+)?(" + "|".join(_ACTIVITY_NOUNS) +
                    r")\b")
""""We inspect fire doors in our blocks every quarter": the work we do, opening the prompt."""
_ASKED_TO = re.compile(r"\b(?:ask|asks|want|wants|need|needs|get|gets)\s+us\s+to\s+([a-z]+)")


def _activity_record(text: str, intent: Intent) -> None:
    """"Our FM supervisors audit the cleaning contractor at each site", "Clients ask us to survey
    their premises": a first sentence that names no record but the work done keeps that work."""
    first = re.match(r"[^.;!?]*", text)
    end = first.end() if first else 0
    we_do = _WE_DO.match(text)
    if we_do and len(text[:end].split()) >= 6:
        # "We inspect fire doors in our blocks every quarter": the inspections, whatever is
        # inspected
        verb = verb_forms().get(we_do.group(1), we_do.group(1))
        intent.entities.insert(0, (_what_is_done_to(text, we_do.start(1), verb, intent),
                                   we_do.start(1)))
        return
    if len(text[:end].split()) < 6 or re.match(r"\s*(?:after|when|once|before|if|whenever)\b",
                                                text) or \
            any(at < end and p not in intent.weak for p, at in intent.entities):
        return  # a title; "After our engineers survey a site they write a report": the report
    asked = _ASKED_TO.search(text[:end])
    found = [(asked.group(1), asked.start(1))] if asked else []
    found += [(a.verb, a.position) for a in intent.actions if a.position < end
              and a.verb not in ("ask", "want", "need", "get")]
    for verb, position in found[:1]:
        verb = verb_forms().get(verb, verb)
        if verb in _ACTIVITY_NOUNS:
            intent.entities.insert(0, (_what_is_done_to(text, position, verb, intent),
                                       position))


_ASKED_FOR = {"request": "request", "claim": "claim", "order": "order"}
"""Verbs whose doing is a record named by what is asked for: "site managers request plant"
keeps plant requests, "staff claim overtime" overtime claims."""


def _asked_for(text: str, intent: Intent) -> None:
    """The record of the prompt's first step when that step asks for a thing that is no record
    itself ("request plant", "claim overtime hours", "order parts"): a request, claim or order
    of it, ahead of the thing."""
    first = intent.actions[0] if intent.actions else None
    verb = verb_forms().get(first.verb, first.verb) if first else ""
    if not first or verb not in _ASKED_FOR:
        return
    after = re.match(r"\s*[a-z]+\s+(?:(?:the|our|their|its|his|her|some|any|a|an|new)\s+)?"
                     r"((?:[a-z-]+\s+){0,2}[a-z-]+)", text[first.position:])
    if not after:
        return
    words = after.group(1).split()
    stop = next((i for i, w in enumerate(words) if w in _EDGE_WORDS or w in _STOP
                 or w in _PRONOUNS or verb_forms().get(w)), len(words))
    words = [w for w in words[:stop] if singular(w) not in _UNITS]
    thing = singular(words[-1]) if words else ""
    noun = _ASKED_FOR[verb]
    if not thing or entity_shape(thing) in ("event", "document", "money", "person") or \
            thing in NOT_ENTITIES or \
            any(p.split()[-1] == noun for p, _ in intent.entities):
        return  # "request a permit": the permit is the record; "request a refund" too
    # what is asked for is told by the request's fields ("which site, what kit")
    at, end = first.position + after.start(1), first.position + after.end(1)
    intent.entities = [(p, where) for p, where in intent.entities
                       if not (p.split()[-1] == thing and at <= where <= end)]
    intent.entities.insert(0, (f"{thing} {noun}", at))


def _what_is_done_to(text: str, position: int, verb: str, intent: Intent) -> str:
    """The work's record, told by what it is done to when its bare name is the engine's own
    ("audit the cleaning contractor" keeps cleaning audits, "audit suppliers" supplier
    audits: an Audit is the engine's trail of changes)."""
    noun = _ACTIVITY_NOUNS[verb]
    if noun.capitalize() not in ENGINE_ENTITIES:
        return noun
    after = re.match(r"\s*[a-z]+\s+(?:(?:the|our|their|its|each|every|all|a|an)\s+)?"
                     r"((?:[a-z-]+\s+){0,2}[a-z-]+)", text[position:])
    words = after.group(1).split() if after else []
    stop = next((i for i, w in enumerate(words) if w in _EDGE_WORDS or w in _STOP), len(words))
    words = words[:stop]
    if len(words) > 1:
        words = words[:-1]  # "the cleaning contractor": a cleaning audit
    phrase = entity_phrase(f"{' '.join(singular(w) for w in words)} {noun}")
    return noun if len(phrase.split()) < 2 or intent.role_re.fullmatch(words[-1]) else phrase


_SENT = re.compile(r"\b(?:send|sends|sent|email|emails|e-mail|e-mails|forward|forwards)\s+"
                   r"(?:us|in|over|through)\s+(?:their\s+|an?\s+|the\s+|all\s+)?"
                   r"((?:[a-z-]+\s+)?[a-z-]+)")


_RECORD_WORDS = frozenset(w for shape in ("document", "event", "money")
                          for w in ENTITY_SHAPES[shape])


def _fallback_record(text: str, intent: Intent) -> None:
    """The record of a prompt no other cue names one in: what others send in ("councillors
    send us enquiries"; only here, since "brokers send us risks to quote" is about the
    submission a blueprint knows better), else the kind of record it speaks of most."""
    for match in _SENT.finditer(text):
        words = match.group(1).split()
        stop = next((i for i, w in enumerate(words) if w in _STOP), None)
        phrase = _noun_phrase(words[:stop], intent)
        if phrase:
            intent.entities.append((phrase, match.start(1)))
            return
    # else the thing it speaks of most, three times or more ("payment requests ... keys the
    # payment ... released payments"), when the lexicon knows it as a kind of record
    said = [singular(w) for w in re.findall(r"[a-z]+", text)]
    counts = {w: said.count(w) for w in set(said) if w in _RECORD_WORDS
              and not intent.role_re.fullmatch(w)}
    best = max(sorted(counts), key=lambda w: counts[w], default="")
    if best and counts[best] >= 3:
        intent.entities.append((best, text.find(best)))


def _word_string(text: str) -> str:
    return " " + " ".join(singular(w) for w in re.findall(r"[a-z0-9]+", text)) + " "


# Words that end or open a clause, never a record's name: "adverse event against a
# subject" names an adverse event; "for" alone names nothing.
_EDGE_WORDS = {"a", "an", "the", "and", "or", "nor", "but", "if", "so", "as", "than", "with",
               "without", "for", "by", "in", "on", "from", "to", "of", "at", "per", "via",
               "within", "against", "about", "into", "onto", "over", "under", "between", "among",
               "plus",
               "through", "across", "after", "before", "during", "until", "since", "upon", "out",
               "off", "up", "down", "it", "its", "them", "they", "their", "we", "our", "us", "you",
               "your", "he", "she", "his", "her", "this", "that", "these", "those", "who", "which",
               "what", "when", "where", "how", "why", "whether", "is", "are", "be", "was", "were",
               "been", "get", "gets", "got", "can", "may", "must", "will", "should", "would",
               "could", "do", "does", "did", "not", "no", "yes", "each", "every", "all", "any",
               "some", "several", "many", "more", "most", "other", "such", "own", "also", "either",
               "neither", "both", "too", "very", "just", "only", "then", "now", "state", "status",
               "workflow"}


_LEADING_VERBS = {"record", "log", "track", "schedule", "manage", "upload", "handle", "keep",
                  "store", "capture", "raise", "send", "receive", "perform", "carry", "conduct",
                  "do", "make", "take", "give", "replace", "repair", "refund", "mark", "attach",
                  "agree", "issue", "open", "create", "add", "sign", "prepare", "write", "draft",
                  "complete", "update", "review", "enter", "file", "lodge", "submit", "negotiate"}


def entity_phrase(phrase: str, nouns: frozenset[str] = frozenset()) -> str:
    """The phrase without the function words a loose pattern caught at its edges, or "" when
    what is left cannot name a record (nothing, a verb, a reserved or function word); words
    the prompt's grammar shows to be nouns (``nouns``: "each hire has") stay."""
    words = phrase.split()
    while words and words[-1] in _EDGE_WORDS:
        words.pop()
    while words and (words[0] in _EDGE_WORDS or (
            # "for a particular animal": which one, not what
            len(words) > 1 and words[0] in ("particular", "specific", "certain", "given"))):
        words.pop(0)
    # "record inspections", "schedule visits": the action, then the record
    while len(words) > 1 and (words[0] in PURE_VERBS or words[0] in _LEADING_VERBS) and \
            words[0] not in nouns:
        words.pop(0)
    if not words or words[-1] in _EVERYDAY_VERBS or any(w in _NEVER_IN_NAMES for w in words):
        return ""
    if len(words) == 1:
        # "approves" or "submit" alone is an action; "appeal" or "loan" may be the record
        verb = verb_forms().get(words[0])
        if words[0] in NOT_ENTITIES or words[0] in _CONTAINERS or (
                words[0] in PURE_VERBS and words[0] not in nouns) or (
                verb and verb != words[0] and words[0] not in RECORD_NOUNS):
            return ""
    if snake(" ".join(words)) in RESERVED or any(w in _EDGE_WORDS for w in words):
        return ""  # "for" or "return" alone; "import declaration" is a fine name
    return " ".join(words)


def _clean_phrases(found: list[tuple[str, int]],
                   nouns: frozenset[str] = frozenset()) -> list[tuple[str, int]]:
    cleaned: list[tuple[str, int]] = []
    for phrase, position in found:
        item = (entity_phrase(phrase, nouns), position)
        if item[0] and item not in cleaned:
            cleaned.append(item)
    return cleaned


_AGENT_NOUN = re.compile(r"\b((?:(?<=the )|(?<=each )|(?<=every )|(?<=our )|(?<=a )|(?<=an )|"
                         r"(?<=lead )|(?<=senior )|(?<=principal )|(?<=duty )|(?<=site ))"
                         r"[a-z]{3,}(?:ian|er|or|ist|ant|ent|ee|man)|"
                         r"[a-z]{3,}(?:ians|ers|ors|ists|ants|ents|ees))\s+"
                         r"(?:can\s+|may\s+|"
                         r"must\s+|will\s+|then\s+|also\s+|should\s+)?([a-z]+)")
_MODIFIED_AGENT = re.compile(r"\b(?:the|a|an|our|each|every)\s+[a-z]{3,}\s+"
                             r"([a-z]{3,}(?:ian|er|or|ist))\s+(?:then\s+|also\s+)?"
                             r"([a-z]+[^s\W]s)\b")
""""a stock librarian decides", "the duty pharmacist checks": an agent noun after the word
that says which one."""
# What people do besides the workflow's verbs: "librarians manage the catalogue", "the
# practitioner marks it attended", "each consultant logs hours".
ROLE_VERBS = {"manage", "manages", "run", "runs", "see", "sees", "mark", "marks", "write",
              "writes", "fill", "fills", "keep", "keeps", "count", "counts", "update", "updates",
              "read", "reads", "handle", "handles", "upload", "uploads", "decide", "decides",
              "respond", "responds", "answer", "answers", "prepare", "prepares", "take",
              "takes", "sign", "signs", "own", "owns", "look", "looks", "work", "works",
              "visit", "visits", "treat", "treats", "teach", "teaches", "deliver", "delivers",
              "draft", "drafts", "process", "processes", "chase", "chases", "contact",
              "contacts", "search", "searches", "value", "values", "quote", "quotes", "design",
              "designs", "fit", "fits", "test", "tests", "measure", "measures", "clean",
              "cleans", "pick", "picks", "pack", "packs", "load", "loads", "drive", "drives",
              "operate", "operates", "supervise", "supervises", "coordinate", "coordinates",
              "plan", "plans", "buy", "buys", "sell", "sells", "install", "installs",
              "maintain", "maintains", "advise", "advises", "interview", "interviews",
              "train", "trains", "fix", "fixes", "repair", "repairs", "collect", "collects"}


_ACRONYM_SUBJECT = re.compile(r"(?:^|[.;:,!?]\s+|\band\s+|\bthen\s+|\bor\s+)([A-Z]{2,5})\s+"
                              r"(?:then\s+|also\s+|must\s+|will\s+|can\s+|may\s+)?([a-z]+)")
_PRONOUN_ACRONYMS = {"it", "us", "we", "me", "ok", "no", "so", "or", "an", "as", "at", "by",
                     "in", "on", "to", "up", "if", "is", "be", "do", "go", "uk", "eu"}
_PUBLIC_BODIES = {"s", "local", "public", "health", "tax", "port", "regulatory", "planning",
                  "licensing", "competent", "certifying", "statutory", "supervisory", "housing",
                  "education", "highway", "highways", "water", "fire", "police"}


_PLACE_QUALIFIERS = {"local", "external", "internal", "independent", "designated", "nominated",
                     "appointed", "regional", "national", "central", "outside", "relevant"}


def _roles(text: str, intent: Intent, original: str = "") -> None:
    forms = verb_forms()
    extra: list[str] = []
    for match in _ACRONYM_SUBJECT.finditer(original):
        # "EHS reviews it", "QC then releases the batch": a team written as its initials
        acronym, verb = match.group(1).lower(), match.group(2)
        if acronym not in _PRONOUN_ACRONYMS | _THING_ACRONYMS and verb.endswith("s") and \
                not verb.endswith("ss") and (forms.get(verb) or verb in ROLE_VERBS):
            extra.append(acronym)
    text = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group(0)), text)
    for match in [*_AGENT_NOUN.finditer(text), *_MODIFIED_AGENT.finditer(text)]:
        word = singular(match.group(1))
        if (forms.get(match.group(2)) or match.group(2) in ROLE_VERBS) \
                and word not in NOT_FIELDS and word not in ROLE_WORDS \
                and not word.endswith("ment") and word not in (
                    "order", "number", "member", "customer", "folder", "paper", "letter",
                    "printer", "computer", "container", "voucher", "cluster", "sensor",
                    "monitor", "parameter", "meter") and word not in _NOT_AGENTS:
            extra.append(word)
    for match in _DEPARTMENT.finditer(text):
        # "crew control approves the swap", "regulatory affairs decides": a department at work
        if (forms.get(match.group(3)) or match.group(3) in ROLE_VERBS) and \
                not forms.get(match.group(1)) and not match.group(1).endswith("ing") and \
                match.group(1) not in _EDGE_WORDS | _NOT_AGENTS:
            extra.append(f"{match.group(1)} {match.group(2)}")
    known = role_regex(tuple(extra))
    for match in _NAMED_ACTOR.finditer(text):
        # "The FOD focal point investigates", "the company man approves": whoever opens a
        # sentence by deciding or examining is someone, whatever the lexicon calls them
        words = match.group(1).split()
        if not known.search(match.group(1)) and not any(
                w in NOT_FIELDS | _EDGE_WORDS | _NOT_AGENTS or (
                    forms.get(w) and not _noun_like(w)) for w in words) and \
                singular(words[-1]) not in _RECORD_WORDS:
            extra.append(match.group(1))
    intent.extra_roles = tuple(sorted(set(extra)))
    intent.role_re = role_regex(intent.extra_roles)
    for match in intent.role_re.finditer(text):
        phrase = match.group(1)
        if phrase.endswith(" team") and phrase.split()[0] in ARTICLES | {"and", "or", "of"}:
            phrase = phrase.split(None, 1)[1]
        words = phrase.split()
        if any(w in _PRONOUNS | _SUBJECTS | {"needs", "need", "requires", "wants", "gets"}
               for w in words[:-1]):
            continue  # "when they move desk", "if it needs full committee review": a clause
        if len(words) == 3 and (text[match.start(1) - 1: match.start(1)] == "-" or
                                words[0] in _PLACE_QUALIFIERS or
                                (words[2] == "team" and words[1] in ROLE_WORDS)):
            # "the on-call SOC analyst" is a SOC analyst, "the local port agent" a port
            # agent, "our forwarding sales team" the sales team
            phrase = phrase.split(None, 1)[1]
        name = role_name(phrase)
        if name in ("everyone",) or not name or (
                name.endswith("_authority") and name.split("_")[0] in _PUBLIC_BODIES):
            continue  # "the local authority" is told, it does not work here
        window = text[max(0, match.start() - 40): match.end() + 40]
        if any(hint in window for hint in VIEWER_HINTS):
            intent.viewers.add(name)
        if name not in intent.roles:
            intent.roles.append(name)


_NAMED_ACTOR = re.compile(
    r"(?:^|[.;!?,]\s+)(?:then\s+|and\s+)?(?:the|our)\s+((?:[a-z-]+\s+){0,2}[a-z-]+)\s+"
    r"(?:then\s+|also\s+|must\s+|will\s+)?(?:investigates|approves|authori[sz]es|reviews|assesses|triages|"
    r"inspects|verifies|signs\s+off|countersigns|endorses|allocates|assigns|diagnoses|audits|"
    r"certifies|moderates|validates|rejects|declines|refuses)\b")
_DEPARTMENT = re.compile(r"\b([a-z]{3,})\s+(control|affairs)\s+(?:then\s+|also\s+|must\s+|"
                         r"can\s+)?([a-z]+)")
_THING_ACRONYMS = {"id", "pdf", "vat", "sku", "eta", "etd", "kpi", "cv", "po", "url", "api",
                   "faq", "ppe", "gps", "sms", "qr", "pin", "mot", "rag"}
"""Initials of things, not of teams ("ID checks", "PDF goes to")."""
_NOT_AGENTS = {"never", "ever", "however", "whenever", "wherever", "other", "either", "neither",
               "rather", "further", "together", "after", "under", "over", "later", "earlier",
               "current", "recent", "different", "urgent", "present", "relevant", "important",
               "constant", "absent", "frequent", "dependent", "permanent",
               "apparent", "sufficient", "consistent", "equivalent", "adjacent", "silent",
               "pending", "prior", "major", "minor", "interior", "exterior", "reminder",
               "chaser", "marker", "sticker", "poster", "flyer", "banner", "trailer", "filter"}
"""Words with an agent's ending that name nobody ("can never authorise", "the current
rent")."""
_SUBJECTS = {"we", "they", "i", "you", "he", "she"}
_RANKS = {"senior", "junior", "head", "chief", "deputy", "principal", "lead", "trainee",
          "assistant", "associate", "executive", "general", "managing", "vice"}


_NOMINAL_STEPS = {"approval": "approve", "sign off": "sign off", "review": "review",
                  "authorisation": "authorise", "authorization": "authorize",
                  "verification": "verify", "inspection": "inspect"}
_NOT_PASSIVE_STEPS = {"record", "enter", "add", "log", "create", "open", "place", "suggest",
                      "ask", "propose", "request", "assign", "plan", "report", "book"}
"""Passives that say how a record came to be ("is recorded", "is assigned to"), not a step."""


def _merge_short_roles(intent: Intent) -> None:
    """"Quality engineers raise...; the engineer verifies": the short name is the same role."""
    alias = {}
    for role in intent.roles:
        # "senior broker" and "broker" are two roles; "quality engineer" and "engineer" one
        longer = [r for r in intent.roles if r.endswith("_" + role)
                  and r.split("_")[0] not in _RANKS]
        if len(longer) == 1:
            alias[role] = longer[0]
    if not alias:
        return
    intent.roles = [r for r in intent.roles if r not in alias]
    intent.viewers = {alias.get(r, r) for r in intent.viewers}
    intent.delete_roles = {alias.get(r, r) for r in intent.delete_roles}
    for action in intent.actions:
        action.role = alias.get(action.role, action.role)
    intent.outcomes = [(alias.get(r, r), states, at) for r, states, at in intent.outcomes]


def _drop_who_we_are(text: str, intent: Intent) -> None:
    """"Customs entries for our brokerage desk", "City permits office.": the organisation
    running the app, not a role in it, when it is only ever named that way and does nothing."""
    title_end = re.match(r"[^.;:!?]*", text)
    short_title = title_end is not None and len(title_end.group(0).split()) <= 8
    for name in list(intent.roles):
        if any(a.role == name for a in intent.actions) or \
                name.rsplit("_", 1)[-1] not in ("office", "desk", "department", "unit"):
            continue
        mentions = [m for m in intent.role_re.finditer(text) if role_name(m.group(1)) == name]
        if mentions and all(
                text[max(0, m.start() - 4):m.start()] == "our " or
                (short_title and title_end is not None and m.end() <= title_end.end())
                for m in mentions):
            intent.roles.remove(name)
            intent.viewers.discard(name)


WE_ROLE = "manager"
"""Who "we" are when the prompt's writer takes a step ("we approve or reject it"): the staff
role that runs the records, as when the prompt names no one."""


_WE_DECIDE = re.compile(r"\bwe(?=\s+(?:then\s+|also\s+|can\s+|must\s+|will\s+|either\s+|"
                        r"usually\s+)?(?:approve|reject|decide|close|review|check|assess|"
                        r"investigate|decline|refuse|grant|award|escalate|verify)\s*"
                        r"(?:,|\s(?:and|or|it|them|the|each|every|an?|whether)\b))")
""""we approve or reject", "we investigate, record the cause and close it": the writer's own
team deciding ("before we can grant they need ..." is no step)."""
_WE_EITHER = re.compile(r"\bwe(?=\s+(?:then\s+)?either\s+[a-z]+\s*(?:,|\s+or\s))")


def _actions(text: str, intent: Intent) -> None:
    mentions = [(m.start(), m.end(), role_name(m.group(1)))
                for m in intent.role_re.finditer(text)]
    for m in re.finditer(r"\bthe\s+(team|desk|office|unit|department|panel|board|committee)\b",
                         text):
        # "the licensing team issues consents ... the team consults the police": the one
        # team named before
        owners = [r for r in intent.roles if r.endswith("_" + m.group(1))]
        if len(owners) == 1:
            mentions.append((m.start(), m.end(), owners[0]))
    mentions.sort()
    _steps(text, mentions, intent)
    _drop_what_we_do(text, intent)
    _passive_steps(text, intent)
    # "we either refund, replace or reject the claim": the ways it ends, the staff's call
    either = [(m.start(), m.end(), WE_ROLE) for m in _WE_EITHER.finditer(text)]
    others_decide = any(a.verb not in CREATE_VERBS for a in intent.actions)
    if not others_decide or either:
        # "a parent applies for each child; we approve or reject": with no one else named
        # to decide, the staff who run the records do
        before = len(intent.actions)
        ours = either if others_decide else \
            [(m.start(), m.end(), WE_ROLE) for m in _WE_DECIDE.finditer(text)]
        _steps(text, sorted(mentions + ours), intent, only=WE_ROLE)
        if len(intent.actions) > before and WE_ROLE not in intent.roles:
            intent.roles.append(WE_ROLE)
        intent.actions.sort(key=lambda a: a.position)


def _drop_what_we_do(text: str, intent: Intent) -> None:
    """"The licensing team issues street trading consents. Traders apply ...; the team grants
    or refuses the consent": a first sentence telling what a team does, to records in the
    plural, sums the process up; its verb is no step of it."""
    first = re.match(r"[^.;!?]*", text)
    end = first.end() if first else 0
    opening = [a for a in intent.actions if a.position < end]
    later = [a for a in intent.actions if a.position >= end]
    if len(opening) != 1 or len(later) < 2 or opening[0].verb in CREATE_VERBS:
        return  # "citizens apply for parking permits": where the process starts
    after = re.match(r"\s*[a-z]+\s+((?:[a-z-]+\s+){0,3}?[a-z-]+s)\s*$",
                     text[opening[0].position:end])
    if after and singular(after.group(1).split()[-1]) != after.group(1).split()[-1]:
        intent.actions.remove(opening[0])


def _steps(text: str, mentions: list[tuple[int, int, str]], intent: Intent,
           only: str = "") -> None:
    """The verbs after each role's mention, up to the next mention: what that role does;
    with ``only``, just that role's."""
    forms = verb_forms()
    for number, (_, match_end, name) in enumerate(mentions):
        if only and name != only:
            continue
        if name == "everyone":
            continue
        end = mentions[number + 1][0] if number + 1 < len(mentions) else len(text)
        after = text[match_end: min(end, match_end + 100)]
        # ("the workshop inspects it and we repair it": we are someone else)
        clause = re.split(r"[.;:!?]|\bwho\b|\bwhere\b|\bwhen\b|\band\s+we\b", after)[0]
        # "the drilling superintendent in town reviews", "the duty manager on site signs"
        clause = re.sub(r"^\s*(?:in|at|on)\s+(?:the\s+|our\s+|head\s+)?[a-z]+(?=\s+[a-z]+s\b)",
                        "", clause)
        words = re.findall(r"[a-z]+(?:[- ](?:off|in|out|up))?|,", clause)
        found = unknown = False
        if words and _noun_like(words[0]) and re.match(
                r"\s*[a-z]+\s+(?:on|in|at|for|from|of|with)\s+(?:[a-z]+\s+){0,3}?"
                r"(?:have|has|are|is|must|need|needs|get)\b", clause):
            continue  # "customer reviews on our site have to be moderated": a record's name
        for index, word in enumerate(words[:12]):
            verb = forms.get(word) or forms.get(word.replace("-", " "))
            following = words[index + 1] if index + 1 < len(words) else ""
            previous = words[index - 1] if index else ""
            if word in ("mark", "marks") and (not found or previous in (",", "and", "then")):
                # "marks it fixed", "marks them as done": the state names the step
                state = next((w for w in words[index + 1:index + 4]
                              if w not in ("it", "them", "as", "the", "each", "job", "work")),
                             "")
                if forms.get(state) in VERBS:
                    intent.actions.append(Action(name, forms[state], match_end + index))
                    found = True
                    continue
            if verb is not None and index == 0 and word.endswith("ed") and following in (
                    "for", "to", "by", "from", "into", "with", "at", "in", "on"):
                break  # "patients referred for physiotherapy are triaged": done to them
            if verb is not None and word.endswith("ing") and (found or index == 0):
                # "installs and tests the line, and billing starts": a new clause; "a
                # supplier onboarding process": a name
                break
            if verb is not None and following != "by" and (
                    not found or previous in ("and", "or", "then", "also", ",", "either")):
                if previous in PASSIVE:
                    break
                intent.actions.append(Action(name, verb, match_end + index,
                                             joined=previous if found else ""))
                found = True
                continue
            if word in FILLERS or (found and word in ("and", "or", "then", "make", "makes",
                                                      "do", "does", ",")):
                continue
            if not found and not unknown and index <= 1 and len(word) > 4 and \
                    word not in NOT_ENTITIES and (word.endswith("es") or (
                        word.endswith("s") and not word.endswith("ss") and
                        following in ("them", "it", "him", "her", "each", "every")) or (
                        # "the team consults the police, then grants or refuses": a verb
                        # the tables do not know, right after who does it
                        index == 0 and word.endswith("s") and not word.endswith("ss") and
                        following in ("the", "a", "an") and "," in words[:8])):
                # "a supervisor batches them ... and assigns a picker": a verb the tables do
                # not know; its steps are the known verbs after it
                unknown = found = True
                continue
            if found:
                # "approves claims and pays them", "inspects, schedules a crew, marks it
                # fixed": skip the object, look for "and" or a comma, then a verb
                rest = words[index:index + (8 if unknown else 4)]
                if "and" in rest or "," in rest or "then" in rest or (
                        "or" in rest and rest[0] in ("it", "them")):  # "approves it or ..."
                    continue
                last = intent.actions[-1] if intent.actions else None
                if previous == "or" and last and last.role == name and last.joined == ",":
                    last.joined = "or"  # "repair, replace or scrap it": a list of ways
            break


def _passive_steps(text: str, intent: Intent) -> None:
    """"approved by the director", "needs sign-off by the IT director", "once approved the
    permit is issued": steps told in the passive, with or without who takes them."""
    forms = verb_forms()
    for match in re.finditer(r"\b([a-z]+ed(?: in| out| off| up)?|paid)\s+by\s+"
                             r"(?:a|an|the|their|its|his|her)?\s*([a-z]+(?: [a-z]+)?)", text):
        verb = forms.get(match.group(1))
        roles = intent.role_re.match(match.group(2))
        if verb and roles:
            intent.actions.append(Action(role_name(roles.group(1)), verb, match.start()))
        elif verb in VERBS and verb not in _NOT_PASSIVE_STEPS and \
                text[max(0, match.start() - 12):match.start()].rstrip().endswith(
                    ("are", "is", "get", "gets", "be", "been")):
            # "patients are triaged by a senior physio": a step, by someone the prompt does
            # not otherwise name
            intent.passives.append((verb, match.start(1)))
    # "needs approval from the brand manager", "requires sign-off by the IT director"
    for match in re.finditer(r"\b(?:needs?|requires?|go(?:es)?\s+for|sent\s+for|subject\s+to|"
                             r"awaits?|waits?\s+for)\s+(?:an?\s+|the\s+)?(?:final\s+)?"
                             r"(approval|sign-off|sign\s+off|review|authori[sz]ation|"
                             r"verification|inspection)\s+(?:from|by)\s+(?:an?\s+|the\s+)?",
                             text):
        role = intent.role_re.match(text, match.end())
        if role:
            intent.actions.append(Action(role_name(role.group(1)),
                                         _NOMINAL_STEPS[match.group(1).replace("-", " ")
                                                        .replace("  ", " ")], match.start(1)))
    intent.actions.sort(key=lambda a: a.position)
    # "once approved the permit is issued": a step nobody is named for
    for match in re.finditer(r"\b(?:is|are|gets?|being|been|be)\s+(?:then\s+|finally\s+|"
                             r"automatically\s+|formally\s+|either\s+)?([a-z]+ed|paid)\b"
                             r"(?!\s+by\b)",
                             text):
        verb = forms.get(match.group(1))
        if verb in VERBS and verb not in _NOT_PASSIVE_STEPS:
            intent.passives.append((verb, match.start(1)))


_TRACK = re.compile(
    r"\b(track|tracks|tracking|manage|manages|managing|record|records|recording|log|logs|"
    r"logging|register|registers|handle|handles|handling|maintain|maintains|"
    r"organise|organize|organising|organizing|keep track of|keeps track of|list of|"
    r"catalogue of|catalog of|database of|register of|inventory of|app for|system for|"
    r"tool for|application for|portal for|process for|schedule|schedules|book|books|"
    r"submit|submits|raise|raises|file|files|request|requests|create|creates|open|opens|"
    r"place|places|put in|puts in|capture|captures|borrow|borrows|report|reports|keep|keeps|"
    r"propose|proposes|write|writes|prepare|prepares|"
    r"lodge|lodges|suggest|suggests|issue|issues|receive|receives|inspect|inspects|"
    r"upload|uploads|publish|publishes|fill|fills|enter|enters|add|adds|log|logs)\s+"
    r"(?:of\s+)?((?:[a-z-]+)(?:(?:,\s*|\s+and\s+|\s+)[a-z-]+){0,5})")
_WRITTEN_TEXT = {"note", "comment", "summary", "description", "feedback", "self-assessment",
                 "reason", "instruction", "narrative", "statement", "remark"}
_STOP = {"with", "for", "by", "in", "on", "from", "to", "where", "who", "that", "which", "so",
         "of", "at", "when", "per", "through", "via", "until", "across", "into", "using",
         "then", "once", "after", "before", "if", "while", "because", "but", "or", "they",
         "we", "he", "she", "you", "i", "plus", "against", "like", "such", "including"}
_SUBJECT = re.compile(
    r"(?:^|[.;:!?]\s*)(?:an?\s+|the\s+|our\s+|all\s+)?((?:[a-z-]+\s+){0,3}[a-z-]+?)\s+"
    r"(with|that have|that has|which have|have|has|app|application|system|tool|tracker|"
    r"portal|database|register|log|pipeline|management|inventory|reporting|tracking|"
    r"handling|scheduling)\b")


_NOT_IN_NAMES = {"we", "i", "you", "they", "need", "want", "build", "make", "app", "small",
                 "simple", "basic", "track", "tracks", "tracking", "manage", "managing", "keep",
                 "handle", "maintain", "organise", "organize", "our"}


def _noun_phrase(words: list[str], intent: Intent) -> str:
    """The entity a few words name, or "" when they name a role, a verb or nothing."""
    forms = verb_forms()
    # "a return authorisation": after an article, a verb-like first word is a noun
    led = bool(words) and words[0] in ARTICLES
    words = [w for w in words if w not in ARTICLES]
    if led and len(words) > 1 and forms.get(words[0]) in PURE_VERBS:
        intent.nouns.add(words[0])
    phrase_words = words
    cut = 0
    for index, word in enumerate(words):
        compound = index == len(words) - 2 and singular(words[-1]) in ("list", "log")
        # "issues a legal hold": after an article, a role's name before a noun describes it
        described = led and index == 0 and len(words) == 2 and \
            singular(words[1]) == words[1] and not words[1].endswith("s")
        if (intent.role_re.fullmatch(word) and not described) or (
                forms.get(word) in PURE_VERBS and index < len(words) - 1 and not compound
                and not (led and index == 0) and not _modifier(words, index, intent)) \
                or word in _NOT_IN_NAMES:
            cut = index + 1
    if 0 < cut < len(words) - 1 and intent.role_re.fullmatch(words[cut - 1]) and \
            forms.get(words[cut]):
        cut += 1  # "patients book appointments": the role's verb, then its object
    words = words[cut:]
    if cut and len(words) == 1 and forms.get(words[0]) and intent.role_re.fullmatch(
            phrase_words[cut - 1]):
        return ""  # "staff screen": the role's verb, not a record
    if len(words) >= 2 and words[-1] in ("details", "detail", "information", "info", "data"):
        return ""  # "their contact details": fields of a record, not a record
    if "being" in words:
        words = words[:words.index("being")]  # "badges being misused": the badges
    if len(words) == 1 and (words[0] in _NOT_RECORDS or words[0].endswith(
            ("ibility", "ability", "ness", "ly")) or (
            len(words[0]) > 5 and words[0].endswith("ed") and not words[0].endswith("eed"))):
        return ""  # "apply online", "screen for eligibility", "track the outcome", "disabled"
    if words and (re.search(r"-(?:linked|based|only|free|related|specific|wide|led|driven)$|"
                            r"(?:ed|en)-(?:up|out|in|off|down|over)$", words[-1]) or any(
                                re.match(r"(?:off|on|in|out|over|under)-", w) for w in words)):
        return ""  # "rpi-linked", "risk-based", "backed-up": how, not what
    while len(words) > 1 and (words[-1] in _ADJECTIVES or _adverb(words[-1])):
        words = words[:-1]  # "a permit valid for 12 months", "the vessel actually arrives"
    while len(words) > 1 and words[-1] in _WRITTEN_IN and words[-2] not in _BOOKS and (
            not words[-1].startswith("book") or len(words) > 2 or
            entity_shape(words[0]) in ("event", "money", "document") or
            re.fullmatch(r"[a-z]+-(?:in|out|up|off)", words[0])):  # "a sign-in book"
        # "the cattle movement book", "the accident book", "a lab book spreadsheet": what is
        # written in it ("the lab book" is the book)
        words = words[:-1]
        if len(words) == 1 and words[0] in _NOT_RECORDS:
            return ""  # "the public register": where it is checked, not a record
    if len(words) == 2 and singular(words[0]) != words[0] and forms.get(words[1]) and \
            not _noun_like(words[1]):
        words = [words[0]]  # "teams register with a name": the teams are the record
    def kept_whole() -> bool:
        """"pick list", "tax return": a record, though the last word alone is a verb or
        names nothing ("the operative attends" is a clause)."""
        said = words[-1].endswith("s") and singular(words[-1]) != words[-1] and \
            forms.get(words[-1]) in PURE_VERBS and not _noun_like(words[-1])
        return len(words) >= 2 and words[-2] not in _EDGE_WORDS and not said and (
            singular(words[-1]) in ("list", "log") or (
                (words[-1] not in NOT_ENTITIES or words[-1] == "changes")
                and not forms.get(words[-2])
                and singular(words[-2]) == words[-2] and not intent.role_re.fullmatch(words[-2])))

    while words and (words[-1] in NOT_ENTITIES or (
            forms.get(words[-1]) in PURE_VERBS and not _noun_like(words[-1]))):
        if kept_whole():
            break
        words = words[:-1]
    listed = len(words) == 2 and singular(words[-1]) in ("list", "log")  # "pick list"
    if not words or len(words) > 3 or any((w in _NOT_IN_FIELDS or (
            forms.get(w) and not _noun_like(w) and not _modifier(words, i, intent)))
            and not listed for i, w in enumerate(words[:-1])):
        return ""
    last = words[-1]
    if last.endswith(("able", "ible")) and last not in _ABLE_NOUNS:
        return ""  # "accounts payable", "billable": an adjective, not a record
    if field_spec(snake(" ".join(words)))["type"] in _FIELD_ONLY_TYPES:
        return ""  # "quantity", "due date", "refund amount": a field, not a record
    if ((forms.get(last) in PURE_VERBS or last in PURE_VERBS or last in NOT_ENTITIES)
            and not kept_whole()) or last in NOT_FIELDS \
            or intent.role_re.fullmatch(last) or len(last) < 3:
        return ""
    # the head in the singular; a plural before it stays ("customs entries", "grounds
    # maintenance"), other words singular ("the parents evenings")
    return " ".join([*(w if w in _PLURAL_MODIFIERS else singular(w) for w in words[:-1]),
                     singular(words[-1])])


_WRITTEN_IN = {"book", "books", "spreadsheet", "spreadsheets", "workbook", "workbooks", "register",
               "registers"}
_BOOKS = {"library", "text", "school", "note", "exercise", "address", "guest", "story", "picture",
          "comic", "audio", "phone", "cook", "recipe", "reading", "reference", "log"}
"""Books that are the record themselves ("library books"), not where records are written."""


def _modifier(words: list[str], index: int, intent: Intent) -> bool:
    """"postal vote applications", "van hire requests": a verb's plain form after a singular
    noun, inside a name, is a noun too ("teams register players" is a clause)."""
    word, before = words[index], words[index - 1] if index else ""
    if word.endswith("ing") and before and index < len(words) - 1 and \
            not verb_forms().get(before) and not intent.role_re.fullmatch(before):
        return True  # "an outside processing order", "the new parking permits"
    return bool(before) and verb_forms().get(word) == word and not before.endswith("s") \
        and singular(before) == before and not intent.role_re.fullmatch(before) \
        and not verb_forms().get(before) and index < len(words) - 1


def _adverb(word: str) -> bool:
    """"actually", "usually", "automatically": how something is done, never a record's name
    (unlike "supply", "family" or "assembly")."""
    return word.endswith(("ally", "ntly", "ately", "edly", "ously", "ively", "arly", "ctly",
                          "ckly", "ssly", "atly")) or word in {
        "only", "already", "really", "usually", "likely", "immediately", "directly", "online",
        "offline", "onsite", "remotely", "instead", "again", "back"}


_ADJECTIVES = {"valid", "invalid", "available", "active", "inactive", "overdue", "late",
               "urgent", "pending", "due", "ready", "complete", "incomplete", "open", "closed",
               "free", "full", "empty", "missing", "required", "optional", "possible",
               "necessary", "new", "old", "current", "previous", "outstanding", "unpaid", "paid"}
_NOT_RECORDS = {"online", "offline", "onsite", "remote", "outcome", "outcomes", "result",
                "copy", "copies", "underlying", "chosen", "valid",
                "maintenance", "administration", "operations", "admin",
                "results", "decision", "decisions", "verdict", "disposition", "eligibility",
                "feedback", "progress", "compliance", "performance", "quality", "safety",
                "availability", "capacity", "demand", "usage", "spend", "revenue", "cost",
                "costs", "income", "money", "cash", "time", "date", "today", "around",
                "approximately", "roughly", "nearly", "first", "second", "third", "last",
                "next", "other", "another", "same", "plus", "volume", "volumes", "figures",
                "statistics", "stats", "metrics", "trends", "totals", "again", "public",
                "national", "central", "external", "internal", "official", "master"}
CHILD_HEADINGS = {"line", "item", "entry", "row"}
TITLE_ADJECTIVES = {"weekly", "daily", "monthly", "yearly", "annual", "quarterly", "simple",
                    "small", "basic", "quick", "online", "internal", "digital", "new", "our",
                    "the", "a", "an", "my", "shared", "central", "proper", "better"}
APP_WORDS = {"tracker", "tracking", "app", "application", "system", "tool", "database",
             "portal", "platform", "software", "log", "register", "management", "workflow"}


def _title(text: str, intent: Intent) -> None:
    """A prompt that opens with a bare noun phrase ("Site diary for our building sites.",
    "Weekly timesheets.") names its main record there."""
    first = re.match(r"\s*([^.;:!?]*)", text)
    if not first or len(text[first.end():].split()) < 4:
        return  # a title with nothing after it says too little to trust ("asdf qwerty")
    opening = first.group(1)
    # "Spreadsheet we use for equipment calibration", "A tracker for site visits": the
    # container says nothing; what it is for names the record
    container = re.match(r"(?:(?:a|an|the|our|my)\s+)?(?:shared\s+|excel\s+|google\s+)?"
                         r"(?:spreadsheet|sheet|workbook|excel|list|log|register|tracker|"
                         r"database|app|application|system|tool|form)\s+(?:(?:that\s+)?we\s+"
                         r"(?:use|keep|have|run)\s+|that\s+tracks\s+)?(?:for|of|to track)\s+",
                         opening)
    if container:
        opening = opening[container.end():]
    # "End of tenancy deposit returns", "End-of-year reviews": when, then what
    opening = re.sub(r"^\s*(?:end|start|beginning)[- ]of[- ](?:the\s+)?[a-z]+[ -](?=[a-z])", "",
                     opening)
    head = re.split(r"\s+(?:for|of|at|in|across|within|from|by|with|about|to|on|over|under|"
                    r"above|below|-)\s+|\s+-\s*|\s*[,(]", opening)[0]
    words = head.split()
    forms = verb_forms()
    listed = len(words) == 2 and singular(words[-1]) in ("list", "log")  # "Pick lists."
    if not words or len(words) > 4 or any(
            (((forms.get(w) and not _noun_like(w) and not (
                # "tyre changes": in a title, a plural after a noun is a noun
                i == len(words) - 1 and i and w.endswith("s") and singular(w) != w))
              or w in _NOT_IN_FIELDS) and not listed)
            or "'" in w for i, w in enumerate(words)):
        return
    while words and words[0] in TITLE_ADJECTIVES | _PERIODIC:
        words = words[1:]
    while words and words[-1] in APP_WORDS | {"process", "procedure", "workflow", "form", "forms",
                                               "scheme"}:
        words = words[:-1]  # "Formal grievance procedure", "Pay change forms": what they hold
    if len(words) > 3 and "-" in words[0]:
        words = words[1:]  # "Month-end balance sheet reconciliations."
    if not words or (words[-1].endswith("ing") and singular(words[-1]) not in _TITLE_GERUNDS):
        return
    if any(singular(w) != w and w not in _PLURAL_MODIFIERS and
           not words[i + 1].endswith(("s", "ed")) for i, w in enumerate(words[:-2])):
        return  # "Farmers bring grain to our store": who does what, not a title
    if any(w in ("team", "desk", "office", "department", "unit", "crew", "staff") and
           verb_forms().get(words[i + 1]) == words[i + 1] for i, w in enumerate(words[:-1])):
        return  # "Our sales team quote for bespoke joinery": the team at work
    phrase = _noun_phrase(words, intent)
    if not phrase and len(words) == 2 and intent.role_re.fullmatch(words[0]) and \
            _noun_like(words[1]) and singular(words[1]) != words[1]:
        phrase = f"{words[0]} {singular(words[1])}"  # "Customer reviews on our site ..."
    if phrase and phrase.split()[-1] in WHO_WE_ARE:
        # "City film office.": who runs the app, not what it keeps; "University placement
        # office.": but what that office handles, placements, is a record
        handled = phrase.split()[-2] if len(phrase.split()) >= 2 else ""
        if handled and entity_phrase(handled) and not intent.role_re.fullmatch(handled) and \
                entity_shape(handled) in ("record", "document", "event"):
            intent.handled = singular(handled)
            again = re.search(rf"(?<!\bto )\b{re.escape(intent.handled)}s?\b",
                              text[first.end():])
            if again:  # "...submit a work placement": the office's business, said again
                intent.entities.append((intent.handled, first.start(1)))
        return
    if phrase and phrase not in [p for p, _ in intent.entities]:
        intent.entities.append((phrase, first.start(1)))
        intent.title = phrase


_PLURAL_MODIFIERS = {"sales", "goods", "parts", "customs", "arrears", "savings", "claims",
                     "works", "services", "sports", "arts", "systems", "accounts", "payments",
                     "materials", "operations", "communications", "events", "facilities",
                     "lessons", "news", "repairs", "returns", "standards", "students", "members",
                     "grounds", "premises", "resources"}
"""Plurals that stand before another noun in a name, and keep their -s there ("sales orders",
"customs entries", "grounds maintenance")."""
WHO_WE_ARE = {"office", "department", "team", "unit", "desk", "council", "agency", "firm",
               "practice", "charity", "company", "school", "hospital", "clinic", "university",
               "authority", "branch", "headquarters", "hq", "dc", "warehouse", "plant",
               "factory", "hotel", "restaurant", "shop", "store", "lab", "laboratory", "college",
               "institute", "centre", "center", "trust", "society"}
_TITLE_GERUNDS = {"booking", "meeting", "training", "building", "listing", "filing",
                  "reading", "finding", "hearing", "posting", "recording", "painting",
                  "onboarding", "offboarding", "screening", "boarding", "sitting", "fitting"}
_ABLE_NOUNS = {"table", "cable", "timetable", "vegetable", "deliverable", "deliverables",
               "consumable", "consumables", "collectible", "turntable", "receivable"}
_FIELD_ONLY_TYPES = {"integer", "decimal", "money", "date", "datetime", "boolean", "email",
                     "phone"}


_PERSON = r"([a-z]+(?:\s+(?!and\b|or\b|with\b|over\b|who\b)[a-z]+)?)"
_KEPT_PEOPLE = re.compile(
    r"\b(?:each|every|the|our|a)\s+([a-z]+)(?:'s)?\s+(?:[a-z]+\s+){0,3}?details\b|"
    # "emergency contact details for each volunteer"
    r"\bdetails\s+(?:for|of)\s+(?:each|every|all|our)\s+([a-z]+)|"
    r"\b(?:capture|record|keep|hold|store|register|list)s?\s+(?:each|every|all)\s+"
    + _PERSON + r"(?:\s+and\s+(?:each|every|all)\s+" + _PERSON + ")?")


_PERIODIC = {"annual", "yearly", "monthly", "weekly", "daily", "quarterly", "regular",
             "routine", "periodic", "full", "formal", "final", "first", "initial", "pre-start"}
_ACTIVITY = re.compile(
    # "do monthly progress reviews" needs no article; "runs grant rounds" is not an activity
    r"\b(?:(?:do|does|doing|carry out|carries out|carrying out|conduct|conducts|conducting|"
    r"perform|performs|performing|undertake|undertakes)\s+"
    r"(?:(?:a|an|the|their|our|each|every|its)\s+)?|(?:run|runs|running|hold|holds|holding|"
    r"complete|completes)\s+(?:a|an|the|their|our|each|every|its)\s+)"
    r"((?:[a-z-]+\s+){0,3}?(?:[a-z]+-)?(?:check|review|audit|assessment|survey|test|round|count|"
    r"appraisal|evaluation|drill|exercise|walkaround|walk-round|stocktake|stock-take|"
    r"screening|consultation|briefing|handover))s?\b")


_RECORD_CUES = (
    # "we need a job sheet: arrival and departure times, ...": the record, then its fields
    re.compile(r"\b(?:need|needs|want|wants|use|uses|keep|keeps|fill|fills|complete|completes|"
               r"have|has|do|does|prepare|prepares|write|writes|run|runs)\s+(?:a|an|the|one)\s+"
               r"((?:[a-z-]+\s+)?[a-z-]+)\s*:"),
    # "and temperature excursions are handled on paper forms", "mid-term adjustments on our
    # policies are tracked in a spreadsheet": how records are kept today, anywhere in the
    # prompt; the subject is the clause's first words, before any "on", "for" or "from"
    re.compile(r"(?:^|[.;:!?,]\s*|\b(?:and|but|so|while|where|today|currently)\s+)"
               r"(?:our\s+|the\s+|all\s+)?((?:[a-z-]+\s+){0,2}?[a-z-]+?s)"
               r"(?:\s+(?:on|for|from|at|in|of|across|between)\s+(?:[a-z-]+\s+){1,5}?)?\s+"
               r"(?:are|get)\s+(?:still\s+|currently\s+|all\s+|mostly\s+)?(?:handled|tracked|"
               r"kept|recorded|logged|managed|done|run|chased)\s+(?:on|in|by|through|via|with|"
               r"using|over)\s+(?:a\s+|an\s+|the\s+)?(?:paper|forms?|spreadsheets?|sheets?|"
               r"e-?mails?|excel|whiteboards?|phone|post-it|notebooks?|binders?|word)\b"),
    # "our agency gets jobs from clients", "the desk receives requests by email": what comes
    # in is a record
    re.compile(r"\b(?:gets|get|receives|receive|takes\s+in|take\s+in)\s+(?:new\s+)?"
               r"((?:[a-z-]+\s+)?[a-z-]+s)\s+(?:from|through|via|by)\s"),
    # "when a delivery arrives": what arrives is a record
    re.compile(r"\bwhen\s+(?:a|an|the|each|every)\s+((?:[a-z-]+\s+)?[a-z-]+?)s?\s+"
               r"(?:arrives|arrive|comes\s+in|come\s+in|is\s+received|are\s+received|"
               r"turns\s+up|is\s+delivered)\b"),
)
_KEPT_AS = re.compile(
    # "Forklift pre-use checks are still on paper", "Our TLS certificates are tracked in a
    # spreadsheet": a prompt opening with how its records are kept today names them
    r"^(?:our\s+|the\s+|all\s+)?((?:[a-z-]+\s+){0,2}[a-z-]+?)\s+"
    r"(?:\([^)]*\)\s+|(?:between|from|at|for|across)\s+(?:our\s+|the\s+)?[a-z-]+\s+)?"
    r"(?:are|is|live|lives|sit|sits)\s+"
    r"(?:still\s+|currently\s+|all\s+|now\s+|mostly\s+)?(?:tracked|kept|recorded|logged|"
    r"managed|handled|done|run|on\s+paper|(?:in|on)\s+(?:a|an|one)\s+(?:[a-z-]+\s+)?"
    r"(?:spreadsheet|sheet|workbook|book|folder|inbox|binder|file|whiteboard))\b")
# "every failed result has to be handled as an event": the record it becomes; "every
# material a survey finds goes on the register": what goes on it is the record
_HANDLED_AS = re.compile(
    r"\b(?:handled|treated|logged|recorded|registered|raised|opened|managed|run)\s+as\s+"
    r"(?:an?|its\s+own|a\s+separate|a\s+formal)\s+((?:[a-z-]+\s+)?[a-z-]+?)(?=[.,;:!?]|\s+(?:and|"
    r"with|by|in|on|for|so|which|that|until|before|after|when|if)\b|$)")
_GOES_ON = re.compile(
    r"\b(?:every|each|any)\s+((?:[a-z-]+\s+)?[a-z-]+?)s?\s+(?:(?:that|which|we|a|an|the|our)\s+)?"
    r"(?:[a-z-]+\s+){0,8}?(?:goes|go|is\s+put|are\s+put|gets\s+added|is\s+added|is\s+entered|"
    r"is\s+logged|is\s+listed)\s+(?:on|onto|in|into|to)\s+(?:the|our|a)\s+(?:[a-z-]+\s+)?"
    r"(?:register|list|log|sheet|spreadsheet|tracker|database|schedule)\b")
_GOT_BY = (r"(?:prepared|done|written|carried|completed|signed|with|by|from|within|before|"
           r"after|and|which|that|so)\b")
# "every balance sheet account gets a reconciliation prepared by an accountant": what each one
# gets, when it is done or written, is a record of its own
_GETS_ONE = re.compile(
    r"\b(?:every|each|any)\s+(?:[a-z0-9-]+\s+){1,4}?(?:gets|get|needs|has\s+to\s+have|"
    r"must\s+have|requires)\s+(?:an?|its\s+own)\s+([a-z-]+(?:\s+(?!" + _GOT_BY + r")[a-z-]+)?)"
    r"(?=[.,;:!?]|\s+" + _GOT_BY + r"|$)")
_TEAM_KEEPS = re.compile(
    r"\b(?:the|our)\s+([a-z-]+)\s+(?:team|desk|office|unit)\s+(?:keeps|uses|maintains|runs|"
    r"has)\s+(?:it\s+(?:from|in|on)\s+|them\s+(?:in|on)\s+)?(?:a|an|one)\s+(?:shared\s+|big\s+)?"
    r"(?:spreadsheet|sheet|workbook|tracker|log|register)\b")
_FIRST_COLUMN = re.compile(
    r"\b(?:spreadsheet|sheet|columns|headings|headers|workbook|excel)\b[^.;!?]*?"
    r"(?::|\bare\b|\bcolumns\b(?:\s+(?:are|include)\b)?)\s*(?:the\s+)?"
    r"([a-z-]+(?:\s+[a-z-]+)?)\s+"
    r"(?:number|no|nr|id|ref|reference|code)\.?\s*,")
_DONE_TO = ("approved|rejected|cancell?ed|closed|released|confirmed|escalated|submitted|"
            "signed off|completed|paid|issued|reviewed|invoiced|archived|resolved|withdrawn|"
            "expired|renewed|dispatched|shipped|delivered|accepted|declined|refunded|"
            "settled|authori[sz]ed|verified|triaged|reopened|suspended|revoked|fulfilled|"
            "instructed|booked|arranged|scheduled|raised|logged|requested|ordered|"
            "commissioned|carried out")
_LIFECYCLE = (
    # "a booking starts as an enquiry", "a hold records the matter": a record, its start or
    # what it holds
    re.compile(r"(?:^|[.;!?]\s+)(?:an?|the|each|every)\s+((?:[a-z-]+\s+){0,2}[a-z-]+?)\s+"
               r"(?:starts?|begins?|records|captures|lists|contains|includes)\s+"
               r"(?:as|with|the|an?|its|their|what|who|when|which)\b|"
               # "a service goes booked, attended, closed": whose states these are
               r"(?:^|[.;!?]\s+)(?:an?|the|each|every)\s+((?:[a-z-]+\s+){0,2}[a-z-]+?)\s+"
               r"(?:goes|moves|progresses|flows)\s+(?:from\b|through\b|[a-z-]+(?:\s+[a-z-]+)?"
               r"\s*(?:,|->|\u2192))"),
    # "the booking is cancelled", "once a voucher is fulfilled": what a step is done to
    re.compile(r"\b(?:the|each|every|any|an?)\s+((?:(?!(?:the|an?)\s)[a-z-]+\s+){0,2}[a-z-]+?)\s+"
               r"(?:is|are|gets|get|has been|have been)\s+(?:then\s+|only\s+|either\s+|"
               rf"automatically\s+|formally\s+)?(?:{_DONE_TO})\b"),
)
_PRONOUNS = {"them", "it", "these", "those", "him", "her", "us", "me", "one"}
"""An object that is a pronoun: what follows it ("inspects them and either repairs, replaces
or refunds") is more of what is done, not records."""
_SUBJECT_VERBS = {"goes", "go", "is", "are", "was", "were", "has", "have", "gets", "get",
                  "comes", "needs", "must", "can", "will", "should", "may", "stays", "moves"}
"""Words after a tracking verb that show it was a noun, the subject of a clause."""


def _stops(index: int, word: str) -> bool:
    """Whether a word ends what a tracking verb names; "which" opening it is a field ("records
    which reservoir, the date, ...")."""
    return word in _STOP and (index > 0 or word != "which")


def _entities(text: str, intent: Intent) -> None:
    for match in _TRACK.finditer(text):
        group = match.group(2).split()
        before = re.split(r"[.;!?]", text[:match.start()])[-1].rstrip()
        # "Electoral services: log postal vote applications.": the title, then what to do
        told = before.endswith(":") and before.count(":") == 1 and "," not in before and \
            not re.search(r"[.;!?]", text[:match.start()]) and \
            not match.group(1).endswith(("s", "ing")) and \
            not re.match(r"[a-z-]+(?:\s+[a-z-]+){0,3}\s*,", text[match.start(2):])
        if (before.endswith((":", ",")) and ":" in before and not told) or \
                (group and group[0] in _SUBJECT_VERBS | _PRONOUNS) or \
                (before.split() or [""])[-1] in ("the", "a", "an", "each", "every", "this",
                                                  "their", "our", "its", "his", "her", "your") or \
                re.search(r"[a-z]'s?\s*$", before):
            # "...: file reference", "the file goes to", "the request says", "each staff
            # member's record shows": a noun
            continue
        if match.group(1) in ("keep", "keeps") and group and group[0].endswith("ing"):
            continue  # "customers keep e-mailing us": what they do, again and again
        # "logs KPIs every week"; "records which reservoir, the date, ...": a field first
        stop_at = next((i for i, w in enumerate(group) if _stops(i, w)
                        or (i and w in ("each", "every", "per", "-", "--"))), None)
        items = re.split(r",\s*|\s+and\s+|\s+&\s+", " ".join(group[:stop_at]))
        single = items[0].split() if len(items) == 1 else []
        whole, clause = items, ""  # to the list's end, beyond the words the pattern reads
        if len(items) >= 2 and stop_at is None and not group[0].startswith("-"):
            to_end = re.match(r"(?:[^.;:!?()]|\([^)]*\))+?" + _BOUNDARY, text[match.start(2):])
            clause = to_end.group(0) if to_end else ""
            whole = re.split(r",\s*|\s+and\s+|\s+&\s+", re.sub(r"\([^)]*\)", "", clause)) \
                if clause else items
        # "records every flaring event": each one is a record ("checks every week" is when)
        counted = len(group) > 1 and group[0] in ("every", "each") and \
            singular(group[1]) not in _UNITS | {"time", "shift", "morning", "evening", "date"}
        if (match.group(1) in RECORD_VERBS and not counted and (
                len(items) >= 2 or (single and singular(single[-1]) == single[-1]))) or (
                match.group(1) in ("fill", "fills", "enter", "enters") and len(items) >= 3) or (
                # "we log the notice number, issuing authority, vehicle reg, date and time":
                # a list with numbers and dates in it is fields, whatever the verb
                len(whole) >= 3 and not counted and ":" not in before and
                before.count(",") < 2 and  # (not a verb inside a list: "intention to submit date")
                sum(1 for item in whole if item.split() and _typed(item)) >= 2):
            # "records the ledger balance", "fills in the description, cost and budget
            # line": what is written down, the record's fields, to the list's end
            if len(whole) >= 3 and clause:
                _field_list(clause, match.start(2), intent)
                continue
            for offset, item in enumerate(whole):
                words = item.split()
                stop = next((i for i, w in enumerate(words) if _stops(i, w)), None)
                _field_item(" ".join(words[:stop]), match.start(2) + offset, intent)
                if stop is not None:
                    break
            continue
        listed = "," in " ".join(group[:stop_at])
        first = [w for w in items[0].split() if w not in ARTICLES]
        if match.group(1) in ("book", "books") and len(items) == 2 and len(first) == 1 and \
                singular(first[0]) == first[0] and len(items[1].split()) == 2 and \
                singular(items[1].split()[1]) != items[1].split()[1]:
            items = [items[1].split()[1]]  # "book our football and rugby pitches": pitches
        elif len(items) == 2 and 1 <= len(first) <= 2 and \
                all(singular(w) == w for w in first) and \
                len(items[1].split()) >= len(first) + 2 and \
                singular(items[1].split()[-1]) != items[1].split()[-1] and \
                not any(w in ARTICLES or intent.role_re.fullmatch(w)
                        for w in items[1].split()[:len(first)]):
            # "issue hackney carriage and private hire driver licences": two kinds of driver
            # licence, the words before them side by side
            items = [" ".join(items[1].split()[len(first):])]
        for offset, item in enumerate(items):
            words = item.split()
            if offset and not listed and len(words) > 1:
                break
            if offset and len(words) >= 2 and words[1] in _PRONOUNS | ARTICLES:
                # "logs the enquiry, researches it and drafts a response", "we book an
                # inspection, compare it with the inventory", "book a slot, answer a
                # questionnaire": steps
                break
            if words and words[0] in ("whether", "if", "how", "what", "when", "why", "back"):
                break  # "keep each date, result and whether it passed", "writes back to"
            stop = next((i for i, w in enumerate(words) if w in _STOP), None)
            phrase = _noun_phrase(words[:stop], intent)
            if phrase and match.group(1).startswith("write") and (
                    phrase.split()[-1] in _WRITTEN_TEXT or
                    field_spec(snake(phrase))["type"] == "text"):
                phrase = ""  # "writes treatment notes": a field; "writes an estimate": a record
            if phrase and match.group(1).startswith(("upload", "add", "attach")) and \
                    field_spec(snake(phrase))["type"] == "file":
                phrase = ""  # "uploads a photo": a file on the record
            if phrase and not (match.group(1).startswith("put") and " " not in phrase):
                # ("put in price change requests" names them; "put in a request" nothing)
                intent.entities.append((phrase, match.start(2) + offset))
            if stop is not None:
                break
    _title(text, intent)
    for match in _ACTIVITY.finditer(text):
        # "drivers do a walkaround check", "HR runs the annual salary review": the check or
        # review done is a record, even when its first word would be a field ("stock count")
        words = [w for w in match.group(1).split() if w not in TITLE_ADJECTIVES
                 and w not in _PERIODIC]
        phrase = entity_phrase(" ".join(words))
        if phrase and not any(intent.role_re.fullmatch(w) for w in words):
            _mention(intent, " ".join(singular(w) for w in phrase.split()), match.start(1))
    for match in re.finditer(r"\b(?:every|each|all)\s+((?:[a-z-]+\s+)?[a-z-]+?)\s+"
                             r"(?:is|are|gets?)\s+(?:recorded|logged|tracked|kept|stored|registered|entered|"
                             r"captured)\b", text):
        phrase = _noun_phrase(match.group(1).split(), intent)
        if phrase:  # "every donation is recorded with the amount": a record of its own
            _mention(intent, phrase, match.start(1))
    for match in re.finditer(r"(?:^|[.;:!?,]\s*|\band\s+)(?:each|every)\s+((?:[a-z-]+\s+){0,2}"
                             r"[a-z-]+?)\s+(?:is|has|have|needs|gets|must|should|can|carries|"
                             r"belongs|comes|goes|holds|lists|moves|passes|progresses|"
                             r"starts|runs)\b", text):
        if singular(match.group(1).split()[0]) in _UNITS | {"quarter", "time", "shift"}:
            continue  # "each quarter the discharger is billed": when, not what
        phrase = _noun_phrase(match.group(1).split(), intent)
        word = match.group(1)
        if not phrase and word in PURE_VERBS and not intent.role_re.fullmatch(word):
            intent.nouns.add(word)  # "each hire has the site address": a noun, here
            phrase = word
        if phrase and not intent.role_re.fullmatch(match.group(1)):
            _mention(intent, phrase, match.start(1))  # "each job is for a property"
    for cue in (_HANDLED_AS, _GOES_ON, _GETS_ONE):
        for match in cue.finditer(text):
            phrase = _noun_phrase(match.group(1).split(), intent)
            if phrase and not intent.role_re.fullmatch(match.group(1)) and (
                    cue is not _GETS_ONE or entity_shape(phrase) in ("event", "document")):
                _mention(intent, phrase, match.start(1))
    for match in _TEAM_KEEPS.finditer(text):
        # "the bereavement team keeps a spreadsheet: ...": what the team handles is the record
        handled = match.group(1)
        if entity_phrase(handled) and not intent.role_re.fullmatch(handled) and \
                entity_shape(handled) in ("record", "document", "event"):
            _mention(intent, singular(handled), match.start(1))
    kept = _KEPT_AS.match(text)
    if kept:
        phrase = _noun_phrase(kept.group(1).split(), intent)
        if phrase and not intent.role_re.fullmatch(kept.group(1)):
            _mention(intent, phrase, kept.start(1))
    for match in _FIRST_COLUMN.finditer(text):
        # "a spreadsheet: order number, customer name, ...": each row is an order
        phrase = _noun_phrase(match.group(1).split(), intent)
        if phrase and not any(at < match.start(1) for _, at in intent.entities):
            _mention(intent, phrase, match.start(1))
    for cue in _LIFECYCLE:
        for match in cue.finditer(text):
            found = match.group(1) or match.group(2)
            phrase = _noun_phrase(found.split(), intent)
            if phrase and not intent.role_re.fullmatch(found):
                _mention(intent, phrase, match.start(1) if match.group(1) else match.start(2))
    for match in re.finditer(r"\b([a-z]+?)s?\s+(?:database|register|directory|records|list|"
                             r"profiles?)\b|\b(?:track|manage|keep|list of|database of|"
                             r"register of)\s+(?:our\s+|the\s+|all\s+)?([a-z]+?)s\b", text):
        party = singular(match.group(1) or match.group(2))
        if party in PARTY_WORDS and intent.role_re.fullmatch(party):
            # "a proper donor database": the donors are records here, not only users
            _mention(intent, party, match.start())
    for match in re.finditer(r"\b(?:each|every|per)\s+((?:[a-z-]+\s+)?(?:line|item|entry|row))"
                             r"\s*\((?=[^)]*,[^)]*,)", text):
        # "works through each line (bin location, SKU, qty)": lines of the record, with
        # the fields in brackets
        if intent.entities:
            intent.children.append((match.group(1), match.start(1)))
    for cue in _RECORD_CUES:
        for match in cue.finditer(text):
            phrase = _noun_phrase(match.group(1).split(), intent)
            if phrase:
                _mention(intent, phrase, match.start(1))
    for match in re.finditer(r"\bthe\s+([a-z]+)'s\s+[a-z]", text):
        # "enters the customer's car": the customer is a record the car belongs to
        if singular(match.group(1)) in PARTY_WORDS:
            _mention(intent, singular(match.group(1)), match.start(1))
            intent.secondary.add(match.start(1))
    for match in _KEPT_PEOPLE.finditer(text):
        # "each freelancer's bank details", "capture every director and every beneficial
        # owner with name and date of birth": people kept as records, whatever they also do
        for phrase in match.groups():
            if phrase and not intent.role_re.fullmatch(phrase):
                phrase = phrase.split()[0]  # "each freelancer contact details"
            if phrase and intent.role_re.fullmatch(phrase) and \
                    singular(phrase.split()[-1]) not in NOT_FIELDS:
                _mention(intent, " ".join(singular(w) for w in phrase.split()), match.start())
    for match in re.finditer(r"(?:^|[.;!?]\s+)(?:-\s+)?((?:[a-z-]+\s+){0,2}[a-z-]+):", text):
        phrase = _noun_phrase(match.group(1).split(), intent)
        if phrase and (phrase.split()[0] in _CONTAINERS or phrase.split()[-1] in WHO_WE_ARE):
            continue  # "Columns today: Date, Site, ...": the record's fields, not a record;
            # "Newspaper syndication desk: ...": who keeps the records
        if phrase and phrase.split()[-1] in CHILD_HEADINGS and intent.entities:
            intent.children.append((phrase, match.start(1)))  # "lines: item, qty, price"
        elif phrase and phrase not in [p for p, _ in intent.entities]:
            intent.entities.append((phrase, match.start(1)))
            after = re.match(r"[^.;!?]*", text[match.end():])
            if not after or after.group(0).count(",") < 2:
                intent.weak.add(phrase)  # "Hiring: ..." names the app, "Task: a, b, c" a record
    for match in _SUBJECT.finditer(text):
        words = match.group(1).split()
        if words[0] in ("each", "every") and len(words) >= 3 and \
                singular(words[-1]) != words[-1] and singular(words[-2]) == words[-2]:
            # "each painting travels with a courier": after "each", a plural is a verb
            words = words[1:-1]
        phrase = _noun_phrase(words, intent)
        if phrase and phrase not in [p for p, _ in intent.entities]:
            intent.entities.append((phrase, match.start(1)))
            if match.group(2) not in ("with", "that have", "that has", "which have", "have",
                                      "has", "reporting", "tracking", "handling",
                                      "scheduling"):
                intent.weak.add(phrase)
    intent.entities.sort(key=lambda item: item[1])
    for match in re.finditer(rf"\b{MANY}\s+((?:[a-z-]+\s+)?[a-z-]+)", text):
        words = [w for w in match.group(1).split() if w not in ARTICLES]
        if (words and words[-1] in ("of",)) or text[:match.start()].endswith("how "):
            continue  # "how many hours it's needed for": a number, not lines
        if words:
            if len(words) == 2 and words[1] in ("with", "and", "for", "per", "that", "which"):
                words = words[:1]
            intent.children.append((" ".join(singular(w) for w in words), match.start()))


_FIELDS = re.compile(
    r"\b(?:with(?!\s+or\s+without\b)|including|includes|include|(?:has|have|having)(?!\s+to\b)|capturing|"
    r"captures|capture|recording|containing|contains|stores|storing|says|say|gives|lists|notes|shows|"
    r"asks\s+for|fields?)\s+(?:an?\s+|the\s+|their\s+|"
    r"its\s+|fields?\s+(?:for\s+)?)?([a-z0-9][\w\s,'/()&-]*?)" + _BOUNDARY)


ENUM_WORDS = {"type", "category", "kind", "status", "level", "priority", "method", "channel",
              "class", "tier", "grade", "stage", "size", "severity", "urgency", "specialty",
              "reason", "disposition", "outcome", "source", "plan", "mode", "format", "off",
              "leave", "role", "shift", "team", "department", "rating", "risk", "impact", "band",
              "frequency", "period"}
_EXAMPLES = re.compile(r"\.\.\.|\u2026|\betc\b|\bthat kind of thing\b|\band so on\b|"
                       r"(?:^|,)\s*(?:an?)\s+[a-z-]+(?:\s+[a-z-]+)?\s*,\s*(?:an?)\s")
"""Inside brackets, a list of examples, not fields: "(sesame, milk, egg, nuts...)", "(flash, a
broken ejector pin, a water leak, that kind of thing)"."""
_LIST = re.compile(r"(?::|\s-|\s\u2013)\s+([^.;:!?()]*(?:\([^)]*\)[^.;:!?()]*)*)")
_PARENS = re.compile(r"([a-z-]+)\s*\(([^)]*)\)")


_SORTED_AS = {"classif": "category", "categori": "category", "grade": "grade", "rate": "rating",
              "prioriti": "priority", "triage": "category"}
_SORTS = re.compile(r"\b(classif(?:y|ies)|categori[sz]es?|grades?|rates?|prioriti[sz]es?|"
                    r"triages?)\s+(?:it|them|each\s+one|each|every\s+one|the\s+[a-z-]+)\s*$")
"""Verbs that sort a record into one of the values in brackets after it, and the field."""


def _fields(text: str, intent: Intent) -> None:
    chunks: list[tuple[str, int]] = []
    for match in _FIELDS.finditer(text):
        chunk = match.group(1)
        if chunk.count("(") > chunk.count(")"):
            # "with a problem (flash, a broken ejector pin, that kind of thing)": cut short
            # inside its brackets, the list is the words before them
            chunk = chunk[:chunk.rfind("(")]
        if not re.match(rf"{MANY}\b", chunk):
            chunks.append((chunk, match.start(1)))
    for match in _LIST.finditer(text):
        word = (text[:match.start()].split() or [""])[-1]
        if match.group(0).lstrip()[:1] != ":" and singular(word) in ENUM_WORDS:
            continue  # "sets a severity - critical, high, medium or low -": its values
        if match.group(1).count(",") >= 2 or (
                # ": which depot, collection date and return date": three, the last by "and"
                match.group(0).lstrip()[:1] == ":" and match.group(1).count(",") == 1 and
                re.search(r",[^,]*\sand\s", match.group(1)) and all(
                    len(item.split()) <= 5 for item in re.split(r",|\sand\s", match.group(1)))):
            chunks.append((match.group(1), match.start(1)))
    # "(customer, account, the scenario that fired - rapid movement of funds, structured
    # cash, and so on - the amount)": the aside's examples say what a field holds; blanked
    # (same length, so that positions hold) the brackets list fields
    asides = re.sub(r"\(([^()]*)\)", lambda m: "(" + re.sub(
        r"\s-\s[^()]*?\s-\s", lambda a: " " * (len(a.group(0)) - 2) + ", ", m.group(1)) + ")",
        text)
    for match in _PARENS.finditer(asides):
        before, inside = match.group(1), match.group(2)
        sorted_into = _SORTS.search(text[:match.start(2) - 1])
        if sorted_into and inside.count(",") >= 1:
            # "classifies each one (slip/trip, manual handling, vehicles, other)": the
            # values of the field the sorting fills in
            values = [snake(v) for v in re.split(r",\s*|\s+or\s+", inside) if snake(v)]
            if len(values) == len(set(values)) >= 2:
                field = next(name for stem, name in _SORTED_AS.items()
                             if sorted_into.group(1).startswith(stem))
                intent.fields.append((field,
                                      {"type": "enum", "values": values}, match.start(2)))
                intent.lists.append((match.start(2), match.end(2)))
                continue
        if inside.count(",") >= 2 and singular(before) in ENUM_WORDS:
            # "the reason (illness, medical appointment, holiday, other)": values, not words
            # to choose an app by
            intent.lists.append((match.start(2), match.end(2)))
            continue
        if inside.count(",") < 2 or \
                text[:match.start()].rstrip().endswith(",") or \
                len(re.findall(r"\d", inside)) > inside.count(","):
            continue  # "(critical 7 days, high 30, medium 90)": values with their numbers
        if _EXAMPLES.search(inside) or not _typed(inside):
            # examples of what a field holds: not fields, and no words to choose an app by
            intent.lists.append((match.start(2), match.end(2)))
            continue
        chunks.append((inside, match.start(2)))
        _described(match, intent)
    for chunk, start in chunks:
        if chunk.count(",") >= 2:
            intent.lists.append((start, start + len(chunk)))
        _field_list(chunk, start, intent)


def _typed(inside: str) -> bool:
    """Whether a list (or one item of it) names fields: at least one item is a date, a number,
    a name, a description or a kind of thing; "(detention, isolation, suspension)" and "(pile
    cap, pier, crosshead)" are what a field holds."""
    items = [i.split() for i in re.split(r",|\s+and\s+|\s+or\s+", inside) if i.strip()]
    return any(words[-1] in _SHARED_HEADS | ENUM_WORDS or
               field_spec(snake(" ".join(words)))["type"] != "string" for words in items)


_RUN = re.compile(r"[^,.;:!?()]+(?:,[^,.;:!?()]+){2,}")
_LISTING = RECORD_VERBS | {"need", "needs", "want", "wants", "know", "get", "gets",
                           "note", "notes", "log", "logs", "enter", "enters", "keep", "keeps",
                           "take", "takes", "hold", "holds", "collect", "collects", "write",
                           "writes", "track", "tracks", "about", "down", "require",
                           "requires", "we", "they"}
"""Words a run of fields may follow: "we need the customer, ...", "it logs the date, ..."."""
_BREAKS = _STOP | _LISTING
_VALUES_FOLLOW = {"is", "are", "was", "were", "be", "as", "like", "such", "either", "include",
                  "includes", "including", "e", "g", "eg", "ie"}
"""Words after which a list gives values or examples ("leave is annual, sick, unpaid")."""
_FILLERS = ARTICLES | {"and", "or", "its", "their", "his", "her", "our"}


def _bare_lists(text: str, intent: Intent) -> None:
    """"For each movement we need the customer job, its length, width and height and the
    planned route": a run of three or more short items after a word of listing (or opening a
    sentence), with no other cue, is the fields of the record before it, unless it is prose,
    values, states, roles or the records read already."""
    taken = [*intent.lists, *((at, at + 1) for _, at in intent.entities
                              if at not in intent.secondary),
             *((at, at + 1) for _, at in intent.children)]
    for match in _RUN.finditer(text):
        items = match.group(0).split(",")
        lead = items[0].split()
        cut = max((i + 1 for i, w in enumerate(lead)
                   if w in _BREAKS | _VALUES_FOLLOW or _verb(w)), default=0)
        if len(lead) >= 3 and cut == len(lead) and lead[-2] == "who" and \
                lead[-3] in _LISTING:
            cut -= 2  # "we log who paid, amount, ...": the payer is the first field
        opens = bool(re.search(r"(?:^|(?<![0-9])[.;:!?])\s*$", text[:match.start()]))
        if (lead[cut - 1] not in _LISTING if cut else not opens) or \
                text[:match.start()].endswith("("):
            continue  # "staff book a desk for a date, morning, ...": values, not fields
        read = [_list_item(lead[cut:], intent), *(_list_item(i.split(), intent)
                                                  for i in items[1:])]
        if read[-1] is None and cut:
            # "..., the cost centre, and the office manager approves it": a new clause
            read, items = read[:-1], items[:-1]
        kept = [r for r in read if r is not None]
        if len(kept) < len(read) or (not cut and kept[-1][1]):
            continue  # "eligible, the driver delivers it, ...": prose; "parking tickets,
            # bus lane and speeding notices come in": the subject of a clause
        parts = [words for words, _ in kept]
        starts = [match.start() + sum(len(i) + 1 for i in items[:k]) for k in range(len(items))]
        start = starts[0] + len(items[0]) - len(items[0].lstrip()) + len(
            " ".join(lead[:cut])) + (1 if cut else 0)
        # "..., its length, width and the gross weight including the vehicle, the trailer,
        # ...": a list read from a later cue ends this one
        later = min((a for a, _ in intent.lists if start < a < match.end()), default=None)
        if later is not None:
            parts = [p for p, at in zip(parts, starts, strict=True) if at < later]
            if len(parts) < 2:
                continue
        end = starts[len(parts) - 1] + len(items[len(parts) - 1]) - len(
            items[len(parts) - 1].lstrip()) + len(" ".join(parts[-1]))
        said = [w for words in parts for w in re.split(r"\s+(?:and|or)\s+", " ".join(words))]
        heads = [item.split()[-1] for item in said if item.split()]
        if any(a < end and b > start for a, b in taken) or \
                len({snake(item) for item in said} & set(intent.states)) >= 2 or \
                sum(1 for w in heads if intent.role_re.fullmatch(w)) * 2 >= len(heads):
            continue  # read already; "submitted, approved, paid"; "hr, finance and payroll"
        intent.lists.append((start, end))
        _field_list(", ".join(" ".join(words) for words in parts), start, intent)


def _verb(word: str) -> bool:
    """A word that can only be a verb here ("assigns"), not one that is also a noun."""
    return word in verb_forms() and not _noun_like(word)


_IRREGULAR_PAST = {"paid": "paid", "did": "done", "sent": "sent", "made": "made", "took": "taken",
                   "wrote": "written", "signed": "signed", "found": "found", "saw": "seen",
                   "brought": "brought", "bought": "bought", "gave": "given", "sold": "sold"}


def _list_item(words: list[str], intent: Intent) -> tuple[list[str], bool] | None:
    """An item of a list without its trailing clause ("the gross weight including the
    vehicle" is the gross weight), and whether it was cut short; None when the item is a
    clause itself ("the driver delivers it", "every 7 days")."""
    while words and words[0] in _FILLERS:
        words = words[1:]
    if len(words) in (2, 3) and words[0] == "who" and words[-1] in ("it", "them", words[1]) \
            and (words[1].endswith("ed") or words[1] in _IRREGULAR_PAST):
        # "who paid", "who approved it": the person, a field of the record
        return [_IRREGULAR_PAST.get(words[1]) or words[1], "by"], False
    if not words or words[0] in _BREAKS or words[0] in ("every", "each") or \
            (_verb(words[0]) and not (words[0].endswith("ed") and len(words) > 1)):
        return None
    stop = next((i for i, w in enumerate(words) if i and (
        w in _BREAKS or w in _VALUES_FOLLOW or _verb(w)) and not (
            # "date of birth", "place of loss": what it is of is part of its name
            w == "of" and len([v for v in words[i + 1:] if v not in _FILLERS]) == 1)),
        len(words))
    if stop < len(words) and intent.role_re.fullmatch(words[stop - 1]):
        return None  # "the medical monitor reviews"
    kept = words[:stop]
    if len([w for w in kept if w not in _FILLERS]) > 5:
        return None
    return kept, stop < len(words)


def _described(match: re.Match[str], intent: Intent) -> None:
    """"each claim lists journeys (date, from, to, miles)", "the vessel (name, IMO number,
    flag)": a thing described by its own fields is a record of its own — several of them a
    child of the record before it, one a record it points to — and the fields after the
    brackets are the outer record's again."""
    items = [i.strip() for i in re.split(r",|\s+and\s+", match.group(2)) if i.strip()]
    heads = sum(1 for i in items if i.split()[-1] in _SHARED_HEADS
                or field_spec(snake(i))["type"] not in ("string", "text", "enum"))
    phrase = _noun_phrase([match.group(1)], intent)
    outer = [(p, at) for p, at in intent.entities if at < match.start()]
    if phrase and not outer and heads >= 2 and heads * 3 >= len(items) and \
            not match.group(1).endswith("ing") and not intent.role_re.fullmatch(match.group(1)) \
            and singular(match.group(1)) not in CHILD_HEADINGS:
        # "for each turnaround (unit, start and end dates, budget)": the first record the
        # prompt names, by its fields
        _mention(intent, phrase, match.start(2) - 1)
        return
    if not phrase or not outer or heads < 2 or heads * 3 < len(items) or \
            match.group(1).endswith("ing") or \
            intent.role_re.fullmatch(match.group(1)) or phrase == outer[-1][0] or \
            singular(match.group(1)) in CHILD_HEADINGS:
        return  # ("each line (bin, SKU, qty)" is read as lines of the record already)
    # named where its fields start: the outer list's items (placed by their order from the
    # list's start) stay with the outer record
    if singular(match.group(1)) != match.group(1):
        intent.children.append((phrase, match.start(2) - 1))
    else:
        _mention(intent, phrase, match.start(2) - 1)
    _mention(intent, outer[-1][0], match.end())


def _field_list(chunk: str, start: int, intent: Intent) -> None:
    # "columns are instrument id, description, ...": a spreadsheet's headings
    chunk = re.sub(r"^\s*(?:the\s+|these\s+|the\s+following\s+|following\s+)?"
                   r"(?:columns?|fields?|headers?|headings?)(?:\s+|$)"
                   r"(?:are|is|include|includes|:)?\s*", "", chunk)
    # "priority (low, medium, high)": keep the parenthesised list as one item
    chunk = re.sub(r"\(([^)]*)\)", lambda m: "(" + m.group(1).replace(",", "/")
                   .replace(" or ", "/").replace(" and ", "/") + ")", chunk)
    items = [i.strip() for i in re.split(r",\s*(?:and\s+|&\s+|plus\s+)?|\s+and\s+|\s+&\s+|"
                                           r"\s+plus\s+", chunk)]
    # "whether they need a road closure, parking suspensions or a drone": yes/no, each one
    asked = next((i for i, item in enumerate(items) if re.match(r"whether\b", item)), None)
    if asked is not None:
        lead = re.match(r"whether\s+(?:(?:they|it|we|he|she)\s+\w+\s+)?", items[asked])
        prefix = lead.group(0) if lead else "whether "
        # "whether it met the RTO, who did it, and pass or fail": a question of its own, or
        # a field told by its values, ends the yes/no questions
        more = next((i for i, item in enumerate(items) if i > asked and (
            re.match(r"(?:who|which|what|how|when|where)\b", item) or item in _PAIRS)),
            len(items))
        split = [part.strip() for item in items[asked:more]
                 for part in re.split(r"\s+or\s+", item.removeprefix(prefix))]
        # "special effects/pyrotechnics": one thing under two names
        items = items[:asked] + [f"whether {part.split('/')[0]}" for part in split if part] + \
            items[more:]
    items = _kinds(items, start, intent)
    for index, item in enumerate(items):
        following = items[index + 1].split() if index + 1 < len(items) else []
        # "start and end dates", "pickup and delivery addresses" ("flavour, decoration
        # notes" are two fields)
        joined = index + 1 < len(items) and re.search(
            rf"\b{re.escape(item)}\s+(?:and|or|&|/)\s+{re.escape(items[index + 1])}", chunk)
        if joined and len(item.split()) == 1 and len(following) == 2 and \
                singular(following[-1]) in _SHARED_HEADS and (
                    singular(following[-1]) != following[-1] or item in _PAIRED):
            item = f"{item} {singular(following[-1])}"  # "start and end time"
        previous = items[index - 1].split() if index else []
        if index > 0 and len(item.split()) == 2 and len(previous) == 1 and (
                singular(item.split()[-1]) != item.split()[-1] or previous[0] in _PAIRED):
            item = f"{item.split()[0]} {singular(item.split()[-1])}"
        if len(item.split()) == 1 and len(previous) == 2 and item in ENUM_WORDS | {"date"} \
                and previous[-1] in ("name", "title", "number", "code", "id") and \
                f"{items[index - 1]} and {item}" in chunk:
            item = f"{previous[0]} {item}"  # "event name and type": the event's type
        _field_item(item, start + index, intent)


def _kinds(items: list[str], start: int, intent: Intent) -> list[str]:
    """"what the owner wants: communal cremation, individual cremation (and which casket), or
    taking the body home": items that share a head are kinds of one record, not fields; the
    head is the record and its kinds the values of its type. The other items are returned."""
    heads: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        words = re.sub(r"\([^)]*\)", "", item).split()
        cut = next((i for i, w in enumerate(words) if w in _STOP), len(words))
        words = [w for w in words[:cut] if w not in ARTICLES]
        if len(words) == 2 and singular(words[1]) == words[1] and \
                words[1] not in _SHARED_HEADS | ENUM_WORDS:
            heads.setdefault(words[1], []).append(index)
    head, at = max(heads.items(), key=lambda kv: len(kv[1]), default=("", []))
    if len(at) < 2 or entity_shape(head) not in ("event", "document", "money") or \
            any(field_spec(snake(items[i]))["type"] != "string" for i in at):
        return items
    _mention(intent, head, start + at[0])
    values = [snake(re.sub(r"\([^)]*\)", "", items[i]).split()[0]) for i in at]
    intent.fields.append((f"{head}_type", {"type": "enum", "values": values}, start + at[0]))
    return [item for i, item in enumerate(items) if i not in at]


_PAIRED = {"start", "end", "pickup", "drop-off", "dropoff", "delivery", "first", "last",
           "planned", "actual", "opening", "closing", "arrival", "departure", "check-in",
           "check-out", "minimum", "maximum", "min", "max", "current", "new", "old", "from",
           "to", "in", "out", "home", "work", "billing", "shipping"}
_SHARED_HEADS = {"date", "time", "address", "number", "name", "amount", "cost", "price",
                 "email", "phone", "day", "hour", "reading", "level", "rate", "code", "score",
                 "total", "count", "limit", "point", "note", "reference", "contact", "fee"}


def _field_item(item: str, position: int, intent: Intent) -> None:
    if not item or re.match(rf"{MANY}\b", item) or \
            re.match(r"(?:about|around|over|nearly|almost|roughly|some)\s|\d[\d,]*\s+[a-z]+s$",
                     item):
        return  # "an injection moulder with about 300 moulds, some ours": how many, whose
    item = re.sub(r"^(?:it|them)\s+(?=(?:a|an|the)\s)", "", item)  # "gives it a priority"
    required = bool(re.match(r"(?:a |an |the )?(?:required|mandatory)\b", item))
    # "who found it", "who raised it": the person, as "found by"
    item = re.sub(r"^who\s+([a-z]+ed|found|made|took|saw|did|sent|paid)\s+(?:it|them)$",
                  lambda m: f"{_IRREGULAR_PAST.get(m.group(1), m.group(1))} by", item.strip())
    values: list[str] = []
    enum = re.match(r"(.*?)\s*\(([^)]*)\)\s*$", item) or re.match(
        r"(.*?)\s+(?:of|from|as|being|either)\s+((?:[\w-]+\s*/\s*)+[\w-]+)\s*$", item) or \
        re.match(r"(.*?)\s+((?:[\w-]+\s*/\s*)+[\w-]+)\s*$", item)
    if enum:
        item = enum.group(1)
        values = [snake(v) for v in re.split(r"\s*/\s*", enum.group(2)) if v.strip()]
    # "which module", "whether it needs a road closure", "the grade they got", "evidence
    # attached": the field is the noun; "whether" makes it a yes/no, "attached" a file
    kind = ""
    # "what happened, where, when": the account of it
    item = re.sub(r"^what\s+(?:happened|went\s+wrong|occurred|was\s+seen)$", "description",
                  item.strip())
    lead = re.match(r"(?:which|what|whether|if)\s+(?:(?:they|it|we|he|she)\s+"
                    r"(?:need|needs|has|have|want|wants|is|are|uses?|involves?)\s+)?", item)
    if lead and lead.group(0):
        kind = "boolean" if lead.group(0).startswith(("whether", "if")) else ""
        item = item[lead.end():]
        if kind:  # "whether training is needed": training needed
            item = re.sub(r"^((?:[a-z-]+\s+){0,2}[a-z-]+)\s+(?:is|are|was|were|has\s+been|"
                          r"have\s+been)\s+([a-z-]+)$", r"\1 \2", item)
    if re.match(r"(?!(?:a|an|the|their|its|our)\s)[a-z-]+\s+[a-z-]+s\s+(?:it|them)\b", item) or \
            re.match(r"(?:and\s+|or\s+|then\s+)?[a-z-]+[^s\W]s\s+(?:it|them)\b", item):
        return  # "production prints it", "and off-hires it": someone doing something
    verb_first = re.match(r"([a-z]+)\s+(?:the|a|an|their|its|our|his|her)\s", item.strip())
    if verb_first and verb_first.group(1) in verb_forms() and \
            verb_first.group(1) not in ("date", "name", "time"):
        return  # "checks the premises": a step, in a list that is prose
    item = re.split(r"\s+(?:they|it|we|he|she|you)\b", item)[0]
    attached = re.match(r"(.*?)\s+(?:attached|uploaded|enclosed)$", item)
    if attached:
        item, kind = attached.group(1), "file"
    # spreadsheet headings: "calibrated by" names a person, "last calibrated" a date
    done_by = re.fullmatch(r"([a-z]+ed|paid|done|sent|seen|made|found|took|saw|did)\s+by",
                           item.strip())
    done_on = re.fullmatch(r"(?:last|first|date|next)\s+([a-z]+ed)|([a-z]+ed)\s+(?:on|date)",
                           item.strip())
    if done_by:
        intent.fields.append((f"{done_by.group(1)}_by", {"type": "ref", "to": "User"},
                              position))
        return
    if done_on:
        intent.fields.append((snake(item), {"type": "date"}, position))
        return
    item = re.sub(r"^(?:and|or|plus|also)\s+", "", item.strip())  # "..., and late arrivals"
    # "with or without operator": a yes/no, named by the first of the two
    either = re.fullmatch(r"with\s+or\s+without\s+(?:an?\s+|the\s+)?([a-z-]+(?:\s+[a-z-]+)?)",
                          item)
    if either:
        item, kind = f"with {either.group(1)}", "boolean"
    if not values:  # "(description, where, when, photo)"
        item = {"where": "location", "when": "date time", "how many": "quantity",
                "how much": "amount", "why": "reason"}.get(item, item)
        item = re.sub(r"^how long\b.*", "duration", item)  # "how long the restore took"
    item = re.sub(r"\b(no|nr|num)\b\.?$", "number", item)
    item = re.sub(r"'s\b", "", item)  # "the elector's name": the elector name
    item = re.sub(r"\bqty\b", "quantity", item)
    words = [w for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", item) if w not in ARTICLES]
    if not words or len(words) > 3:
        return
    if len(words) >= 2 and verb_forms().get(words[0]) == words[0] and \
            singular(words[-1]) != words[-1]:
        return  # "record inspections": a verb and what it is done to, not a field
    measured = re.fullmatch(r"(quantity|amount|number|hours|value|weight|count|cost|distance|"
                            r"deposit|fee|balance|charge|premium|refund)"
                            r"\s+(to\s+)?([a-z]+)", " ".join(words))
    if measured and not measured.group(2) and not measured.group(3).endswith(("ed", "en")) \
            and measured.group(3) not in verb_forms():
        measured = None  # "cost code", "cost centre": what it is filed under, not how much
    if measured and not kind and not values:
        # "qty picked", "qty to pick", "amount paid", "deposit paid": how much, of something
        # done
        how_much = field_spec(measured.group(1))
        intent.fields.append((snake(" ".join(words)), dict(how_much, required=True) if required
                              else how_much, position))
        return
    if " ".join(words) in _PAIRS and not kind:
        # "on or off", "pass or fail": which way it went
        intent.fields.append((_PAIRS[" ".join(words)], {"type": "enum", "values": words[::2]},
                              position))
        return
    forms = verb_forms()
    # "from holding", "to store": the two ends of a move
    ends = len(words) == 2 and words[0] in ("from", "to")
    if any((w in forms and not _noun_like(w) and not ends and not (
            # "planned route", "agreed price": a participle saying which one
            i == 0 and len(words) >= 2 and w.endswith("ed"))) or (
                w in _NOT_IN_FIELDS and not (ends and i == 0) and not (
                    # "cost code", "tax code": a noun after another
                    w == "code" and i == len(words) - 1 and i > 0))
           for i, w in enumerate(words)):
        return
    if (len(words) == 1 and (words[0] in NOT_FIELDS or len(words[0]) < 3)) \
            or words[-1] in ("them", "it", "everything", "that", "this"):
        return
    name = snake(" ".join(words))
    if name in RESERVED:
        return
    if len(words) > 1 and any(intent.role_re.fullmatch(w) for w in words[:-1]):
        return  # "trainers record completion": a clause, not a field
    role = intent.role_re.fullmatch(" ".join(words)) or (
        # "internal examiner, external examiner": which person, a field naming them
        len(words) > 1 and intent.role_re.fullmatch(words[-1]))
    if role and singular(words[-1]) != words[-1]:
        return  # "tasks for managers": who, not a field
    if role and kind == "boolean":
        role = None  # "with or without driver": whether there is one, not who
    if role and singular(words[-1]) in PARTY_WORDS:
        # "each complaint: customer, account number": a party the record is about is a record
        # of its own, whether or not it also works in the app ("the client approves it")
        _mention(intent, singular(words[-1]), position)
        intent.secondary.add(position)
        role = None
    if lead and lead.group(0).startswith("which") and not role and not values and \
            len(words) == 1 and singular(words[0]) == words[0] and \
            field_spec(name)["type"] in ("string", "text"):
        # "which pipeline", "which site": one of a set the organisation keeps, a register
        _mention(intent, words[0], position)
        intent.secondary.add(position)
    spec: dict[str, Any] = {"type": "ref", "to": "User"} if role else field_spec(name)
    if kind and not role:
        spec = {"type": kind}
    if len(values) >= 2 and len(set(values)) == len(values):
        spec = {"type": "enum", "values": values}
        if set(values) <= {"yes", "no", "y", "n", "true", "false"}:
            spec = {"type": "boolean"}  # "serious (yes/no)"
    if required:
        spec["required"] = True
    intent.fields.append((name, spec, position))


_PAIRS = {**dict.fromkeys(("on or off", "off or on", "in or out", "out or in", "up or down",
                          "inbound or outbound", "incoming or outgoing", "import or export"),
                         "direction"),
          **dict.fromkeys(("pass or fail", "passed or failed", "pass fail"), "result")}
"""A field told as its two values: which way a thing moves ("ear tag, on or off, from
holding"), how a test went ("who did it, and pass or fail")."""
_NOT_IN_FIELDS = {"we", "i", "you", "they", "he", "she", "who", "which", "that", "this", "is",
                  "are", "be", "been", "was", "were", "can", "should", "must", "will", "if",
                  "when", "then", "there", "here", "one", "keeps", "keep", "tracked", "need",
                  "needs", "get", "gets", "also", "not", "twice", "same", "anything", "over",
                  "under", "above", "below", "against", "into", "per", "each", "every",
                  "come", "comes", "in", "on", "at", "to", "from", "by", "as", "do", "does",
                  "mark", "move", "update", "send", "match", "pick", "follow", "put", "decide",
                  "run", "see", "take", "give", "set", "use", "make", "code", "has", "have",
                  "had", "during", "while", "since", "until", "marked"}
_NOUN_LIKE = {"book", "order", "request", "booking", "report", "log", "claim", "record", "file",
              "test", "plan", "issue", "return", "review", "check", "schedule", "process",
              "award", "grant", "quote", "invoice", "audit", "deposit", "estimate",
              "registration", "start", "end", "hire", "sign", "fix", "finish", "complete",
              "release", "rating", "score", "due", "payment", "receipt", "post", "count",
              "load", "bill", "hold", "survey", "pick", "appeal", "clear", "reserve",
              "repair", "change", "pay", "transfer", "refund", "visit", "move", "service",
              "support", "dispute", "trial", "sample", "delay", "use"}




def _noun_like(word: str) -> bool:
    """A verb form that is also a common noun ("counts", "bookings", "requests")."""
    return word in _NOUN_LIKE or singular(word) in _NOUN_LIKE


_STATES = re.compile(
    r"\b(?:through(?:\s+(?:the\s+)?(?:stages?|states?|steps?))?|stages?|status(?:es)?|"
    r"states?|steps?|(?:moves?|moving|goes|go|going|progress(?:es)?)(?=\s+from\b)|"
    # "a call goes notified, approved, alongside, departed": the states, listed
    r"(?:moves?|goes|runs|flows?)(?=\s+[a-z-]+(?:\s+[a-z-]+)?\s*(?:,|->|>|\u2192)\s*[a-z]))"
    # "Statuses: draft, HR review, ...": the colon may follow the word itself
    r"(?:\s*:\s*|\s+(?:as\s+(?:it'?s\s+|they'?re\s+)?|"
    r"from\s+|of\s+|like\s+|such as\s+|is\s+|are\s+|go(?:es)? through\s+)?)"
    r"([a-z][a-z ,/'>\u2192-]*?(?:\([^)]*\)[a-z ,/'>\u2192-]*?)*)(?=[.;:!?]|$)")


_STATUS_LIST = re.compile(r"\b(?:status|stage|state)(?:es|s)?\s*\(([^)]*)\)")
_STATUS_COLON = re.compile(
    # "statuses we use on the whiteboard: booked, admitted, ...": the list after the colon
    r"\b(?:status(?:es)?|states|stages)\b[^.;:!?]{1,40}?:\s*"
    r"([a-z][a-z ,/'>\u2192-]*?(?:\([^)]*\)[a-z ,/'>\u2192-]*?)*)(?=[.;:!?]|$)")


def _states(text: str, intent: Intent) -> None:
    # "status (proposed, active, on hold, completed)" in a field list: the workflow's states
    chunks = [(m.group(1), m.start()) for m in _STATUS_LIST.finditer(text)]
    chunks += [(re.sub(r"\([^)]*\)", " ", m.group(1)), m.start())
               for m in _STATUS_COLON.finditer(text)]
    chunks += [(re.sub(r"\([^)]*\)", " ", m.group(1)), m.start())
               for m in _STATES.finditer(text)]
    for chunk, start in chunks:
        # "..., invoiced, or cancelled if the ship doesn't come": the clause is not a state
        chunk = re.split(r"\s+(?:if|when|unless|because|once|until|where|whenever)\s", chunk)[0]
        # "draft to submitted to approved"; but in a list of commas "sent to payroll" is one
        to = r"(?<!ed)(?<!sent)\s+to\s+" if chunk.count(",") >= 2 else r"\s+to\s+"
        parts = re.split(rf",\s*|\s+(?:and|or|then)\s+|{to}|/|\s*(?:->|>|\u2192)\s*", chunk)
        if sum(1 for part in parts if re.search(r"(?:^|\s)(?:a|an)\s", part)) >= 2:
            continue  # "move a patient, collect a specimen, ...": kinds of work, not states
        found: list[str] = []
        for part in parts:
            words = [w for w in part.split() if w not in ARTICLES and w not in (
                "then", "finally", "either", "eventually", "it's", "its", "they're", "from",
                "or", "and")] or [w for w in part.split() if w == "new"]  # the state "new"
            if not words or len(words) > 3:
                found = []
                break
            found.append(snake(" ".join(words)))
        if len(found) >= 3 and len(set(found)) == len(found):
            alternatives = re.search(r"\bor\s+([a-z ]+?)\s*$", chunk)
            intent.states = found
            intent.final_states = {found[-1]}
            if alternatives and len(found) >= 2:
                intent.final_states.add(found[-2])
            intent.states_at = start
            return


_LINK = re.compile(
    r"\b((?:[a-z-]+\s+){0,2}[a-z-]+?)\s+(?:(?:is|are|get|gets)\s+)?(?:each\s+)?"
    r"(?:belongs?|belonging|linked|tied|attached|related|connected|assigned|booked|logged|"
    r"recorded|raised|charged)\s+(?:to|against|for|with)\s+(?:an?\s+|the\s+|their\s+|its\s+|"
    r"one\s+of\s+(?:our|the)\s+|a\s+specific\s+)?((?:[a-z-]+\s+){0,2}[a-z-]+)")
_AGAINST = re.compile(r"\b(?:against|per|for each|for every)\s+(?=(?:an?\s+|the\s+|each\s+|"
                      r"every\s+)?((?:[a-z-]+\s+){0,2}[a-z-]+))")
_UNITS = {"day", "week", "month", "year", "hour", "person", "item", "head", "night", "unit",
          "minute", "customer", "user", "employee"}


_FOR_PLACE = re.compile(r"\b(?:for|at)\s+(?:an?|one|the|their|its|each|every)\s+"
                        r"((?:[a-z-]+\s+){0,2}[a-z-]+)")
_WHO_WE_ARE_PLACES = {"office", "desk", "department", "team", "company", "firm", "business"}
_COUNTED = re.compile(r"\b(?:our|about|around|over|some|nearly|almost|across|of|with|run|"
                      r"runs|manage|manages|have|has)\s+(?:\d[\d,]*|several|dozens\s+of|"
                      r"hundreds\s+of|thousands\s+of)\s+((?:[a-z-]+\s+){0,2}?[a-z-]+s)\b")
""""Our 14 restaurants", "about 300 moulds": what an organisation counts, it keeps a register
of."""
_PLAIN_ADJECTIVES = {"new", "old", "small", "large", "big", "main", "own", "other", "busy",
                     "different", "independent", "local", "regional", "active", "live"}
_NOT_COUNTED = {"minute", "second", "metre", "meter", "mile", "kilometre", "pound", "dollar",
                "euro", "million", "thousand", "percent", "time", "tonne", "ton", "kg", "litre",
                "working", "business", "year", "people", "staff", "member", "user"}


def _links(text: str, intent: Intent) -> None:
    """Phrases the prompt ties together, and the records its verbs leave behind."""
    for match in _LINK.finditer(text):
        source = _noun_phrase(_last_words(match.group(1)), intent)
        target = _noun_phrase(_first_words(match.group(2)), intent)
        if source and target and source != target:
            intent.links.append((source, target, match.start()))
            _mention(intent, source, match.start(1))
            _mention(intent, target, match.start(2))
    for match in _AGAINST.finditer(text):
        words = _first_words(match.group(1))
        if not words or words[-1] in NOT_ENTITIES or words[-1] in NOT_FIELDS:
            continue  # "against a part number": a field of the record, not a record
        target = _noun_phrase(words, intent)
        if target and singular(target.split()[-1]) not in _UNITS and target not in (
                "diem", "cent", "annum", "capita"):
            _mention(intent, target, match.start(1))
            intent.secondary.add(match.start(1))
    for match in _FOR_PLACE.finditer(text):
        # "a permit for a property", "a diary for their site", "sits at a property": the
        # place, party or thing a record is for is a record of its own
        target = _noun_phrase(_first_words(match.group(1)), intent)
        if target and entity_shape(target) in ("location", "organisation", "asset") and \
                singular(target.split()[-1]) not in _UNITS and \
                target.split()[-1] not in _WHO_WE_ARE_PLACES:
            _mention(intent, target, match.start(1))
            intent.secondary.add(match.start(1))
    for match in _COUNTED.finditer(text):
        words = _first_words(match.group(1))
        while len(words) > 1 and (words[0] in _PLAIN_ADJECTIVES or words[0].endswith(
                ("ed", "er", "al", "ive", "ous", "ful", "ic"))):
            words = words[1:]  # "about 60 older buildings", "our 6 franchised showrooms"
        target = _noun_phrase(words, intent)
        if not target or singular(target.split()[-1]) in _UNITS | _NOT_COUNTED:
            continue
        role = intent.role_re.fullmatch(target)
        if role and singular(target.split()[-1]) not in PARTY_WORDS:
            continue  # "our 40 engineers": who works in the app
        _mention(intent, target, match.start(1))
        intent.secondary.add(match.start(1))
        intent.counted.add(match.start(1))
    forms = verb_forms()
    verbs = sorted((f for f, v in forms.items() if v in ASSOCIATION_VERBS), key=len,
                   reverse=True)
    pattern = re.compile(  # ("a visitor sign-in book": no one "in" books)
        r"(?<![\w-])([a-z]+)\s+(?:can\s+|may\s+|must\s+|will\s+|also\s+|then\s+|should\s+)?("
        + "|".join(re.escape(v) for v in verbs) + r")\b(?:\s+(?:in|on|to|for|into|onto))?"
        r"(?:\s+(?:an?|the|their|one or more|several|multiple)\b)?\s+"
        r"([a-z-]+(?:\s+[a-z-]+){0,2})")
    for match in pattern.finditer(text):
        subject = singular(match.group(1))
        verb = forms[match.group(2)]
        # "the cattle movement book for the farm", "a lab book": one noun, no booking
        compound = match.group(2) == verb and subject == match.group(1) and \
            not subject.endswith("s") and subject not in PARTY_WORDS | _COLLECTIVES and \
            not intent.role_re.fullmatch(subject) and subject not in _EDGE_WORDS and \
            subject not in ("we", "i", "you", "they", "who", "that", "which", "to")
        if compound and match.group(2) in _WRITTEN_IN:
            continue  # ("car hire branches" still speak of hires)
        if subject in ARTICLES or subject in FILLERS or subject in PASSIVE or subject in (
                "we", "i", "you", "they", "and", "or", "to", "who", "that", "which"):
            if verb not in RECORD_MAKING_VERBS or subject in ARTICLES | PASSIVE or \
                    subject in ("to", "and", "or") or match.group(2).endswith("ing"):
                continue
            subject = ""  # "the team books a room": the booking still is the record
        raw = match.group(3).split()
        if raw[0] in _SUBJECT_VERBS:
            continue  # "each banquet event order has": "order" was a noun
        cut = next((i for i, w in enumerate(raw) if w in _STOP or w in ("and", "about") or (
            i and w in ("each", "every", "a", "an", "the"))), len(raw))
        words = _first_words(" ".join(raw[:cut]))
        # "book our football and rugby pitches": the things are pitches
        shared = re.match(r"(?:(?:our|their|the)\s+)?([a-z-]+)\s+(?:and|or)\s+([a-z-]+)\s+"
                          r"([a-z-]+)", text[match.start(3):])
        if shared and singular(shared.group(1)) == shared.group(1) and words and \
                shared.group(2) not in ARTICLES and \
                singular(shared.group(3)) != shared.group(3) and shared.group(3) not in _STOP:
            words = [shared.group(3)]
        obj = _noun_phrase(words, intent) or (
            singular(words[-1]) if len(words) == 1 and singular(words[-1]) in ("job", "work")
            else "")
        record = ASSOCIATION_VERBS[verb]
        intent.associations.append((subject, record, obj, match.start()))
        head = singular(words[-1]) if words else ""
        # "the coordinator books it with a hire company": the record already named is booked
        kept = head not in BOOKED_AS_IS | _PRONOUNS and (not obj or entity_shape(obj) not in (
            "event", "money", "document"))
        if kept and not compound and (subject in PARTY_WORDS or (
                verb in RECORD_MAKING_VERBS and head)):
            # "organisations apply with a project title": the words after describe the
            # application, a record of its own; "coaches book courts": so do bookings
            _mention(intent, record, match.start(2))


_COLLECTIVES = {"team", "crew", "people", "public", "family", "club", "department", "office",
                "everyone", "anyone", "somebody", "someone", "nobody", "one"}
"""Singular nouns that still do things together ("the team book a room")."""
BOOKED_AS_IS = {"slot", "appointment", "session", "place", "seat", "ticket", "spot", "lesson",
                 "class", "visit", "table", "tour"}
"""What is booked and is itself the booking ("hauliers book delivery slots")."""


def _first_words(phrase: str) -> list[str]:
    words = [w for w in phrase.split() if w not in ARTICLES]
    stop = next((i for i, w in enumerate(words) if w in _STOP or w in (
        "and", ",", "against", "per", "each", "every") or (
            i and w.endswith("ing") and w not in _TITLE_GERUNDS)), None)
    return words[:stop]


def _last_words(phrase: str) -> list[str]:
    words = phrase.split()
    start = max((i + 1 for i, w in enumerate(words) if w in _STOP or w in ARTICLES
                 or w in ("and",)), default=0)
    return words[start:]


def _mention(intent: Intent, phrase: str, position: int) -> None:
    """An entity phrase seen where no verb introduced it ("belong to customer accounts")."""
    if (phrase, position) not in intent.entities and not any(
            p == phrase and abs(at - position) < 3 for p, at in intent.entities):
        intent.entities.append((phrase, position))
        intent.entities.sort(key=lambda item: item[1])


_NEXT = (r"(?:\s+(?!(?:and|or|then|with|by|to|in|on|for|after|before|when|if|it|them|"
         r"afterwards|later|again|immediately|first|too|also|instead|there|today|now)\b)"
         r"[a-z-]+)?")
_OUTCOME = re.compile(
    r"\b(?:decides?|deciding|marks?|marking|rules?|triages?|triaging|classif(?:y|ies))\b"
    r"(?:\s+(?:it|them|the\s+[a-z]+|each\s+[a-z]+)\b)?"
    r"(?:\s+(?:as|to|whether|between|on))?\s*:?\s*\b"
    r"((?:[a-z-]+" + _NEXT + r"\s*,\s*)*[a-z-]+" + _NEXT + r"\s*,?\s+(?:or|and)\s+"
    r"[a-z-]+" + _NEXT + r")\b")


def _outcomes(text: str, intent: Intent) -> None:
    """The end states of a decision the prompt spells out ("marks it attended or no-show",
    "triages it as accepted or declined", "decides to fund, partly fund or decline")."""
    forms = verb_forms()
    plain = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group(0)), text)
    for match in _OUTCOME.finditer(plain):
        items = [i.strip() for i in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+",
                                              match.group(1)) if i.strip()]
        states: list[str] = []
        for item in items:
            # "marks it clean, and a supervisor inspects it": a clause, not a list of outcomes
            # "triages each finding and sets a severity": what it acts on, then a new verb
            last = item.split()[-1]
            if intent.role_re.search(item) or item.split()[0] in ("a", "an", "the", "each",
                                                                  "every") or (
                    last.endswith("s") and forms.get(last) not in (None, last)):
                states = []
                break
            words = [w for w in item.split() if w not in ARTICLES]
            if not words or len(words) > 2 or any(w in _NOT_IN_FIELDS | _PRONOUNS
                                                   for w in words) or (
                    len(words) == 2 and forms.get(words[0]) and words[0].endswith("s")):
                states = []  # "classifies them and assigns actions": not outcomes
                break
            verb = forms.get(words[-1])
            if verb in VERBS and words[-1] == verb:  # "fund" → funded, "partly fund"
                words[-1] = VERBS[verb][1] if VERBS[verb][0] == verb else (
                    verb + "d" if verb.endswith("e") else verb + "ed")
            states.append(snake(" ".join(words)))
        if len(states) < 2 or len(set(states)) < len(states):
            continue
        sentence_start = max(plain.rfind(c, 0, match.start()) for c in ".;!?")
        roles = [m for m in intent.role_re.finditer(plain, sentence_start + 1, match.start())]
        if roles:
            intent.outcomes.append((role_name(roles[-1].group(1)), states, match.start()))


def _deletes(text: str, intent: Intent) -> None:
    if re.search(r"\b(?:everyone|everybody|anyone|all users|all roles|all staff|any user)\b"
                 r"[^.;]{0,30}\bdelete\b|\b(?:let|allow)\s+(?:everyone|everybody|anyone|"
                 r"all users|all roles)\s+(?:to\s+)?delete\b", text):
        intent.delete_all = True
        return
    for match in intent.role_re.finditer(text):
        after = text[match.end(): match.end() + 30]
        if re.match(r"\s+(?:can|may|should be able to|are allowed to|must be able to)?\s*"
                    r"(?:also\s+)?delete\b", after):
            intent.delete_roles.add(role_name(match.group(1)))


def _currency(text: str) -> str:
    checks = ((r"\$|\bUSD\b|\bdollars?\b", "USD"), (r"£|\bGBP\b|\bpounds?\b", "GBP"),
              (r"€|\bEUR\b|\beuros?\b", "EUR"), (r"\bCHF\b|\bfrancs?\b", "CHF"),
              (r"\bJPY\b|\byen\b", "JPY"), (r"\bCAD\b", "CAD"), (r"\bAUD\b", "AUD"),
              (r"\bINR\b|\brupees?\b", "INR"), (r"\bSEK\b", "SEK"))
    for pattern, code in checks:
        if re.search(pattern, text, re.IGNORECASE if code not in ("USD",) else 0):
            return code
    return ""


def is_approval(verb: str) -> bool:
    return verb in APPROVE_VERBS
