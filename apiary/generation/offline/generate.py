"""A new definition from a prompt: pick blueprints, apply what the prompt names, render.

The order matters: the blueprint gives a complete, sensible app; the prompt's roles, states,
entities and fields are then laid over it, so that what the prompt says always wins and what
it leaves out is filled in (and listed as an assumption).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from apiary.errors import ApiaryError
from apiary.generation.offline.blueprints import Blueprint, library, parse_field, rank
from apiary.generation.offline.extract import (
    BOOKED_AS_IS,
    NOT_FIELDS,
    RESERVED,
    WHO_WE_ARE,
    Action,
    Intent,
    entity_phrase,
    extract,
    is_approval,
    verb_forms,
)
from apiary.generation.offline.lexicon import (
    ASSOCIATION_VERBS,
    CREATE_VERBS,
    ENTITY_SHAPES,
    PARTY_WORDS,
    RECORD_NOUNS,
    ROLE_SYNONYMS,
    SHAPE_FIELDS,
    STOPWORDS,
    TRANSLATIONS,
    VERBS,
    entity_shape,
    field_spec,
    pascal,
    plural,
    singular,
    snake,
    transition_to,
)
from apiary.generation.offline.plan import (
    EntityKind,
    EntityPlan,
    Plan,
    RoleKind,
    RolePlan,
    TransitionPlan,
)
from apiary.generation.offline.render import render

MAX_PROMPT = 4000
STRONG = 6.0
WEAK = 3.0
CONFIDENT = 1.06
"""In main keywords found in no other blueprint (weight 3, the library's rarest): below one
such keyword and a bit, a blueprint is used only when it has the prompt's main record. A
keyword's weight grows with the library (``blueprints._idf``), so the bar is measured in the
same unit rather than fixed."""
BRANCH_VERBS = {"reject", "decline", "refuse", "deny", "cancel", "lose", "return"}
OWNER_BY_DEFAULT = {"employee", "customer", "requester", "applicant", "member", "student",
                    "patient", "volunteer", "attendee", "tenant", "visitor", "candidate",
                    "learner", "reporter", "host", "author", "driver", "policyholder", "client",
                    "sales", "engineer", "inspector", "technician", "donor", "worker", "staff"}
STAFF_CREATE_VERBS = {"record", "enter", "add"}
VIEWER_BY_DEFAULT = {"auditor", "board", "security", "compliance"}


class OfflineGenerationError(ApiaryError):
    """The offline generator cannot make an app (or a change) from the text it was given."""


def generate(prompt: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """The document, the assumptions made and the warnings, for one prompt."""
    text, assumptions = _prepare(prompt)
    intent = extract(text)
    # Role names ("the fleet manager", "sales") say who, not what: they do not pick blueprints.
    masked = intent.role_re.sub(" , ", text.lower())
    # nor what they do ("accounts invoice weekly" is a step, not an app about invoices), unless
    # the verb says what is kept ("members borrow books", "consultants log hours")
    forms = verb_forms()
    masked = re.sub(r"( , )\s*(?:(?:can|may|must|will|then|also|should)\s+)?([a-z]+)\b"
                    r"(?!\s+(?:up|in|out|off|on)\b)",
                    lambda m: m.group(1) if forms.get(m.group(2)) in VERBS and
                    forms[m.group(2)] not in CREATE_VERBS | set(ASSOCIATION_VERBS)
                    else m.group(0), masked)
    masked = _mask_paired_steps(masked, forms)
    words = [singular(w) for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*|,", masked)]
    ranked = rank(words)
    if not ranked:
        ranked = rank([singular(w) for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*",
                                                       text.lower())])
    plan = _choose(ranked, intent, set(words), assumptions)
    plan.assumptions = assumptions
    _apply_roles(plan, intent)
    primary = _apply_entities(plan, intent)
    _apply_workflow(plan, intent, primary)
    _apply_outcomes(plan, intent, primary)
    _drop_unspoken(plan, intent, primary)
    _apply_fields(plan, intent, primary)
    _connect(plan, intent, primary)
    _add_supporting(plan, intent, primary)
    _join_islands(plan, intent, primary)
    _finish(plan, intent)
    doc = json.loads(json.dumps(render(plan)))
    return doc, plan.assumptions, plan.warnings


# --- the prompt -----------------------------------------------------------------------------

def _mask_paired_steps(text: str, forms: dict[str, str]) -> str:
    """Two steps told together ("grants or refuses it", "reviews and signs it") say what is
    done, not what the app is about: blanked before the blueprints are matched."""
    spans = []
    for match in re.finditer(r"(?=\b([a-z]+s)\s+(?:or|and)\s+([a-z]+s)\b)", text):
        first, second = match.group(1), match.group(2)
        if all(forms.get(w) in VERBS and forms[w] != w and forms[w] not in CREATE_VERBS
               for w in (first, second)):
            start = match.start()
            spans.append((start, start + len(first)))
            later = text.index(second, start + len(first))
            spans.append((later, later + len(second)))
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _prepare(prompt: str) -> tuple[str, list[str]]:
    assumptions: list[str] = []
    # a bulleted or numbered list: each item is a sentence of its own
    prompt = re.sub(r"\n[ \t]*(?:[-*\u2022]|\d+[.)])[ \t]+", ". - ", prompt)
    text = " ".join(prompt.split())
    if not text:
        raise OfflineGenerationError(
            "The prompt is empty. Describe the app in a sentence or two, e.g. \"Employees "
            "submit expense claims with several receipts; a manager approves; finance pays.\"")
    if len(text) > MAX_PROMPT:
        text = text[:MAX_PROMPT]
        assumptions.append(f"Read only the first {MAX_PROMPT} characters of the prompt.")
    language = _language(text)
    if language != "English":
        translated, known = _translate(text, language)
        if not known:
            raise OfflineGenerationError(
                f"The prompt looks like {language}; the offline generator understands only "
                "English. Write the prompt in English, or use a model provider "
                "(--provider) that understands it.")
        assumptions.append(
            f"The prompt looks like {language}; the offline generator understands only "
            f"English and read these words: {', '.join(sorted(set(known)))}. Check the result, "
            "or use a model provider for a full reading.")
        text = translated
    return text, assumptions


def _language(text: str) -> str:
    words = re.findall(r"[a-zà-ÿäöüß]+", text.lower())
    counts = {lang: sum(1 for w in words if w in stop) for lang, stop in STOPWORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    if best != "English" and counts[best] >= 2 and counts[best] > counts["English"]:
        return best
    return "English"


def _translate(text: str, language: str) -> tuple[str, list[str]]:
    lowered = text.lower()
    known = []
    for word in sorted(TRANSLATIONS[language], key=len, reverse=True):
        pattern = rf"(?<![\w]){re.escape(word)}(?![\w])"
        if re.search(pattern, lowered):
            known.append(word)
            lowered = re.sub(pattern, TRANSLATIONS[language][word], lowered)
    return lowered, known


# --- choosing the blueprints ----------------------------------------------------------------

def _choose(ranked: list[tuple[float, Blueprint, list[str]]], intent: Intent,
            loose: set[str], assumptions: list[str]) -> Plan:
    """The best blueprint's plan, with a second one composed in when the prompt clearly names
    its records too (``loose``: the prompt's words outside role names), or a bare plan."""
    chosen: tuple[Blueprint, list[str]] | None = None
    passed_over: list[tuple[float, Blueprint, list[str]]] = []
    named = [p for p, _ in intent.entities if p not in intent.weak]
    # what a record is for ("for a property") does not pick the blueprint on its own
    leading = [p for p, at in intent.entities if p not in intent.weak
               and at not in intent.secondary]
    # "hour meter reading" among a check's fields: no app about meters, when another
    # blueprint matches words the prompt says outside its lists
    in_lists = [r for r in ranked[:3] if _only_listed(r[2], intent)]
    if len(in_lists) < len([r for r in ranked[:3] if r[0] >= WEAK]):
        ranked = [r for r in ranked if r not in in_lists]
    for index, (score, candidate, matched) in enumerate(ranked[:3]):
        plan = candidate.plan()
        if not any(_spoken_of(plan, name, intent) for name in plan.entities) or \
                max(candidate.keywords[k] for k in matched) < 2:
            continue  # "insurance" said once, no claim anywhere: not the claims blueprint;
            # "job" alone (a minor word of recruiting) does not make an app about hiring
        # "raises a request": a bare generic word leads only to a record it names (a
        # ServiceJob for "job"), not to one it is an alias of (a WorkOrder)
        has_lead = any(_stands_for(plan, p) and not _measured_kind(plan, candidate, p)
                       for p in leading)
        if _opening_record_unknown(plan, intent, candidate):
            passed_over.append((score, candidate, matched))
            continue
        opening = intent.sentences[0][1] if intent.sentences else 0
        opens_with = bool(leading) and any(p == leading[0] and at < opening
                                           for p, at in intent.entities)
        if (score < _confident() and named and not has_lead) or (
                # "The contracts office handles material transfer agreements ... an
                # authorised signatory signs": not an app about airside passes
                score < 1.5 * _confident() and opens_with
                and not _stands_for(plan, leading[0])):
            if index == 0:
                assumptions.append(f"The `{candidate.key}` blueprint matched only weakly "
                                   f"({', '.join(matched)}) and has none of the records the "
                                   "prompt is about.")
            continue  # a weak match without the prompt's record: a runner-up may have it
        unknown = [p for p in named if not _resolve(plan, p)]
        if (index == 0 or has_lead) and (score >= STRONG or (score >= WEAK and not unknown)):
            chosen = candidate, matched
            break
        if index == 0 and not named:
            break
    closest = next(((b, m) for s, b, m in ranked[:3] if s >= WEAK and _speaks_of(b, intent)),
                   None) or next(((b, m) for s, b, m in ranked[:1] if s >= WEAK), None)
    if chosen is None and not intent.entities and not intent.children and closest:
        # nothing the prompt names can carry an app: the closest blueprint whose records it
        # speaks of, said so
        chosen = closest
        assumptions.append(f"The prompt names no record the generator could read; the app "
                           f"follows the closest blueprint, `{chosen[0].key}`. Check it.")
    if chosen is None:
        plan = _bare_plan(intent, assumptions)
        _borrow(plan, assumptions, {b.key: score for score, b, _ in ranked})
        return plan
    best, matched = chosen
    best_score = next(score for score, b, _ in ranked if b is best)
    plan = best.plan()
    plan.source = best.key
    assumptions.append(f"Started from the `{best.key}` blueprint (matched: "
                       f"{', '.join(matched)}).")
    for score, other, words in [r for r in ranked[:4] if r[1] is not best][:3]:
        strong = [w for w in words if other.keywords[w] >= 3 and w not in best.keywords
                  and all(part in loose for part in w.split())
                  and not any(w in m.split() for m in matched if " " in m)]
        theirs = other.plan()
        # only when the prompt names one of its records that this plan does not have
        # ("the registrar logs the request" wants no travel request)
        wanted = [p for p in named if _stands_for(theirs, p) and not _resolve(plan, p)
                  and p not in GENERIC_NOUNS]
        # a blueprint passed over only because the prompt opens with another record
        # ("track support tickets ..., and the assets they are about") still adds its own
        wanted = wanted or [w for w in words if any(other is b for _, b, _ in passed_over)
                            and _speaks_of(other, intent)]
        if score >= STRONG and score >= 0.4 * best_score and strong and wanted:
            added = _compose(plan, other.plan())
            if added:
                assumptions.append(f"Added {', '.join(added)} from the `{other.key}` blueprint "
                                   f"(matched: {', '.join(words)}).")
    return plan


def _speaks_of(blueprint: Blueprint, intent: Intent) -> bool:
    """Whether the prompt's sentences (not its lists of fields) name one of the blueprint's
    records."""
    plan = blueprint.plan()
    return any(_spoken_of(plan, name, intent, prose=True) for name in plan.entities)


def _only_listed(keywords: list[str], intent: Intent) -> bool:
    """Whether the prompt says the keywords only in its lists of fields."""
    said = [f" {keyword.replace('-', ' ')} " for keyword in keywords]
    return all(k in intent.listed and k not in intent.prose for k in said)


def _stands_for(plan: Plan, phrase: str) -> str:
    """The plan's entity the phrase means, where a bare generic word ("request", "job") counts
    only for a record it names (a ServiceJob), not for one it is an alias of (a WorkOrder)."""
    found = _resolve(plan, phrase)
    if phrase in GENERIC_NOUNS and found and _words(found).split()[-1] != phrase:
        return ""
    return found


def _confident() -> float:
    return CONFIDENT * 3 * math.log(1 + len(library()))


def _another_kind(plan: Plan, blueprint: Blueprint, phrase: str) -> bool:
    """Whether the prompt's record is another kind of the blueprint's: "tax returns" to a
    blueprint of retail returns, "price change requests" to one of IT changes. The record is
    found only by its last words, and the words before them are foreign to the blueprint."""
    words = phrase.split()
    start = next((i for i in range(len(words)) if any(
        " ".join(words[i:]) in (_words(name), *entity.aliases)
        for name, entity in plan.entities.items())), 0)
    if not start:
        return False
    # a keyword's words count when it is said of the same head ("tour bookings" makes a tour
    # booking one of its kinds, "group tour" does not make a group booking one)
    head = singular(words[-1])
    vocabulary = {w for keyword in blueprint.keywords
                  if " " not in keyword or singular(keyword.split()[-1]) == head
                  for w in keyword.split()} | {
        w for name, entity in plan.entities.items()
        for phrase_of in (_words(name), *entity.aliases) for w in phrase_of.split()}
    return not any(singular(w) in vocabulary for w in words[:start])


def _measured_kind(plan: Plan, blueprint: Blueprint, phrase: str) -> bool:
    """"temperature excursions", "tax returns", "payment recalls": another kind of the
    blueprint's record, told by a first word that is a quantity (a temperature, an amount of
    money), where "beehive inspections" or "brewery batches" are still inspections and
    batches."""
    if not _another_kind(plan, blueprint, phrase):
        return False
    return any(field_spec(w)["type"] not in ("string", "text") for w in phrase.split()[:-1])


def _foreign_kind(plan: Plan, phrase: str) -> bool:
    blueprint = next((b for b in library() if b.key == plan.source), None)
    return blueprint is not None and _another_kind(plan, blueprint, phrase)


def _opening_record_unknown(plan: Plan, intent: Intent, blueprint: Blueprint) -> bool:
    """"Manage sponsorship deals for our club: ...": a prompt that opens by saying what it
    keeps, with a record the blueprint does not have, is not that blueprint's app however
    strongly a later step ("finance raises invoices") matches it."""
    opening = re.match(r"\s*(?:please\s+)?(?:manage|track|record|log|register|handle|"
                       r"keep track of)\s+(?:our\s+|the\s+|all\s+)?([a-z -]+?)(?:\s+for|"
                       r"\s+from|\s+at|\s+in|:|,|\.|$)", intent.opening)
    if not opening:
        # "new car orders across our showrooms." to a blueprint of repair orders: another kind
        # of its record, named in a title
        main = _blueprint_main(plan)
        if not intent.title or not main:
            return False
        found = _resolve(plan, intent.title)
        return (not found and intent.title.split()[-1] == _words(main).split()[-1]) or (
            # "Monthly restore tests." to a blueprint of lab samples and their tests
            bool(found) and plan.entities[found].kind == "child" and
            not set(intent.title.split()) & WHO_WE_ARE and  # "Estate agency viewings."
            _another_kind(plan, blueprint, intent.title))
    first = next((p for p, at in intent.entities if at <= opening.end()), "")
    return bool(first) and not _resolve(plan, first)


def _compose(plan: Plan, other: Plan) -> list[str]:
    added = []
    for name, entity in other.entities.items():
        if name in plan.entities or any(_resolve(plan, a) for a in entity.aliases[:1]):
            continue
        entity.composed = True
        plan.entities[name] = entity
        added.append(name)
    if not added:
        return []
    for name, role in other.roles.items():
        if name not in plan.roles:
            plan.roles[name] = role
    # refs to entities the other blueprint had but this plan does not: drop them
    for entity in plan.entities.values():
        for field_name, spec in list(entity.fields.items()):
            if spec["type"] in ("ref", "has_many") and spec["to"] != "User" \
                    and spec["to"] not in plan.entities:
                del entity.fields[field_name]
    return added


def _bare_plan(intent: Intent, assumptions: list[str]) -> Plan:
    """An app built only from what the prompt names, when no blueprint fits."""
    strong = [(p, at) for p, at in intent.entities if p not in intent.weak]
    if strong:
        intent.entities = strong
    names = []
    for phrase, _ in intent.entities + intent.children:
        name = pascal(phrase)
        if name not in names:
            names.append(name)
    if not names:
        raise OfflineGenerationError(
            "The offline generator found no business records to keep in this prompt. Name "
            "what the app tracks and who uses it, e.g. \"Track maintenance work orders with a "
            "due date and a cost; technicians complete them and a supervisor closes them.\"")
    phrases = [p for p, _ in intent.entities] or [p for p, _ in intent.children]
    # "a diary" after "site diary": the same record, under its longer name
    longest = {p: next((q for q in phrases if q.endswith(" " + p)), p) for p in phrases}
    # "a flaring log for the gas plant ... records every flaring event": the first record
    # leads, not the place or thing it is about
    lead = next((p for p in phrases if entity_shape(p) in RECORD_SHAPES), phrases[0]) \
        if phrases else ""
    main = pascal(longest[lead]) if lead else names[0]
    title = plural(_words(main)).capitalize()
    plan = Plan(name=_app_name(intent.name or plural(_words(main))), title=title,
                description=f"Keeps {plural(_words(main)).lower()} and who works on them.")
    assumptions.append("No blueprint matched the prompt; the app is built from the entities, "
                       "fields and roles it names.")
    for phrase in phrases:
        name = pascal(longest[phrase])
        if name in plan.entities:
            if phrase not in plan.entities[name].aliases:
                plan.entities[name].aliases.append(phrase)  # "each tax return" is the same
            continue
        if phrase in _ONE_OF_THEM and main in plan.entities and \
                phrases[0].split()[-1] not in GENERIC_NOUNS:
            # "Air ticket refunds. A consultant raises the request: booking ref, ...": the
            # bare word is the record the prompt opened with
            plan.entities[main].aliases.append(phrase)
            continue
        kind: EntityKind = "main" if name == main else "reference"
        plan.entities[name] = new_entity(longest[phrase], kind)
    return plan


def new_entity(phrase: str, kind: EntityKind = "reference") -> EntityPlan:
    """An entity the prompt names and no blueprint has, with the fields its kind of thing
    usually has: a person's name and contact details, a place's address, a payment's amount
    and date, an event's date and notes (``lexicon.SHAPE_FIELDS``)."""
    display, fields = SHAPE_FIELDS[entity_shape(phrase)]
    return EntityPlan(kind=kind, fields={n: parse_field(v) for n, v in fields.items()},
                      display=display, aliases=[phrase], from_prompt=True,
                      placeholders={"name", "title", "date", "amount"} & set(fields))


def _borrow(plan: Plan, assumptions: list[str], relevance: dict[str, float]) -> None:
    """Entities built from the prompt alone take the fields of the same record in any
    blueprint (a Loan's due date, a Donor's address): the fields only, not its links to
    records this app does not have, nor its workflow or roles."""
    for name, entity in plan.entities.items():
        phrase = entity.aliases[0] if entity.aliases else _words(name)
        candidates = []
        for blueprint in library():
            theirs = blueprint.plan()
            found = _resolve(theirs, phrase)
            if not found or len(phrase.split()) < len(_words(found).split()) - 1:
                continue
            if " " not in phrase and not relevance.get(blueprint.key):
                continue  # a one-word name ("service") means what the prompt's domain means
            # the same name beats an alias, an alias beats a shared last word
            closeness = 0 if found == name else 1 if phrase in theirs.entities[found].aliases \
                else 2
            if closeness and (phrase in GENERIC_NOUNS or " " not in phrase):
                continue  # "a request" is not a blueprint's work order, a football pitch
                # not a sales pitch: one word borrows only from a record of that name
            if closeness == 2 and (not (set(phrase.split()) & set(_words(found).split())) -
                                   GENERIC_NOUNS or _another_kind(theirs, blueprint, phrase)):
                continue  # a vulnerability report is not an incident report, a tax return
                # not a retail return
            # then the blueprint closest to the prompt: a Job of field service, not of hiring
            candidates.append((closeness, -relevance.get(blueprint.key, 0.0),
                               len(theirs.entities[found].fields), blueprint.key, blueprint,
                               theirs, found))
        for *_, blueprint, theirs, found in sorted(candidates, key=lambda c: c[:4]):
            fields = {}
            for field_name, spec in theirs.entities[found].fields.items():
                if spec["type"] in ("ref", "has_many") and spec.get("to") != "User":
                    continue
                fields[field_name] = {k: v for k, v in spec.items() if k != "access"}
            entity.fields = fields
            entity.display = theirs.entities[found].display if \
                theirs.entities[found].display in fields else next(iter(fields), "")
            assumptions.append(f"{name}: took the fields of {found} in the `{blueprint.key}` "
                               "blueprint.")
            break


def _field_name(words: str) -> str:
    """The name of a field holding a link, from the words of what it links to; "return" and
    the other reserved words get a suffix."""
    name = snake(words)
    return f"{name}_record" if name in RESERVED else name


def _words(entity: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", entity).lower()


def _app_name(text: str) -> str:
    name = "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:30].strip("-")
    if not name or not name[0].isalpha():
        name = f"app-{name}"[:30].strip("-")
    return name


def _resolve(plan: Plan, phrase: str) -> str:
    """The entity of the plan a phrase of the prompt means, or "": the whole phrase first,
    then ever shorter endings of it ("maintenance work order" → "work order" → "order")."""
    words = phrase.split()
    for start in range(len(words)):
        tail = " ".join(words[start:])
        for name, entity in plan.entities.items():
            if tail in (_words(name), *entity.aliases) or snake(tail) == snake(_words(name)):
                return name
        if start == 0 and len(words) == 1:
            for name in plan.entities:
                if tail == _words(name).split()[-1]:
                    return name
    return ""


# --- roles ----------------------------------------------------------------------------------

def _kind_of(role: str, intent: Intent) -> RoleKind | None:
    verbs = [a.verb for a in intent.actions if a.role == role]
    if role in intent.viewers and not verbs:
        return "viewer"
    if any(v in CREATE_VERBS and v not in STAFF_CREATE_VERBS for v in verbs):
        return "owner"
    if verbs and all(is_approval(v) for v in verbs):
        return "reviewer"
    if verbs:
        return "staff"
    return None


def _apply_roles(plan: Plan, intent: Intent) -> None:
    mentioned = [r for r in intent.roles if r != "admin"]
    if "admin" in intent.roles:
        plan.assumptions.append("`admin` is built into every app (it may do everything); "
                                "it is not declared as a role.")
    renamed: set[str] = set()
    for role in mentioned:
        kind = _kind_of(role, intent)
        if role in plan.roles:
            if kind in ("owner", "viewer"):
                plan.roles[role].kind = kind
            renamed.add(role)
            continue
        if kind is None and (_resolve(plan, role.replace("_", " ")) or (
                role in PARTY_WORDS and role not in intent.viewers)):
            continue  # "candidates" in a recruiting app are records, not users; a customer
            # who does nothing in the app is no user of it
        synonyms = [n for n in plan.roles if n not in mentioned and n not in renamed
                    and any(role in group and n in group for group in ROLE_SYNONYMS)]
        if synonyms and kind in (None, plan.roles[synonyms[0]].kind):
            _rename_role(plan, synonyms[0], role)
            renamed.add(role)
            plan.assumptions.append(f"Used the role `{role}` where the blueprint had "
                                    f"`{synonyms[0]}`.")
            continue
        if kind is None:
            kind = "owner" if role in OWNER_BY_DEFAULT else \
                "viewer" if role in VIEWER_BY_DEFAULT else "staff"
        spare = [name for name, r in plan.roles.items()
                 if r.kind == kind and name not in mentioned and name not in renamed]
        if spare:
            _rename_role(plan, spare[0], role)
            renamed.add(role)
            plan.assumptions.append(f"Used the role `{role}` where the blueprint had "
                                    f"`{spare[0]}`.")
        else:
            plan.roles[role] = RolePlan(kind, _role_description(role, kind))
            renamed.add(role)
    if not plan.roles:
        plan.roles["member"] = RolePlan("owner", "Creates records and sees only their own.")
        plan.roles["manager"] = RolePlan("staff", "Sees and manages every record.")
        plan.assumptions.append("The prompt names no roles: added `member` (own records "
                                "only) and `manager` (every record).")
    elif not any(r.kind in ("staff", "reviewer") for r in plan.roles.values()):
        plan.roles["manager"] = RolePlan("staff", "Sees and manages every record.")
        plan.assumptions.append("Added the role `manager` to run the process; the other roles "
                                "see only their own records.")
    unused = [n for n in plan.roles if n not in mentioned]
    if len(mentioned) >= 2:
        acting = {r for e in plan.entities.values() for m in e.transitions.values()
                  for r in m.roles}
        # two roles or more, one of them staff: the prompt says who works here; the
        # blueprint's others go, and what they did falls to the prompt's own staff
        every = len(mentioned) >= 2 and any(plan.roles[r].kind in ("staff", "reviewer")
                                            for r in mentioned if r in plan.roles)
        for name in unused:
            if every or plan.roles[name].kind == "viewer" or name not in acting:
                _drop_role(plan, name)
        if every:
            _hand_over_orphans(plan, [r for r in mentioned if r in plan.roles])
        unused = [n for n in plan.roles if n not in mentioned]
    if mentioned and unused and plan.source:
        plan.assumptions.append(f"Kept the blueprint's roles {', '.join(unused)}.")


def _hand_over_orphans(plan: Plan, mentioned: list[str]) -> None:
    """Transitions left with nobody to take them go to the prompt's first staff or reviewer
    role, so that the workflow can still move."""
    staff = next(r for r in mentioned if plan.roles[r].kind in ("staff", "reviewer"))
    for entity in plan.entities.values():
        for move in entity.transitions.values():
            if not move.roles:
                move.roles = [staff]


def _drop_role(plan: Plan, name: str) -> None:
    """Leave out a blueprint role the prompt has no use for (it names its own roles)."""
    if len(plan.roles) <= 1:
        return
    del plan.roles[name]
    for entity in plan.entities.values():
        for move in entity.transitions.values():
            move.roles = [r for r in move.roles if r != name]
        for spec in entity.fields.values():
            for key, roles in dict(spec.get("access", {})).items():
                spec["access"][key] = [r for r in roles if r != name]
    plan.assumptions.append(f"Left out the blueprint's role `{name}`: the prompt names its own "
                            "roles.")


def _role_description(role: str, kind: RoleKind) -> str:
    return {
        "owner": "Creates records and sees only their own.",
        "reviewer": "Reviews and decides on the records sent to them.",
        "staff": "Works on every record.",
        "viewer": "Reads records; cannot change them or see personal data.",
    }[kind]


def _rename_role(plan: Plan, old: str, new: str) -> None:
    plan.roles = {(new if name == old else name): role for name, role in plan.roles.items()}
    for entity in plan.entities.values():
        for move in entity.transitions.values():
            move.roles = [new if r == old else r for r in move.roles]
        for spec in entity.fields.values():
            for key, roles in dict(spec.get("access", {})).items():
                spec["access"][key] = [new if r == old else r for r in roles]


# --- entities and fields --------------------------------------------------------------------

def _primary(plan: Plan, intent: Intent) -> str:
    for phrase, _ in intent.entities:
        name = _resolve(plan, phrase)
        if name and plan.entities[name].kind == "main" and not plan.entities[name].composed:
            return name
    for name, entity in plan.entities.items():
        if entity.kind == "main" and entity.states and _spoken_of(plan, name, intent):
            return name
    if intent.entities:
        phrase = intent.entities[0][0]
        name = _resolve(plan, phrase)
        if name and phrase in intent.title and plan.entities[name].from_prompt \
                and entity_shape(phrase) in RECORD_SHAPES:
            return name  # "Weekly timesheets. ...": the record the prompt opens with
    # the blueprint's main record goes unnamed: the first record the prompt does name leads
    # ("every donation is recorded..." in a blueprint built around grant applications)
    for phrase, _ in intent.entities:
        name = _resolve(plan, phrase)
        if name and plan.entities[name].kind != "child" and _shape(plan, name) in RECORD_SHAPES:
            return name
    for name, entity in plan.entities.items():
        if entity.kind == "main" and entity.states:
            return name
    for name, entity in plan.entities.items():
        if entity.kind == "main":
            return name
    return next(iter(plan.entities))


def _spoken_of(plan: Plan, name: str, intent: Intent, aliases: bool = True,
               prose: bool = False) -> bool:
    """Whether the prompt speaks of the entity at all: its name, an alias, or the last word of
    its name ("claims" for InsuranceClaim); with ``prose``, outside the lists of fields."""
    entity = plan.entities[name]
    words = _words(name)
    phrases = [words, *(entity.aliases if aliases else [])]
    if len(words.split()[-1]) >= 4 and words.split()[-1] not in GENERIC_NOUNS:
        phrases.append(words.split()[-1])
    said = intent.prose if prose else intent.words
    return any(f" {phrase} " in said for phrase in phrases)


def _rename_entity(plan: Plan, old: str, new: str) -> None:
    """The blueprint's entity under the prompt's name, everywhere it is used, and said so."""
    plan.entities = {(new if name == old else name): entity
                     for name, entity in plan.entities.items()}
    before, after = _field_name(_words(old)), _field_name(_words(new))
    for entity in plan.entities.values():
        if entity.parent == old:
            entity.parent = new
        for spec in entity.fields.values():
            if spec.get("to") == old:
                spec["to"] = new
        if entity.fields.get(before, {}).get("to") == new and after not in entity.fields:
            # the link keeps its place among the fields, under the record's new name
            entity.fields = {(after if f == before else f): spec
                             for f, spec in entity.fields.items()}
    plan.assumptions.append(f"Named the entity {new}, as the prompt does (the blueprint calls "
                            f"it {old}).")
    renamed = plan.entities[new]
    renamed.renamed = True
    if _words(old) not in renamed.aliases:
        renamed.aliases.append(_words(old))  # the prompt may still say "the application"
    if renamed.label:
        renamed.label = _words(new).capitalize()


def _unspoken_main(plan: Plan, intent: Intent) -> str:
    """The blueprint's record with a workflow, when the prompt never speaks of it."""
    if not plan.source:
        return ""
    main = _blueprint_main(plan)
    return "" if not main or _spoken_of(plan, main, intent, aliases=False) else main


def _blueprint_main(plan: Plan) -> str:
    """The blueprint's own record with a workflow (not the prompt's, not a composed one)."""
    return next((n for n, e in plan.entities.items() if e.kind == "main" and e.states
                 and not e.from_prompt and not e.composed), "")


def _apply_entities(plan: Plan, intent: Intent) -> str:
    named: set[str] = set()
    # the record the prompt opens with, if its first sentence names one
    # the record the prompt opens with: in its first sentence, or in its second when the
    # first names none ("...dinners with BEOs. Each BEO has the client, ...")
    opening = intent.sentences[0][1] if intent.sentences else 0
    if len(intent.sentences) > 1 and not any(at < opening for _, at in intent.entities):
        opening = intent.sentences[1][1]
    first = next((p for p, at in intent.entities if p not in intent.weak
                  and at not in intent.counted), "")
    if not any(p == first and at < opening for p, at in intent.entities):
        first = ""
    for phrase, _ in intent.entities:
        found = _resolve(plan, phrase)
        if found and phrase == first and found == _unspoken_main(plan, intent) and \
                pascal(phrase) not in plan.entities and phrase.split()[-1] not in GENERIC_NOUNS \
                and not set(phrase.split()) & set(_words(found).split()):
            # the prompt's word for the blueprint's record ("potholes" for service requests)
            _rename_entity(plan, found, pascal(phrase))
            plan.entities[pascal(phrase)].adopted = True
            named.add(pascal(phrase))
            continue
        if found:
            name = pascal(phrase)
            if len(phrase.split()) >= 2 and name not in plan.entities and found not in named \
                    and _another_name(plan, intent, phrase, found, first):
                _rename_entity(plan, found, name)
                named.add(name)
            continue
        name = pascal(phrase)
        main = _blueprint_main(plan)
        if phrase in GENERIC_NOUNS and plan.source and main:
            # "whoever needs one raises a request" to a blueprint of chemical approvals: the
            # request is its record
            plan.entities[main].aliases.append(phrase)
            continue
        if phrase in intent.weak:
            # "Purchase requisitions: ..." names the blueprint's main record in the prompt's
            # words ("purchase order" in the blueprint): the prompt's name wins
            words = phrase.split()
            main = next((n for n, e in plan.entities.items() if e.kind == "main" and e.states
                         and not e.from_prompt), "")
            if main and len(words) >= 2 and words[0] == _words(main).split()[0] and \
                    name not in plan.entities and words[-1] not in GENERIC_NOUNS:
                _rename_entity(plan, main, name)
                named.add(name)
                plan.entities[name].aliases.append(phrase)
            continue
        if name in plan.entities:
            continue
        main = _unspoken_main(plan, intent)
        if main and phrase == first and entity_shape(phrase) in RECORD_SHAPES:
            # "Residents report potholes" to a blueprint of service requests: its record,
            # under the prompt's name
            _rename_entity(plan, main, name)
            plan.entities[name].aliases.append(phrase)
            plan.entities[name].adopted = True
            continue
        plan.entities[name] = new_entity(phrase)
        plan.assumptions.append(f"Added the entity {name} the prompt names, with the fields "
                                f"a {entity_shape(phrase)} usually has "
                                f"({', '.join(plan.entities[name].fields)}); everyone reads "
                                "it, staff keep it.")
    _alias_names(plan, intent)
    primary = _primary(plan, intent)
    if plan.entities[primary].kind != "main":
        plan.entities[primary].kind = "main"
    for phrase, position in intent.children:
        parent = _nearest(plan, intent, position) or primary
        existing = _resolve(plan, phrase)
        if existing:
            if existing != parent and plan.entities[existing].kind != "main":
                _link(plan, existing, parent)
            continue
        name = pascal(phrase)
        if name in plan.entities:
            continue
        kind_spec = field_spec(snake(phrase))
        fields: dict[str, dict[str, Any]] = {}
        fields[_field_name(_words(parent))] = {"type": "ref", "to": parent, "required": True,
                                         "on_delete": "cascade"}
        fields["description"] = {"type": "string", "required": True, "max_length": 200}
        if kind_spec["type"] == "file":
            fields[snake(phrase)] = {"type": "file", "required": True}
        elif phrase.split()[-1] in ("line", "item", "product", "part", "article"):
            fields.setdefault("quantity", parse_field("integer! min:1 =1"))
            fields.setdefault("amount", parse_field("money! min:0"))
        plan.entities[name] = EntityPlan(kind="child", fields=fields, display="description",
                                         parent=parent, aliases=[phrase])
        plan.entities[parent].fields[_field_name(plural(phrase.split()[-1]))] = {
            "type": "has_many", "to": name}
        plan.assumptions.append(f"Made {name} a child of {parent}: each {_words(parent)} has "
                                f"several, deleted with it.")
    return primary


def _another_name(plan: Plan, intent: Intent, phrase: str, found: str, first: str) -> bool:
    """Whether the prompt's phrase of two words or more, resolved to the blueprint's record
    ``found``, renames it."""
    words, theirs = phrase.split(), _words(found).split()
    generic = words[-1] in GENERIC_NOUNS
    # "purchase requisitions" for the blueprint's purchase orders
    return (not generic and words[-1] not in theirs) or (
        # "price change requests" to a blueprint of IT change requests: another kind of a
        # request (a travel expense claim is still an expense claim)
        generic and len(theirs) > 1 and phrase.endswith(" " + _words(found)) and
        _foreign_kind(plan, phrase)) or (
        # "Gas escape jobs for our emergency service" to a blueprint of work orders the prompt
        # never names: its record, under the name the prompt opens with
        generic and phrase == first and words[-1] not in theirs and
        found == _unspoken_main(plan, intent) and phrase not in plan.entities[found].aliases) or (
        # "adoption applications" to a blueprint of grant applications the prompt never
        # names: another kind of application, under the prompt's name
        len(words) == 2 and len(theirs) > 1 and words[-1] == theirs[-1] and
        f" {_words(found)} " not in intent.words and plan.entities[found].kind == "main" and
        _foreign_kind(plan, phrase))


def _alias_names(plan: Plan, intent: Intent) -> None:
    """A blueprint's entity the prompt calls by one of its aliases only ("staff book a desk"
    to a blueprint's Resource): named as the prompt does. Two aliases spoken ("rooms and
    equipment") keep the blueprint's wider name."""
    mentioned = {p for p, _ in intent.entities + intent.children}
    for name, entity in list(plan.entities.items()):
        if entity.from_prompt or _spoken_of(plan, name, intent, aliases=False):
            continue
        spoken = [a for a in entity.aliases if any(
            f" {p} ".endswith(f" {a} ") for p in mentioned)]
        spoken = [a for a in spoken if not any(o != a and f" {a} " in f" {o} " for o in spoken)]
        if len(spoken) != 1 or spoken[0].split()[-1] in GENERIC_NOUNS or (
                _words(name).split()[-1] in GENERIC_NOUNS and _words(name).startswith(spoken[0])):
            continue  # "leave" for LeaveRequest: the blueprint's name only says more
        opening = intent.entities[0][0] if intent.entities else ""
        opens = " " in spoken[0] and opening not in intent.weak and \
            f" {opening}".endswith(f" {spoken[0]}") and opening != spoken[0]
        if entity.kind == "main" and intent.words.count(f" {spoken[0]} ") < 2 and not opens:
            continue  # "the travel desk books the itinerary": a passing word, not its name
            # ("Residential mortgage applications, ..." opens with it: its name)
        new = pascal(spoken[0])
        if new in plan.entities:
            continue
        _rename_entity(plan, name, new)
    for _, record, obj, _ in intent.associations:
        # "staff book a parking space": what the blueprint's bookings point at (Resource,
        # never named) is the parking space
        held = _resolve(plan, record)
        found = _resolve(plan, obj) if obj else ""
        if not held or not found or not plan.entities[found].from_prompt or \
                plan.entities[found].kind == "main":
            continue
        unspoken = [spec["to"] for spec in plan.entities[held].fields.values()
                    if spec.get("type") == "ref" and spec["to"] in plan.entities
                    and spec["to"] != held and not plan.entities[spec["to"]].from_prompt
                    and not _spoken_of(plan, spec["to"], intent)]
        if len(unspoken) != 1:
            continue
        del plan.entities[found]
        _rename_entity(plan, unspoken[0], found)
        plan.entities[found].aliases.append(obj)


def _drop_unspoken(plan: Plan, intent: Intent, primary: str) -> None:
    """The blueprint's records the prompt never speaks of, once a record with a workflow of
    its own leads: left out, with the links to them. Other main records (grant applications
    in a donor database), the customers and sites a blueprint assumes, and its line items
    unless the prompt tells what they hold: in the evaluation they were more often records
    the analyst did not want than ones they missed, on unseen prompts and tuned ones alike."""
    if not plan.entities[primary].states:
        return
    lead = plan.entities[primary]
    # the blueprint's own record leads under its own name: its line items come with it
    own = not (lead.from_prompt or lead.renamed or lead.adopted)
    for name, entity in list(plan.entities.items()):
        if name == primary or entity.from_prompt or _spoken_of(plan, name, intent) or (
                own and entity.kind == "child" and _told_by_fields(plan, name, intent)):
            continue
        del plan.entities[name]
        for other in plan.entities.values():
            _drop_fields(other, {f for f, spec in other.fields.items() if spec.get("to") == name})
            if other.parent == name:
                other.parent = ""
        plan.assumptions.append(f"Left out the blueprint's {name}: the prompt does not speak "
                                "of it.")


def _told_by_fields(plan: Plan, name: str, intent: Intent) -> bool:
    """Whether the prompt speaks of a line record through what it holds: its list on the
    record ("plant and equipment used", "delays") or two of its own fields ("SKU, qty sent")."""
    said = intent.words
    held = [f for parent in plan.entities.values() for f, spec in parent.fields.items()
            if spec.get("type") == "has_many" and spec.get("to") == name]
    if any(f" {singular(f.replace('_', ' '))} " in said for f in held):
        return True
    own = [f for f, spec in plan.entities[name].fields.items()
           if spec.get("type") not in ("ref", "has_many")]
    return sum(1 for f in own if f" {f.replace('_', ' ')} " in said) >= 2  # "qty" is quantity


def _drop_fields(entity: EntityPlan, names: set[str]) -> None:
    """Fields gone, with the rules, computed values and required steps that use them."""
    if not names:
        return
    def uses(text: object) -> bool:
        return bool(names & set(re.findall(r"[a-z_][a-z0-9_]*", str(text))))
    entity.fields = {f: spec for f, spec in entity.fields.items()
                     if f not in names and not uses(spec.get("computed", ""))}
    entity.validations = [rule for rule in entity.validations
                          if not uses(rule.get("rule", "")) and not names & set(
                              rule.get("fields", []))]
    entity.requires = {state: [f for f in fields if f not in names]
                       for state, fields in entity.requires.items()}
    if entity.display in names:
        entity.display = next((f for f, spec in entity.fields.items()
                               if spec["type"] == "string"), "")
    entity.review_by = "" if entity.review_by in names else entity.review_by
    entity.owned_by = "created_by" if entity.owned_by in names else entity.owned_by


def _link(plan: Plan, child: str, parent: str) -> None:
    entity = plan.entities[child]
    if any(s.get("to") == parent and s["type"] == "ref" for s in entity.fields.values()):
        return
    name = _field_name(_words(parent))
    if name in entity.fields:
        name = f"{name}_record"  # an Employee's `email` field, linked to an Email record
    entity.fields = {name: {"type": "ref", "to": parent, "required": True,
                            "on_delete": "cascade"}, **entity.fields}
    plan.entities[parent].fields[_field_name(plural(_words(child).split()[-1]))] = {
        "type": "has_many", "to": child}


def _nearest(plan: Plan, intent: Intent, position: int) -> str:
    best = ""
    best_at = -1
    for phrase, at in intent.entities + intent.children:
        if best_at < at < position and at not in intent.secondary:
            name = _resolve(plan, phrase)
            if name:
                best, best_at = name, at
    return best


def _apply_fields(plan: Plan, intent: Intent, primary: str) -> None:
    named: dict[str, set[str]] = {}
    for name, spec, position in intent.fields:
        owner = _nearest(plan, intent, position) or primary
        named.setdefault(owner, set()).add(name)
        entity = plan.entities[owner]
        target = _resolve(plan, name.replace("_", " "))
        if target and target != owner:
            if any(s.get("to") == target for s in entity.fields.values()):
                continue
            spec = {"type": "ref", "to": target}
        elif target == owner:
            continue
        if name in entity.fields:
            if spec.get("type") == "enum" and entity.fields[name].get("type") == "enum":
                entity.fields[name] = dict(entity.fields[name], values=spec["values"])
                entity.fields[name].pop("default", None)
            if spec.get("required"):
                entity.fields[name]["required"] = True
            continue
        if name in ("state", "status") and entity.states:
            continue
        same = [f for f, s in entity.fields.items() if s["type"] == spec["type"]
                and _meaning(f) == _meaning(name)]
        if same:
            # "collection date" for the blueprint's collected_on: the prompt's name wins
            _rename_field(entity, same[0], name)
            named[owner].add(name)
            plan.assumptions.append(f"Named {owner}.{same[0]} `{name}`, as the prompt does.")
            continue
        similar = [f for f, s in entity.fields.items() if s["type"] == spec["type"]
                   and (f.endswith("_" + name) or f.startswith(name + "_"))]
        if similar and entity.adopted and not any(
                similar[0] in fs for fs in entity.requires.values()):
            # "date" for the Trip's trip_date, in a record that is not a trip: the prompt's
            _rename_field(entity, similar[0], name)
            named[owner].add(name)
            continue
        if similar:
            plan.assumptions.append(f"Took `{name}` to be {owner}.{similar[0]}.")
            continue
        if spec["type"] == "enum" and spec.get("values") == ["standard", "other"]:
            plan.assumptions.append(f"{owner}.{name}: the prompt gives no values; assumed "
                                    "`standard` and `other`; edit the list.")
        named[owner].add(name)
        entity.fields[name] = spec
        if spec.get("type") == "ref" and spec.get("to") in plan.entities:
            plan.entities[spec["to"]].fields.setdefault(
                _field_name(plural(_words(owner).split()[-1])), {"type": "has_many", "to": owner})
        if spec.get("pii"):
            plan.assumptions.append(f"{owner}.{name} is personal data: marked pii and readable "
                                    "only by the roles that own or run the records.")
    for owner, names in named.items():
        if len(names) >= LISTED_FIELDS:
            _keep_listed(plan, owner, names)
        _drop_placeholders(plan.entities[owner], [n for n, _, _ in intent.fields if n in names])


_STANDS_IN = {"date": ("date", "datetime"), "amount": ("money",), "name": ("string",),
              "title": ("string",)}


def _drop_placeholders(entity: EntityPlan, listed: list[str]) -> None:
    """A record made from the prompt got a name or a date for the kind of thing it is; when the
    prompt gives its own ("crate number", "date out"), the stand-in goes and the prompt's field
    names the record."""
    for placeholder in sorted(entity.placeholders & set(entity.fields)):
        if placeholder in listed:
            continue
        own = [n for n in listed if n in entity.fields and n != placeholder
               and entity.fields[n]["type"] in _STANDS_IN[placeholder]
               and (placeholder not in ("name", "title") or re.search(
                   r"(?:^|_)(?:name|title|number|no|reference|ref|code|id|subject)$", n))]
        if not own:
            continue
        del entity.fields[placeholder]
        if entity.display == placeholder:
            entity.display = own[0]


LISTED_FIELDS = 4


def _rename_field(entity: EntityPlan, old: str, new: str) -> None:
    """A field under a new name, wherever the entity's rules, display and steps use it."""
    word = re.compile(rf"\b{re.escape(old)}\b")
    entity.fields = {(new if f == old else f): spec for f, spec in entity.fields.items()}
    for spec in entity.fields.values():
        if "computed" in spec:
            spec["computed"] = word.sub(new, str(spec["computed"]))
    entity.display = new if entity.display == old else entity.display
    entity.review_by = new if entity.review_by == old else entity.review_by
    entity.owned_by = new if entity.owned_by == old else entity.owned_by
    entity.requires = {state: [new if f == old else f for f in fields]
                       for state, fields in entity.requires.items()}
    for rule in entity.validations:
        rule["rule"] = word.sub(new, str(rule.get("rule", "")))
        if "fields" in rule:
            rule["fields"] = [new if f == old else f for f in rule["fields"]]
_IDENTIFIERS = {"id", "number", "no", "code", "ref", "reference"}


def _meaning(field: str) -> tuple[str, ...]:
    """A field name reduced to what it means, so that "collection_date" is "collected_on",
    "start_time" "starts_at" and "sample_id" is "sample_code": the words without date or time
    markers, identifier words as one, plurals singular,
    each word without its suffix of tense or action."""
    words = [singular(w) if len(w) > 3 and w.endswith("s") else w  # "starts_at": start time
             for w in field.split("_") if w not in ("on", "at", "date", "when", "time")]
    return tuple("code" if w in _IDENTIFIERS else
                 re.sub(r"(?:ation|ion|ed|ing|e)$", "", w) if len(w) > 5 else w
                 for w in words) or (field,)


def _keep_listed(plan: Plan, owner: str, names: set[str]) -> None:
    """The prompt lists an entity's fields: keep those, and of the blueprint's only what the
    app needs to work (required fields, links, fields the workflow or the rules use)."""
    entity = plan.entities[owner]
    used = {entity.display, entity.review_by, entity.owned_by}
    for fields in entity.requires.values():
        used.update(fields)
    for rule in entity.validations:
        used.update(re.findall(r"[a-z_][a-z0-9_]*", str(rule.get("rule", ""))))
    for spec in entity.fields.values():
        used.update(re.findall(r"[a-z_][a-z0-9_]*", str(spec.get("computed", ""))))
    dropped = []
    for name, spec in list(entity.fields.items()):
        similar = any(name.endswith("_" + n) or name.startswith(n + "_") for n in names)
        if name in names or similar or name in used or (
                spec.get("required") and not entity.adopted) or \
                spec["type"] in ("ref", "has_many"):
            continue
        del entity.fields[name]
        dropped.append(name)
    if dropped:
        plan.assumptions.append(f"{owner}: kept the fields the prompt lists; left out the "
                                f"blueprint's {', '.join(dropped)}.")


# --- links between entities ----------------------------------------------------------------

RECORD_SHAPES = {"event", "money", "document", "record"}
_SHAPE_RANK = {"person": 0, "organisation": 0, "location": 0, "asset": 1, "document": 2,
               "record": 2, "event": 3, "money": 3}


def _shape(plan: Plan, name: str) -> str:
    entity = plan.entities[name]
    return entity_shape(entity.aliases[0] if entity.aliases else _words(name))


def _linked(plan: Plan, one: str, other: str) -> bool:
    return any(s.get("to") == other for s in plan.entities[one].fields.values()) or any(
        s.get("to") == one for s in plan.entities[other].fields.values())


def _add_ref(plan: Plan, source: str, target: str, why: str) -> bool:
    """``source`` gets a ref to ``target`` (and ``target`` a has_many back when ``source`` is
    a record about it), unless they are linked already or the name is taken."""
    if source == target or _linked(plan, source, target):
        return False
    entity = plan.entities[source]
    name = _field_name(_words(target))
    if name in entity.fields:
        if entity.fields[name]["type"] not in ("string", "text"):
            return False
        plan.assumptions.append(f"{source}.{name} now points at {target} instead of holding "
                                "text.")
    entity.fields[name] = {"type": "ref", "to": target}
    if _shape(plan, source) in RECORD_SHAPES and plan.entities[target].kind != "child":
        back = _field_name(plural(_words(source)))
        plan.entities[target].fields.setdefault(back, {"type": "has_many", "to": source})
    plan.assumptions.append(f"Linked {source} to {target} ({why}).")
    return True


def _entity_for(plan: Plan, phrase: str, create: bool) -> str:
    """The plan's entity for a phrase of the prompt, made from the phrase when ``create``."""
    found = _resolve(plan, phrase)
    if found or not create:
        return found
    phrase = entity_phrase(phrase)
    if not phrase:
        return ""
    name = pascal(phrase)
    if name in plan.entities:  # pascal() never gives an engine entity's name
        return name
    plan.entities[name] = new_entity(phrase)
    plan.assumptions.append(f"Added the entity {name}: the prompt speaks of {plural(phrase)}.")
    return name


def _connect(plan: Plan, intent: Intent, primary: str) -> None:
    """Refs between the entities the prompt ties together: the records its verbs leave
    ("members borrow books" → Loan of a Book to a Member), the pairs it links in words
    ("tickets belong to accounts"), entities named in the same sentence, and a link for each
    entity the prompt added that would otherwise stand alone. A record (an event, a payment, a
    document) points at the people, places and things it is about."""
    for subject, record, obj, _ in intent.associations:
        party = _entity_for(plan, subject, subject in PARTY_WORDS) \
            if not intent.role_re.fullmatch(subject) or subject in PARTY_WORDS else ""
        thing = _entity_for(plan, obj, bool(obj) and not intent.role_re.fullmatch(obj))
        if thing and _shape(plan, thing) in RECORD_SHAPES - {"record"}:
            if party:
                _add_ref(plan, thing, party, f"{plural(subject)} have {plural(obj)}")
            continue
        if not (thing and (party or (record in RECORD_NOUNS
                                     and obj.split()[-1] not in BOOKED_AS_IS))) \
                and not _resolve(plan, record):
            continue  # "coaches book courts" keeps bookings; "staff assign jobs" no assignments
        held = _entity_for(plan, record, True)
        if not held:
            continue
        for other in (thing, party):
            if other and other != held:
                _add_ref(plan, held, other, f"each {record} is of one {_words(other)}")
    for source, target, _ in intent.links:
        one, other = _resolve(plan, source), _resolve(plan, target)
        if one and other and one != other:
            _add_ref(plan, one, other, f"the prompt links {plural(source)} to "
                                       f"{plural(target)}")
    for phrase, at in intent.entities:
        counted = _resolve(plan, phrase) if at in intent.counted else ""
        if counted and counted != primary and plan.entities[counted].from_prompt:
            # "our 40 pubs": each visit, repair or cash-up is at one of them
            _add_ref(plan, primary, counted, f"each {_words(primary)} is of one of the "
                                             f"{plural(_words(counted))} the prompt counts")
    mentions = [(at, _resolve(plan, p)) for p, at in intent.entities + intent.children]
    for start, end in intent.sentences:
        named = list(dict.fromkeys(n for at, n in mentions if n and start <= at < end))
        for index, later in enumerate(named):
            for earlier in named[:index]:
                one, other = _direction(plan, later, earlier)
                if plan.entities[one].from_prompt or plan.entities[other].from_prompt:
                    _add_ref(plan, one, other, "the prompt names them together")
    ordered = [n for _, n in sorted(mentions) if n]
    for name, entity in list(plan.entities.items()):
        if not entity.from_prompt or any(
                s.get("to") not in (None, "User") for s in entity.fields.values()) or any(
                s.get("to") == name for e in plan.entities.values() for s in e.fields.values()):
            continue
        if _shape(plan, name) in RECORD_SHAPES:
            # what it is about: the first thing (not another record) the prompt names
            things = [n for n in ordered if n != name and _shape(plan, n) not in RECORD_SHAPES]
            anchor = (things or [n for n in ordered if n != name] or [primary])[0]
            if anchor != name:
                _add_ref(plan, name, anchor, f"each {_words(name)} is about one "
                                             f"{_words(anchor)}")
        elif primary != name:
            _add_ref(plan, primary, name, f"each {_words(primary)} names one {_words(name)}")


SERVED_PARTIES = ("customer", "client", "supplier", "vendor", "applicant", "landlord",
                  "candidate", "contractor")
"""Who a process serves or buys from: a record of its own that an analyst always keeps (one
customer has many orders, claims, requests), even when the same people also sign in."""


THING_SHAPES = ("person", "organisation", "location", "asset")
_TOO_GENERAL = {"team", "person", "title", "part", "area", "office", "lead", "box", "room",
                "agency", "business", "company", "place", "item", "unit"}
"""Words said often that rarely name a record of their own."""


def _listed_shape(word: str) -> str:
    """The shape the lexicon gives a word, or "" (no guess from its ending)."""
    return next((shape for shape, words in ENTITY_SHAPES.items() if word in words), "")


def _add_supporting(plan: Plan, intent: Intent, primary: str) -> None:
    """The records an analyst draws around the main one, unless the plan keeps them already
    under some name: the party a process serves ("deliveries for our customers", "the client's
    matter"), and a person, place, organisation or asset the prompt speaks of again and again
    ("the depot", "any depot"). Each is pointed at by the record that names it."""
    spoken = sorted((intent.words.find(f" {w} "), w) for w in SERVED_PARTIES
                    if f" {w} " in intent.words)
    forms = verb_forms()
    said = intent.words.split()
    spoken += sorted((intent.words.find(f" {w} "), w) for w in set(said)
                     if said.count(w) >= 2 and w not in SERVED_PARTIES
                     and _listed_shape(w) in THING_SHAPES
                     and not intent.role_re.fullmatch(w) and w not in forms
                     and w not in NOT_FIELDS and w not in _TOO_GENERAL)
    for _, word in spoken:
        name = pascal(word)
        if _resolve(plan, word) or name in plan.entities or \
                plan.entities[primary].fields.get(word, {}).get("type") == "ref":
            continue
        # the record with a column about the party ("farm/supplier") is the one it is for
        holders = [n for n, e in plan.entities.items() if any(
            spec["type"] in ("string", "text") and word in f.split("_")
            for f, spec in e.fields.items())]
        source = primary if primary in holders or not holders else holders[0]
        plan.entities[name] = new_entity(word)
        if not _add_ref(plan, source, name, f"each {_words(source)} is for one {word}"):
            del plan.entities[name]
            continue
        plan.assumptions.append(f"Added the entity {name}: the prompt speaks of "
                                f"{plural(word)}, and each {_words(source)} is for one.")


def _islands(plan: Plan) -> list[list[str]]:
    """Groups of entities linked by refs (either way), in the plan's order."""
    neighbours: dict[str, set[str]] = {name: set() for name in plan.entities}
    for name, entity in plan.entities.items():
        for spec in entity.fields.values():
            target = spec.get("to")
            if target in neighbours and target != name:
                neighbours[name].add(target)
                neighbours[target].add(name)
    groups: list[list[str]] = []
    seen: set[str] = set()
    for start in plan.entities:
        if start in seen:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            current = todo.pop()
            group.append(current)
            for other in sorted(neighbours[current] - seen):
                seen.add(other)
                todo.append(other)
        groups.append([n for n in plan.entities if n in group])
    return groups


def _join_islands(plan: Plan, intent: Intent, primary: str) -> None:
    """An app is one web of records: a group of entities linked to nothing the main record
    reaches (an Inspection composed from another blueprint, next to the permit it inspects)
    is tied to the main record. A record about it points at the main record; a person, place
    or thing is pointed at by the main record."""
    for group in _islands(plan):
        if primary in group:
            continue
        head = next((n for n in group if plan.entities[n].kind == "main"), "") or next(
            (n for n in group if plan.entities[n].kind != "child"), group[0])
        if _shape(plan, head) in RECORD_SHAPES:
            _add_ref(plan, head, primary, f"each {_words(head)} is about one "
                                          f"{_words(primary)}")
        else:
            _add_ref(plan, primary, head, f"each {_words(primary)} names one {_words(head)}")


def _direction(plan: Plan, later: str, earlier: str) -> tuple[str, str]:
    """Which of two entities named together holds the ref: the more record-like one, or the
    one named later ("vehicles and trips": a trip is of a vehicle)."""
    if plan.entities[earlier].kind == "child" and plan.entities[earlier].parent == later:
        return earlier, later
    rank_later = _SHAPE_RANK[_shape(plan, later)]
    rank_earlier = _SHAPE_RANK[_shape(plan, earlier)]
    return (earlier, later) if rank_earlier > rank_later else (later, earlier)


# --- workflow -------------------------------------------------------------------------------

_ONE_OF_THEM = {"request", "case", "record", "entry", "job"}
"""Bare words that, after the prompt has named its record, speak of one of those records."""
GENERIC_NOUNS = {"app", "system", "problem", "issue", "fault", "request", "item", "job", "case",
                 "record", "entry", "report", "thing", "detail", "log"}
INITIAL_STATES = {"new", "draft", "open", "requested", "submitted", "booked", "applied", "lead",
                  "reported", "logged", "received", "raised", "planned", "todo", "registered",
                  "pending", "created", "proposed", "filed", "placed", "scheduled"}


def _listed_states(plan: Plan, intent: Intent, primary: str) -> None:
    """The prompt lists the states: they become the workflow, in its order."""
    entity = plan.entities[primary]
    states = list(intent.states)
    creators = [a for a in intent.actions if a.verb in CREATE_VERBS and a.role in plan.roles]
    if states[0] not in INITIAL_STATES:
        first = ""
        for action in creators:
            if action.verb in VERBS and VERBS[action.verb][1] not in states:
                first = VERBS[action.verb][1]
                break
        if not first:
            first = entity.states[0] if entity.states and entity.states[0] in INITIAL_STATES \
                and entity.states[0] not in states else "new"
        states.insert(0, first)
    finals = set(intent.final_states)
    by_target = {VERBS[a.verb][1]: a.role for a in intent.actions
                 if a.verb in VERBS and a.role in plan.roles}
    nearest = ""
    for action in intent.actions:
        if action.position < intent.states_at and action.role in plan.roles:
            nearest = action.role
    default = [nearest] if nearest else plan.roles_of("staff", "reviewer")[:1]
    moves: dict[str, TransitionPlan] = {}
    chain = [s for s in states if s not in finals]
    for index, target in enumerate(states[1:], start=1):
        source = chain[-1] if target in finals else states[index - 1]
        if target in finals and source in finals:
            source = chain[-1]
        name = transition_to(target)
        roles = [by_target[target]] if target in by_target else default
        moves[name] = TransitionPlan([source], target, roles)
    if len(finals) == 0 and states:
        finals.add(states[-1])
    requires = {k: v for k, v in entity.requires.items() if k in states}
    entity.states, entity.finals, entity.transitions, entity.requires = \
        states, finals, moves, requires
    plan.assumptions.append(f"Workflow of {primary} as the prompt lists it: "
                            f"{' → '.join(states)}.")


def _apply_workflow(plan: Plan, intent: Intent, primary: str) -> None:
    entity = plan.entities[primary]
    if intent.states:
        _listed_states(plan, intent, primary)
        return
    creators = [a.role for a in intent.actions if a.verb in CREATE_VERBS
                and a.role in plan.roles]
    steps: list[Action] = []
    passive = {(verb, at) for verb, at in intent.passives}
    for action in _with_passives(plan, intent):
        # "a clerk lodges a claim" creates it; "the claim is lodged" is a step of it
        if action.verb in VERBS and action.role in plan.roles and (
                action.verb not in CREATE_VERBS or action.verb in ("submit", "request", "apply")
                or (action.verb, action.position) in passive):
            steps.append(action)
    # "checks it, then approves or rejects it", "checks it before it is lodged": the record
    # waits under review for the next step; a check that ends the work leaves it checked
    steps = [replace(a, waits=True) if a.verb in ("check", "review") and any(
        b.position > a.position and b.verb not in ("check", "review") for b in steps) else a
             for a in steps]
    if not steps:
        # a register of things ("keep a list of our artworks") needs no lifecycle; work
        # that people do something with does
        if not entity.states and (intent.actions or _shape(plan, primary) in ("event",
                                                                              "document")):
            _default_lifecycle(plan, primary)
        return

    def known(action: Action) -> list[TransitionPlan]:
        name, target = action.move()
        return [m for n, m in entity.transitions.items() if n == name or m.target == target]

    # the blueprint's workflow stands, extended, unless the prompt tells a process of three
    # steps or more that it mostly does not know
    distinct = {a.move()[1]: bool(known(a)) for a in steps}
    foreign = len(distinct) >= 3 and 2 * sum(distinct.values()) < len(distinct)
    if entity.states and any(distinct.values()) and not foreign:
        _extend(plan, primary, steps, known)
        return
    targets = {a.move()[1] for a in steps}
    old_requires = entity.requires
    states: list[str] = []
    finals: set[str] = set()
    moves: dict[str, TransitionPlan] = {}
    first = "draft" if any(a.move()[0] == "submit" for a in steps) else (
        entity.states[0] if entity.states and entity.states[0] not in targets else "new")
    states.append(first)
    current = first
    last_source = first
    approval: tuple[str, list[str]] | None = None
    alternatives = _alternatives(steps)
    for index, action in enumerate(steps):
        transition, target = action.move()
        roles = [a.role for a in steps if a.verb == action.verb]
        if transition in moves:
            continue
        if target not in states:
            states.append(target)
        if index in alternatives and action.verb not in BRANCH_VERBS:
            # "we either refund, replace or reject the claim": another way it ends
            moves[transition] = TransitionPlan([last_source], target, list(dict.fromkeys(roles)))
            finals.add(target)
            continue
        if action.verb in BRANCH_VERBS:
            sources = [s for s in states if s not in finals and s != target] \
                if action.verb == "cancel" else [last_source]
            moves[transition] = TransitionPlan(sources, target, list(dict.fromkeys(roles)))
            if action.verb != "return":
                finals.add(target)
            continue
        moves[transition] = TransitionPlan([current], target, list(dict.fromkeys(roles)))
        if is_approval(action.verb) and action.verb in ("approve", "authorise", "authorize",
                                                         "sign off", "accept"):
            approval = (current, list(dict.fromkeys(roles)))
        last_source = current
        current = target
    if approval and not any(t.target == "rejected" for t in moves.values()) and \
            not any(a.verb == "return" for a in steps):  # "approves it or sends it back"
        states.append("rejected")
        finals.add("rejected")
        moves["reject"] = TransitionPlan([approval[0]], "rejected", approval[1])
        plan.assumptions.append("Added the state `rejected` because an approval can refuse.")
    if "returned" in states and "submitted" in states:
        submitters = moves["submit"].roles if "submit" in moves else creators
        moves["resubmit"] = TransitionPlan(["returned"], "submitted", submitters)
    if current != first and current not in ("in_progress", "investigating"):
        finals.add(current)
    if first == "draft" and "submit" not in moves and creators:
        moves = {"submit": TransitionPlan(["draft"], states[1] if len(states) > 1 else "draft",
                                          creators), **moves}
    entity.states = states
    entity.finals = finals
    entity.transitions = moves
    entity.requires = {s: f for s, f in old_requires.items() if s in states}
    plan.assumptions.append(f"Workflow of {primary} from the prompt: "
                            f"{' → '.join(s for s in states if s not in finals or s == current)}"
                            + (f" (ends: {', '.join(sorted(finals))})" if finals else "") + ".")


def _alternatives(steps: list[Action]) -> set[int]:
    """The steps that are another way the one before them goes ("refund, replace or reject":
    replace and reject), by the same role, in a run joined by commas that ends in "or"."""
    found: set[int] = set()
    start = 0
    for index in range(1, len(steps) + 1):
        if index < len(steps) and steps[index].joined in (",", "or") and \
                steps[index].role == steps[start].role:
            continue
        run = range(start + 1, index)
        if any(steps[i].joined == "or" for i in run):
            found.update(run)
        start = index
    return found


def _default_lifecycle(plan: Plan, primary: str) -> None:
    """A main record the prompt gives no process for still moves from new to done, taken by
    the roles that run the records, so that lists, boards and dashboards can tell open work
    from finished work. Said in the assumptions, to be edited with ``apiary refine``."""
    entity = plan.entities[primary]
    runners = plan.roles_of("staff", "reviewer") or list(plan.roles)
    entity.states = ["new", "in_progress", "done"]
    entity.finals = {"done"}
    entity.transitions = {"start": TransitionPlan(["new"], "in_progress", list(runners)),
                          "finish": TransitionPlan(["in_progress"], "done", list(runners)),
                          "reopen": TransitionPlan(["done"], "in_progress", list(runners))}
    entity.requires = {}
    plan.assumptions.append(f"The prompt describes no process for {primary}: gave it the "
                            "states new → in_progress → done, moved by "
                            f"{', '.join(runners)}.")


def _with_passives(plan: Plan, intent: Intent) -> list[Action]:
    """The prompt's actions with its passive steps, each taken by the role acting just before
    it (or the first staff role): "a reviewer approves; the permit is issued"."""
    if not intent.passives or not any(a.role in plan.roles and a.verb in VERBS
                                      for a in intent.actions):
        return intent.actions  # no step of its own: the blueprint's workflow stands
    actions = list(intent.actions)
    for verb, position in intent.passives:
        if verb == "assign" or any(a.verb == verb for a in actions):
            continue  # "a handler is assigned" names a person, not a step of the record
        before = [a.role for a in intent.actions if a.position < position and a.role in
                  plan.roles and a.verb not in CREATE_VERBS]
        role = before[-1] if before else next(iter(plan.roles_of("staff", "reviewer")), "")
        if role:
            actions.append(Action(role, verb, position))
    return sorted(actions, key=lambda a: a.position)


def _apply_outcomes(plan: Plan, intent: Intent, primary: str) -> None:
    """A decision whose results the prompt spells out ("triages it as accepted or declined")
    ends in those states, taken by the role deciding, from where the decision is made; the
    decision's own state ("triaged") gives way to them when nothing else leads on from it."""
    entity = plan.entities[primary]
    if intent.states or not entity.states:
        return  # the prompt listed the whole workflow, or there is none
    for role, outcomes, at in intent.outcomes:
        roles = [role] if role in plan.roles else plan.roles_of("staff", "reviewer")[:1]
        action = next((a for a in reversed(intent.actions) if a.role == role
                       and at - 80 < a.position <= at and a.verb in VERBS), None)
        source = ""
        if action is not None:
            name, target = action.move()
            move = entity.transitions.get(name) or next(
                (m for m in entity.transitions.values() if m.target == target), None)
            if move is not None and move.target not in outcomes:
                source = move.sources[0]
                if not any(move.target in m.sources for m in entity.transitions.values()):
                    _drop_state(entity, move.target)
        if not source or source not in entity.states:
            source = next((s for s in reversed(entity.states) if s not in entity.finals),
                          entity.states[0])
        for state in outcomes:
            if state in entity.states:
                continue
            entity.states.append(state)
            entity.finals.add(state)
            name = transition_to(state)
            if name in entity.transitions:
                name = f"to_{state}"[:40]
            entity.transitions[name] = TransitionPlan([source], state, roles)
        plan.assumptions.append(f"{primary}: {' or '.join(outcomes)} end the decision taken "
                                f"in `{source}`, as the prompt says.")


def _drop_state(entity: EntityPlan, state: str) -> None:
    if state not in entity.states or state == entity.states[0]:
        return
    entity.states.remove(state)
    entity.finals.discard(state)
    entity.requires.pop(state, None)
    entity.transitions = {n: m for n, m in entity.transitions.items() if m.target != state}
    for move in entity.transitions.values():
        move.sources = [s for s in move.sources if s != state] or [entity.states[0]]


def _extend(plan: Plan, primary: str, steps: list[Action],
            known: Callable[[Action], list[TransitionPlan]]) -> None:
    """Keep the blueprint's workflow: give its transitions the prompt's roles and add a state
    for each step the prompt names that the blueprint lacks, after the step before it."""
    entity = plan.entities[primary]
    alternatives = _alternatives(steps)
    # nothing is decided on a draft: the prompt's first new step comes after its submission
    anchor = "submitted" if entity.states[0] == "draft" and "submitted" in entity.states else ""
    forward_source = anchor or entity.states[0]
    for index, action in enumerate(steps):
        roles = list(dict.fromkeys(a.role for a in steps if a.verb == action.verb))
        moves = known(action)
        if moves:
            for move in moves:
                if action.role not in move.roles:
                    move.roles = roles
            if action.verb not in BRANCH_VERBS:
                forward_source = moves[0].sources[0]
                anchor = moves[0].target
            continue
        name, target = action.move()
        source = anchor or entity.states[0]
        if action.verb in BRANCH_VERBS or index in alternatives:
            entity.states.append(target)
            entity.finals.add(target)
            entity.transitions[name] = TransitionPlan([forward_source], target, roles)
        else:
            entity.states.insert(entity.states.index(source) + 1, target)
            if source in entity.finals:
                entity.finals.discard(source)
                entity.finals.add(target)
            entity.transitions[name] = TransitionPlan([source], target, roles)
            forward_source, anchor = source, target
        plan.assumptions.append(f"Added the state `{target}` to {primary} (after `{source}`) "
                                f"for \"{action.verb}\", as the prompt describes.")


# --- finishing touches ----------------------------------------------------------------------

def _finish(plan: Plan, intent: Intent) -> None:
    if intent.name:
        plan.name = _app_name(intent.name)
        plan.title = intent.name.strip().capitalize() if intent.name.islower() else \
            intent.name.strip()
    has_money = any(s["type"] == "money" for e in plan.entities.values()
                    for s in e.fields.values())
    if intent.currency:
        plan.currency = intent.currency
    elif has_money and not plan.currency:
        plan.currency = "EUR"
    if has_money and not intent.currency:
        plan.assumptions.append(f"Assumed currency {plan.currency}.")
    if intent.delete_all:
        plan.delete_for_all = True
        plan.warnings.append("Every role may delete the records it can read, because the "
                             "prompt asked for it; deleted records are archived in the audit "
                             "trail only. Least privilege would keep deletion for admins.")
        plan.description = (plan.description + " Deletion: every role may delete the records "
                            "it can read, as requested.").strip()
    elif intent.delete_roles & set(plan.roles):
        roles = sorted(intent.delete_roles & set(plan.roles))
        plan.deleters = set(roles)
        plan.warnings.append(f"{', '.join(roles)} may delete the records they can read, "
                             "because the prompt asked for it.")
        plan.description = (plan.description + f" Deletion: {', '.join(roles)} may delete "
                            "the records they can read, as requested.").strip()
    else:
        plan.assumptions.append("Only admins may delete records; every other role is denied "
                                "deletion.")
    owners = plan.roles_of("owner")
    if owners:
        plan.assumptions.append(f"{', '.join(owners)}: see only their own records.")
