"""The words the offline generator understands: field names → types, verbs → states, roles.

Kept as plain tables so that a wrong guess is fixed by editing a line, not an algorithm.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from apiary import nouns
from apiary.definition.names import ENGINE_ENTITIES

# name pattern (matched against the snake_case field name) → field spec
FIELD_TYPES: tuple[tuple[str, dict[str, Any]], ...] = (
    (r"(^|_)e_?mail(_address)?$", {"type": "email", "pii": True}),
    (r"(^|_)(phone|mobile|telephone|tel|cell)(_number)?$", {"type": "phone", "pii": True}),
    (r"(^|_)(home_)?address$|(^|_)postcode$|(^|_)zip(_code)?$",
     {"type": "text", "max_length": 500, "pii": True}),
    (r"(^|_)(date_of_birth|birth_date|birthday|dob)$", {"type": "date", "pii": True}),
    (r"(^|_)(iban|bank_account|bank_details|account_number|sort_code|ssn|social_security|"
     r"social_security_number|passport_number|national_id|national_insurance|"
     r"national_insurance_number|ni_number|nino|nhs_number|tax_id|driving_licence_number|"
     r"driver_licen[cs]e_number)$", {"type": "string", "max_length": 64, "pii": True}),
    (r"(^|_)(full_name|first_name|last_name|surname|contact_name|emergency_contact|"
     r"next_of_kin)$", {"type": "string", "max_length": 120, "pii": True}),
    (r"(^|_)(salary|wage|pay_rate)$", {"type": "money", "min": 0, "pii": True}),
    # a rate of tax, duty or interest is a percentage; an hourly or day rate is money
    (r"(^|_)(tax|vat|duty|interest|discount|commission|exchange|conversion|success|error|"
     r"completion|occupancy|utilisation|utilization|hit|win|vacancy|defect|scrap)_rate$",
     {"type": "decimal"}),
    (r"(^|_)(percent|percentage|pct)(_\w+)?$|(^|_)\w+_(percent|percentage|pct)$",
     {"type": "decimal", "min": 0, "max": 100}),
    (r"(^|_)(quantity|qty|count|number_of)_\w+$|(^|_)\w+_(qty|count)$",
     {"type": "integer", "min": 0}),
    (r"(^|_)(variance|difference|delta|discrepancy)$", {"type": "decimal"}),
    (r"(^|_)(amount|cost|price|budget|fee|total|value|revenue|spend|payment|deposit|"
     r"premium|rate|balance|subtotal|tax|vat|discount|charge|estimate_cost|unit_price|net|"
     r"gross|salary_range|refund|refund_amount)$",
     {"type": "money", "min": 0}),
    (r"(_|^)(date|dates|deadline|due|due_by|birthday|expiry|expires|start|end|until|since|"
     r"expiry_date|expiry_dates)$",
     {"type": "date"}),
    # spreadsheet headings that lead with what they are: "date found", "time of arrival"
    (r"^(time_(?!slot|sheet|zone|band)(?:of_)?[a-z]+|(?:arrival|departure)_times?)$",
     {"type": "datetime"}),
    (r"^date_(?!and_|time)[a-z_]+$", {"type": "date"}),
    (r"(^|_)(points|interval|duration|duration_minutes)$", {"type": "integer", "min": 0}),
    (r"(^|_)(meter_reading|gravity)$|(^|_)volume_", {"type": "decimal"}),
    (r"(^|_)(cooking|prep|preparation|travel|response|resolution|waiting|processing|lead|"
     r"run|total|turnaround)_time$", {"type": "integer", "min": 0}),
    (r"(^|_)(time|timestamp|at|datetime|scheduled_for|appointment)$", {"type": "datetime"}),
    (r"(^|_)(hours?|hours_spent|duration_hours|estimated_hours?)$",
     {"type": "decimal", "min": 0}),
    # how many make up a group is a number; the size of a thing is one of a few
    (r"(^|_)(party|group|batch|sample|team|class|crew|household|family|lot|order|fleet)_size$",
     {"type": "integer", "min": 0}),
    (r"(^|_)size$", {"type": "enum", "values": ["small", "medium", "large"]}),
    (r"(^|_)(count|quantity|qty|number_of_\w+|capacity|seats|headcount|age|stock|level|"
     r"days|nights|weeks|months|years|attendees|guests|score|rating|mileage|odometer|"
     r"odometer_reading|year|minutes|km|miles|units|version|pallets|cartons|boxes|"
     r"covers|places|pax|guaranteed_numbers|final_numbers|guest_numbers|visitor_numbers)$",
     {"type": "integer", "min": 0}),
    (r"(^|_)(number_of_\w+|packages|credits|headcount|year|servings|portions)$",
     {"type": "integer", "min": 0}),
    (r"(^|_)(percentage|percent|ratio|weight|weight_kg|weight_tonnes|tonnes|tonnage|hours|"
     r"distance|temperature|length|width|height|depth|diameter|thickness|volume|"
     r"(?:length|width|height|depth)_(?:m|mm|cm)|speed|pressure)$",
     {"type": "decimal"}),
    (r"(^|_)(is_\w+|has_\w+|active|done|completed|paid|approved|urgent|billable|"
     r"confidential|verified|enabled|archived)$", {"type": "boolean", "default": False}),
    (r"(^|_)(website|url|link|homepage)$", {"type": "url"}),
    (r"(^|_)(attachment|attachments|file|files|document|documents|receipt|photo|photos|image|"
     r"images|cv|resume|scan|scans|signature|evidence|contract_file|pdf|letter|proof_of_\w+|"
     r"pod|invoice_pdf|certificate|drawings|plans|screenshot|screenshots|upload|uploads)$",
     {"type": "file"}),
    (r"(^|_)(outcome|disposition|decision|verdict)$",
     {"type": "enum", "values": ["pending", "accepted", "rejected", "other"],
      "default": "pending"}),
    (r"(^|_)(result|test_result|pass_fail)$",
     {"type": "enum", "values": ["pending", "pass", "fail"], "default": "pending"}),
    (r"(^|_)(description|notes?|comments?|details|summary|reason|body|justification|"
     r"feedback|instructions|findings|remarks|explanation|message|resolution|"
     r"root_cause|agenda|bio)$", {"type": "text", "max_length": 5000}),
    (r"(^|_)(priority)$", {"type": "enum", "values": ["low", "medium", "high", "urgent"],
                           "default": "medium"}),
    (r"(^|_)(severity)$", {"type": "enum", "values": ["minor", "moderate", "major", "critical"],
                           "default": "moderate"}),
    (r"(^|_)(risk|risk_level|impact|urgency)$",
     {"type": "enum", "values": ["low", "medium", "high"], "default": "medium"}),
    (r"(^|_)(category|type|kind|status_reason|channel|source|stage|tier|grade|size_class)$",
     {"type": "enum", "values": ["standard", "other"], "default": "standard"}),
    (r"(^|_)(owner|owners|assignee|approver|reviewer|manager|assigned_to|requester|reporter|"
     r"assigned_driver|driver|lawyer|teacher|interviewer|clinician|doctor|"
     r"supervisor|responsible|inspector|technician|driver|host|organiser|organizer|"
     r"recruiter|mentor|buddy|coordinator|sponsor)$", {"type": "ref", "to": "User"}),
)

PII_WORDS = {"email", "phone", "address", "salary", "birth", "iban", "passport", "ssn",
             "mobile", "contact_name", "next_of_kin", "emergency_contact", "diagnosis",
             "medical", "health", "allergies", "medication"}

# verb (base form and common inflections) → (transition, state it leads to)
VERBS: dict[str, tuple[str, str]] = {
    "submit": ("submit", "submitted"),
    "request": ("submit", "submitted"),
    "apply": ("submit", "submitted"),
    "approve": ("approve", "approved"),
    "sign off": ("sign_off", "signed_off"),
    "authorise": ("approve", "approved"),
    "authorize": ("approve", "approved"),
    "reject": ("reject", "rejected"),
    "decline": ("reject", "rejected"),
    "refuse": ("reject", "rejected"),
    "deny": ("reject", "rejected"),
    "pay": ("pay", "paid"),
    "reimburse": ("pay", "paid"),
    "review": ("review", "reviewed"),
    "assess": ("assess", "assessed"),
    "evaluate": ("assess", "assessed"),
    "assign": ("assign", "assigned"),
    "triage": ("triage", "triaged"),
    "investigate": ("investigate", "investigating"),
    "resolve": ("resolve", "resolved"),
    "fix": ("resolve", "resolved"),
    "repair": ("repair", "repaired"),
    "close": ("close", "closed"),
    "ship": ("ship", "shipped"),
    "dispatch": ("dispatch", "dispatched"),
    "deliver": ("deliver", "delivered"),
    "receive": ("receive", "received"),
    "complete": ("complete", "completed"),
    "finish": ("complete", "completed"),
    "cancel": ("cancel", "cancelled"),
    "publish": ("publish", "published"),
    "sign": ("sign", "signed"),
    "verify": ("verify", "verified"),
    "check": ("check", "checked"),
    "inspect": ("inspect", "inspected"),
    "audit": ("audit", "audited"),
    "schedule": ("schedule", "scheduled"),
    "confirm": ("confirm", "confirmed"),
    "order": ("place_order", "ordered"),
    "invoice": ("invoice", "invoiced"),
    "archive": ("archive", "archived"),
    "escalate": ("escalate", "escalated"),
    "accept": ("accept", "accepted"),
    "hire": ("hire", "hired"),
    "interview": ("interview", "interviewed"),
    "shortlist": ("shortlist", "shortlisted"),
    "quote": ("quote", "quoted"),
    "renew": ("renew", "renewed"),
    "issue": ("issue", "issued"),
    "book": ("book", "booked"),
    "plan": ("plan", "planned"),
    "start": ("start", "in_progress"),
    "process": ("process", "processed"),
    "fulfil": ("fulfil", "fulfilled"),
    "fulfill": ("fulfil", "fulfilled"),
    "pack": ("pack", "packed"),
    "settle": ("settle", "settled"),
    "return": ("send_back", "returned"),
    "test": ("test", "tested"),
    "deploy": ("deploy", "deployed"),
    "implement": ("implement", "implemented"),
    "qualify": ("qualify", "qualified"),
    "win": ("win", "won"),
    "lose": ("lose", "lost"),
    "collect": ("collect", "collected"),
    "analyse": ("analyse", "analysed"),
    "analyze": ("analyse", "analysed"),
    "report": ("report", "reported"),
    "register": ("register", "registered"),
    "enrol": ("enrol", "enrolled"),
    "enroll": ("enrol", "enrolled"),
    "attend": ("attend", "attended"),
    "check in": ("check_in", "checked_in"),
    "check out": ("check_out", "checked_out"),
    "admit": ("admit", "admitted"),
    "discharge": ("discharge", "discharged"),
    "refer": ("refer", "referred"),
    "award": ("award", "awarded"),
    "fund": ("fund", "funded"),
    "grant": ("grant", "granted"),
    "expire": ("expire", "expired"),
    "release": ("release", "released"),
    "drop": ("drop", "dropped"),
    "withdraw": ("withdraw", "withdrawn"),
    "hold": ("hold", "on_hold"),
    "waitlist": ("waitlist", "waitlisted"),
    "refund": ("refund", "refunded"),
    "respond": ("respond", "responded"),
    "reply": ("respond", "responded"),
    "borrow": ("borrow", "on_loan"),
    "screen": ("screen", "screening"),
    "offer": ("make_offer", "offer"),
    "onboard": ("onboard", "onboarded"),
    "lend": ("lend", "on_loan"),
    "reschedule": ("reschedule", "rescheduled"),
    "acknowledge": ("acknowledge", "acknowledged"),
    "reconcile": ("reconcile", "reconciled"),
    "post": ("post", "posted"),
    "lodge": ("lodge", "lodged"),
    "clear": ("clear", "cleared"),
    "uphold": ("uphold", "upheld"),
    "dismiss": ("dismiss", "dismissed"),
    "count": ("count", "counted"),
    "reopen": ("reopen", "reopened"),
    "suspend": ("suspend", "suspended"),
    "retire": ("retire", "retired"),
    "dispose": ("dispose", "disposed"),
    "decommission": ("decommission", "decommissioned"),
    "diagnose": ("diagnose", "diagnosed"),
    "bill": ("bill", "billed"),
    "pick": ("pick", "picked"),
    "load": ("load", "loaded"),
    "survey": ("survey", "surveyed"),
    "mitigate": ("mitigate", "mitigated"),
    "prioritise": ("triage", "triaged"),
    "prioritize": ("triage", "triaged"),
    "moderate": ("moderate", "moderated"),
    "certify": ("certify", "certified"),
    "calibrate": ("calibrate", "calibrated"),
    "reserve": ("reserve", "reserved"),
    "allocate": ("allocate", "allocated"),
    "appeal": ("appeal", "appealed"),
    "install": ("install", "installed"),
    "quarantine": ("quarantine", "quarantined"),
    "validate": ("validate", "validated"),
    "endorse": ("endorse", "endorsed"),
    "countersign": ("countersign", "countersigned"),
    "defer": ("defer", "deferred"),
    "revoke": ("revoke", "revoked"),
    "replace": ("replace", "replaced"),
    "notify": ("notify", "notified"),
    "execute": ("execute", "executed"),
    "activate": ("activate", "active"),
    "reinstate": ("reinstate", "reinstated"),
}


def transition_to(state: str) -> str:
    """The name of the transition that leads to ``state``: the verb whose result it is
    (``approve`` for ``approved``), or ``to_<state>``."""
    for transition, target in VERBS.values():
        if target == state:
            return transition
    return f"to_{state}"[:40]

# Verbs that create a record: the role doing them owns what they create.
CREATE_VERBS = {"borrow", "enrol", "enroll", "signup", "submit", "request", "raise", "open",
                "create", "log", "file", "report",
                "register", "book", "apply", "propose", "record", "enter", "add", "claim",
                "place", "suggest", "lodge", "ask"}
APPROVE_VERBS = {"approve", "reject", "decline", "refuse", "deny", "review", "assess",
                 "evaluate", "sign off", "authorise", "authorize", "accept", "award"}

# Verbs that are rarely nouns: a word after "track" that is one of these is not an entity.
PURE_VERBS = {"submit", "approve", "reject", "decline", "refuse", "deny", "pay", "reimburse",
              "assign", "resolve", "close", "ship", "deliver", "complete", "finish", "cancel",
              "publish", "verify", "inspect", "confirm", "archive", "escalate", "accept",
              "hire", "shortlist", "renew", "process", "fulfil", "fulfill", "pack", "settle",
              "deploy", "implement", "qualify", "win", "lose", "collect", "analyse", "analyze",
              "enrol", "enroll", "attend", "admit", "discharge", "refer", "fund", "expire",
              "triage", "investigate", "assess", "evaluate", "create", "open", "raise", "add",
              "enter", "place", "suggest", "lodge", "ask", "apply", "propose", "return",
              "borrow", "lend", "see", "view", "read", "edit", "update", "delete", "sign"}

# word (singular, lowercase) → role name
ROLE_WORDS: dict[str, str] = {
    # occupations without an agent suffix (-er, -or, -ist...) the prompt's grammar would show
    "secretary": "secretary", "company secretary": "company_secretary",
    "chairperson": "chair", "chairman": "chair", "chairwoman": "chair", "chef": "chef",
    "head chef": "head_chef", "vet": "vet", "veterinarian": "vet", "judge": "judge",
    "surveyor": "surveyor", "groundsman": "groundsman", "groundskeeper": "groundsman",
    "carer": "carer", "care worker": "carer", "gp": "gp", "dentist": "dentist",
    "paralegal": "paralegal", "trustee": "trustee", "porter": "porter", "cashier": "cashier",
    "foreman": "foreman", "estimator": "estimator", "steward": "steward", "pilot": "pilot",
    "warden": "warden", "midwife": "midwife", "paramedic": "paramedic", "tutor": "tutor",
    "lecturer": "lecturer", "dean": "dean", "curator": "curator", "architect": "architect",
    "actuary": "actuary", "attorney": "lawyer", "solicitor": "lawyer", "barrister": "lawyer",
    "underwriter": "underwriter", "broker": "broker", "agronomist": "agronomist",
    "picker": "picker", "packer": "packer", "mentor": "mentor",
    "social worker": "social_worker", "counsellor": "counsellor", "counselor": "counsellor",
    "therapist": "therapist", "superintendent": "superintendent", "matron": "matron",
    "lifeguard": "lifeguard", "councillor": "councillor", "signatory": "signatory",
    # titles people write as initials, and trade names without an agent suffix
    "ceo": "ceo", "cfo": "cfo", "cio": "cio", "cto": "cto", "coo": "coo", "ciso": "ciso",
    "dpo": "data_protection_officer", "mlro": "mlro", "senco": "senco",
    "fee earner": "fee_earner",
    "employee": "employee", "staff": "staff", "staff member": "staff", "worker": "employee",
    "colleague": "employee", "manager": "manager", "line manager": "manager",
    "team lead": "team_lead", "team leader": "team_lead", "supervisor": "supervisor",
    "director": "director", "finance": "finance", "accountant": "finance",
    "accounting": "finance", "accounts payable": "finance", "controller": "finance",
    "hr": "hr", "human resources": "hr", "customer": "customer", "client": "customer",
    "agent": "agent", "support agent": "agent", "support": "agent", "requester": "requester",
    "approver": "approver", "buyer": "buyer", "procurement": "procurement",
    "purchasing": "procurement", "technician": "technician", "engineer": "engineer",
    "mechanic": "technician", "auditor": "auditor", "reviewer": "reviewer",
    "teacher": "teacher", "student": "student", "doctor": "doctor", "clinician": "doctor",
    "nurse": "nurse", "patient": "patient", "receptionist": "receptionist",
    "driver": "driver", "dispatcher": "dispatcher", "volunteer": "volunteer",
    "coordinator": "coordinator", "organiser": "organiser", "organizer": "organiser",
    "member": "member", "clerk": "clerk", "sales rep": "sales", "salesperson": "sales",
    "sales": "sales", "account manager": "account_manager", "legal": "legal",
    "inspector": "inspector", "recruiter": "recruiter",
    "hiring manager": "hiring_manager", "interviewer": "interviewer", "trainer": "trainer",
    "instructor": "trainer", "learner": "learner", "trainee": "learner", "tenant": "tenant",
    "landlord": "landlord", "warehouse": "warehouse", "storekeeper": "warehouse",
    "security": "security", "guard": "security", "facilities": "facilities",
    "it team": "it", "it department": "it", "it staff": "it", "it support": "it",
    "developer": "developer", "tester": "tester",
    "quality": "quality", "qa": "quality", "planner": "planner", "operator": "operator",
    "pharmacist": "pharmacist", "lab technician": "lab_technician", "scientist": "scientist",
    "analyst": "analyst", "editor": "editor", "author": "author", "writer": "author",
    "approving manager": "manager", "board": "board", "committee": "committee",
    "partner": "partner", "contractor": "contractor",
    "applicant": "applicant", "candidate": "candidate", "visitor": "visitor",
    "host": "host", "owner": "owner", "project manager": "project_manager",
    "admin": "admin", "administrator": "admin", "everyone": "everyone",
    "operations": "operations", "ops": "operations", "marketing": "marketing",
    "compliance": "compliance", "risk officer": "risk_officer", "safety officer": "safety_officer",
    "change board": "change_board", "cab": "change_board", "reception": "receptionist",
    "citizen": "citizen", "resident": "resident", "budget holder": "budget_holder",
    "fleet manager": "fleet_manager", "dispatch": "dispatcher", "front desk": "receptionist",
    "sponsor": "sponsor", "donor": "donor", "grant officer": "grant_officer",
    "business user": "requester", "ap clerk": "clerk", "rep": "sales", "sales team": "sales",
    "registrar": "registrar", "lawyer": "lawyer",
    # departments that act as one ("payroll pays them", "treasury releases the payment")
    "payroll": "payroll", "treasury": "treasury", "customer services": "customer_services",
    "customer service": "customer_services", "credit control": "credit_control",
    "caseworker": "caseworker", "case worker": "caseworker", "user": "member",
}

# Roles that mean the same job: a prompt's word replaces the blueprint's.
ROLE_SYNONYMS: tuple[set[str], ...] = (
    {"doctor", "clinician", "nurse", "physician"},
    {"receptionist", "front_desk"},
    {"agent", "support", "technician"},
    {"finance", "accountant", "accounts"},
    {"manager", "supervisor", "team_lead", "line_manager", "director"},
    {"employee", "staff", "worker", "member"},
    {"customer", "client"},
    {"applicant", "citizen", "resident", "requester"},
    {"legal", "lawyer"},
    {"budget_holder", "budget_owner", "cost_centre_owner"},
    {"it", "it_support"},
)

VIEWER_HINTS = ("read-only", "read only", "view only", "can see", "can view", "can read",
                "oversight", "audit")

# A few business words of other languages, mapped to the English word the generator knows.
TRANSLATIONS: dict[str, dict[str, str]] = {
    "French": {
        "congé": "leave", "congés": "leave", "conges": "leave", "facture": "invoice",
        "factures": "invoice", "frais": "expense", "dépense": "expense", "dépenses": "expense",
        "note de frais": "expense claim", "demande": "request", "demandes": "request",
        "employé": "employee", "employés": "employee", "salarié": "employee",
        "salariés": "employee", "responsable": "manager", "gestionnaire": "manager",
        "approuve": "approves", "valide": "approves", "rejette": "rejects",
        "paie": "pays", "billet": "ticket", "billets": "ticket", "client": "customer",
        "clients": "customer", "commande": "order", "commandes": "order",
        "fournisseur": "supplier", "fournisseurs": "supplier", "projet": "project",
        "projets": "project", "tâche": "task", "tâches": "task", "achat": "purchase",
        "achats": "purchase", "stock": "stock", "contrat": "contract", "contrats": "contract",
        "réservation": "booking", "réservations": "booking", "salle": "room",
        "salles": "room", "incident": "incident", "incidents": "incident",
        "date d'échéance": "due date", "montant": "amount", "priorité": "priority",
        "comptabilité": "finance", "plainte": "complaint", "réclamation": "complaint",
    },
    "German": {
        "urlaub": "leave", "urlaubsantrag": "leave request", "urlaubsanträge": "leave request",
        "rechnung": "invoice", "rechnungen": "invoice", "spesen": "expense",
        "reisekosten": "expense", "antrag": "request", "anträge": "request",
        "mitarbeiter": "employee", "mitarbeitende": "employee", "vorgesetzte": "manager",
        "vorgesetzter": "manager", "manager": "manager", "genehmigt": "approves",
        "lehnt": "rejects", "zahlt": "pays", "buchhaltung": "finance", "kunde": "customer",
        "kunden": "customer", "bestellung": "order", "bestellungen": "order",
        "lieferant": "supplier", "lieferanten": "supplier", "projekt": "project",
        "projekte": "project", "aufgabe": "task", "aufgaben": "task", "vertrag": "contract",
        "verträge": "contract", "buchung": "booking", "raum": "room", "betrag": "amount",
        "fälligkeitsdatum": "due date", "priorität": "priority", "beschwerde": "complaint",
    },
    "Spanish": {
        "vacaciones": "leave", "permiso": "leave", "permisos": "leave", "factura": "invoice",
        "facturas": "invoice", "gasto": "expense", "gastos": "expense",
        "solicitud": "request", "solicitudes": "request", "empleado": "employee",
        "empleados": "employee", "gerente": "manager", "jefe": "manager",
        "aprueba": "approves", "rechaza": "rejects", "paga": "pays",
        "finanzas": "finance", "contabilidad": "finance", "cliente": "customer",
        "clientes": "customer", "pedido": "order", "pedidos": "order",
        "proveedor": "supplier", "proveedores": "supplier", "proyecto": "project",
        "proyectos": "project", "tarea": "task", "tareas": "task", "contrato": "contract",
        "contratos": "contract", "reserva": "booking", "reservas": "booking", "sala": "room",
        "importe": "amount", "monto": "amount", "prioridad": "priority", "queja": "complaint",
        "incidencia": "incident", "incidencias": "incident",
    },
}

STOPWORDS: dict[str, set[str]] = {
    "English": {"the", "and", "with", "for", "a", "an", "of", "to", "who", "our", "is", "we",
                "each", "can", "their", "they", "by", "in", "on", "that", "need", "app"},
    "French": {"le", "la", "les", "des", "et", "pour", "une", "un", "du", "avec", "qui",
               "par", "est", "nous", "leur", "sur", "dans", "au", "aux"},
    "German": {"der", "die", "das", "und", "für", "mit", "ein", "eine", "wer", "von", "ist",
               "wir", "den", "dem", "zu", "auf", "im", "einen", "sie"},
    "Spanish": {"el", "los", "las", "y", "para", "una", "con", "que", "por", "es", "del",
                "nuestro", "nuestra", "su", "sus", "en", "al", "lo"},
}


@lru_cache(maxsize=4096)
def singular(word: str) -> str:
    """The singular of an English noun (``categories`` → ``category``); itself if singular."""
    if len(word) <= 5 and word.endswith(("is", "us")) and word not in ("plus", "thus") and \
            not re.search(r"[aeiouy]", word[:-2]):
        return word[:-1]  # "rfis", "kpis", "skus": an acronym's plural, not "axis" or "bonus"
    if len(word) <= 3 or word.endswith(("ss", "us", "is")) or word in _MASS_NOUNS or (
            word.endswith("ics") and word not in _COUNTED_ICS):
        return word
    return nouns.singular(word) or word


_MASS_NOUNS = {"data", "media", "personnel", "premises", "news", "series", "species"}
"""Words a business prompt uses as they are: "data sharing" is not about a datum."""
_COUNTED_ICS = {"clinics", "topics", "metrics", "critics", "comics", "picnics", "relics",
                "tonics", "lyrics", "mechanics", "medics", "paramedics", "academics",
                "epidemics", "characteristics", "diagnostics", "heuristics", "tactics"}
"""Plurals in -ics of things counted ("books clinics"), unlike "logistics" or "analytics"."""


def plural(word: str) -> str:
    return nouns.plural(word)


def snake(text: str) -> str:
    """``Due date`` → ``due_date``; at most 40 characters, starting with a letter."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    name = "_".join(words)[:40].strip("_")
    if not name or not name[0].isalpha():
        name = f"field_{name}"[:40]
    return name


def pascal(text: str) -> str:
    """``purchase orders`` → ``PurchaseOrder`` (the last word made singular)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    if not words:
        return "Record"
    words[-1] = singular(words[-1])
    # short enough that the table "<app>__<entity_in_snake_case>" stays within the database's
    # 63 characters for any app name (at most 30): its first words go before a word is cut
    while len(words) > 1 and len("_".join(words)) > 31:
        words = words[1:]
    name = "".join(w.capitalize() for w in words)[:31]
    if name in ENGINE_ENTITIES:
        return f"{name}Record"  # "audits": the engine keeps its own Audit
    return name if name[0].isalpha() else f"Record{name}"[:31]


def field_spec(name: str) -> dict[str, Any]:
    """The type (and options) a field called ``name`` most likely has; ``string`` otherwise."""
    for pattern, spec in FIELD_TYPES:
        if re.search(pattern, name):
            return dict(spec, values=list(spec["values"])) if "values" in spec else dict(spec)
    return {"type": "string", "max_length": 200}


# --- kinds of entity ------------------------------------------------------------------------
# What sort of thing a noun the prompt names is decides the fields a new entity starts with
# and which way a link between two entities points: a record (an event, a document, a money
# movement) points at the people, places and things it is about, never the other way round.

EntityShape = str
ENTITY_SHAPES: dict[EntityShape, frozenset[str]] = {
    "person": frozenset({
        "patient", "student", "member", "customer", "client", "contact", "candidate",
        "applicant", "employee", "driver", "volunteer", "attendee", "participant", "tenant",
        "guest", "donor", "person", "people", "practitioner", "teacher", "doctor", "resident",
        "citizen", "subscriber", "borrower", "passenger", "learner", "trainee", "pupil",
        "parent", "child", "owner", "staff", "worker", "consultant", "contractor", "player",
        "athlete", "coach", "instructor", "speaker", "author", "reviewer", "interviewer",
        "technician", "engineer", "nurse", "therapist", "caregiver", "beneficiary",
        "policyholder", "claimant", "visitor", "lead", "prospect", "user", "agent"}),
    "organisation": frozenset({
        "company", "organisation", "organization", "vendor", "supplier", "account", "garage",
        "carrier", "partner", "department", "team", "agency", "charity", "foundation",
        "school", "hospital", "practice", "firm", "business", "counterparty", "insurer",
        "manufacturer", "distributor", "landlord", "funder", "sponsor", "club",
        "institution", "employer", "household", "family"}),
    "location": frozenset({
        "location", "site", "building", "room", "store", "shop", "warehouse", "office",
        "venue", "branch", "depot", "facility", "floor", "area", "zone", "region", "address",
        "property", "unit", "desk", "bay", "plot", "field", "ward", "clinic", "campus"}),
    "asset": frozenset({
        "asset", "vehicle", "van", "truck", "car", "laptop", "phone", "monitor", "equipment",
        "machine", "device", "book", "tool", "instrument", "item", "product", "part",
        "component", "licence", "license", "software", "server", "printer", "bike", "boat",
        "container", "pallet", "kit", "key", "badge", "material", "sample", "specimen",
        "animal", "plant", "title", "copy", "resource", "meter", "sensor"}),
    "document": frozenset({
        "contract", "document", "invoice", "report", "letter", "policy", "certificate",
        "file", "form", "agreement", "quote", "quotation", "proposal", "statement",
        "permit", "licence_document", "note", "memo", "manual", "procedure", "drawing",
        "specification", "plan", "receipt", "timesheet", "application", "submission",
        "article", "post", "record"}),
    "event": frozenset({
        "appointment", "visit", "meeting", "call", "interview", "session", "shift", "trip",
        "event", "inspection", "service", "booking", "reservation", "lesson", "delivery",
        "pickup", "journey", "flight", "stay",
        "check", "audit", "review", "assessment", "test", "exam", "activity", "task",
        "repair", "defect", "incident", "issue", "fault", "complaint", "request",
        "enquiry", "inquiry", "loan", "rental", "assignment", "enrolment", "enrollment",
        "registration", "referral", "attendance", "entry", "log", "observation", "reading",
        "measurement", "result", "feedback", "comment", "message", "reply", "response"}),
    "money": frozenset({
        "payment", "instalment", "installment", "refund", "fine", "fee", "transaction",
        "donation", "deposit", "charge", "expense", "payout", "grant", "budget", "credit",
        "debit", "reimbursement", "disbursement", "premium", "bill", "salary", "bonus",
        "commission", "order", "purchase", "sale"}),
}

# The fields a new entity of each shape starts with (compact blueprint form, read by
# ``blueprints.parse_field``) and the field shown as its title.
SHAPE_FIELDS: dict[EntityShape, tuple[str, dict[str, str]]] = {
    "person": ("name", {"name": "string! max_length:120", "email": "email pii",
                        "phone": "phone pii"}),
    "organisation": ("name", {"name": "string! max_length:200", "email": "email pii",
                              "phone": "phone pii"}),
    "location": ("name", {"name": "string! max_length:200", "address": "text max_length:500"}),
    "asset": ("name", {"name": "string! max_length:200", "serial_number": "string unique "
                       "max_length:100", "notes": "text max_length:5000"}),
    "document": ("title", {"title": "string! max_length:200", "document": "file",
                           "notes": "text max_length:5000"}),
    "event": ("", {"date": "date!", "notes": "text max_length:5000"}),
    "money": ("", {"amount": "money! min:0", "date": "date!", "notes": "text max_length:5000"}),
    "record": ("name", {"name": "string! max_length:200", "description": "text "
                        "max_length:5000"}),
}

# Verbs whose doing leaves a record of its own between the one who does it and its object
# ("members borrow books" → a Loan of a Book to a Member).
ASSOCIATION_VERBS: dict[str, str] = {
    "borrow": "loan", "lend": "loan", "rent": "rental", "hire": "rental", "enrol": "enrolment",
    "enroll": "enrollment", "apply": "application", "register": "registration",
    "book": "booking", "reserve": "reservation", "assign": "assignment",
    "subscribe": "subscription", "attend": "attendance", "refer": "referral",
    "order": "order", "donate": "donation", "sponsor": "sponsorship", "adopt": "adoption",
    "check out": "loan", "sign out": "loan", "book out": "loan", "appeal": "appeal",
    "complain": "complaint", "bid": "bid", "suggest": "suggestion", "propose": "proposal",
    "nominate": "nomination", "vote": "vote", "commission": "commission", "match": "match",
}
# Verbs whose record is the point of the app whoever does them: "staff book a desk" keeps
# bookings, "a coordinator matches a mentor with a young person" keeps matches.
RECORD_MAKING_VERBS = frozenset({"book", "reserve", "borrow", "lend", "rent", "check out",
                                 "sign out", "book out",
                                 "commission", "match"})
RECORD_NOUNS = frozenset(ASSOCIATION_VERBS[verb] for verb in RECORD_MAKING_VERBS)

# People and organisations outside the team that the records are about: when the prompt has
# them do something ("patients book appointments"), they are kept as records of their own too.
PARTY_WORDS = frozenset({
    "patient", "student", "member", "customer", "client", "candidate", "applicant", "tenant",
    "guest", "attendee", "participant", "donor", "subscriber", "borrower", "passenger",
    "resident", "citizen", "organisation", "organization", "company", "business", "school",
    "charity", "household", "family", "pupil", "parent", "claimant", "policyholder"})


def entity_shape(phrase: str) -> EntityShape:
    """The shape of the thing a noun phrase names, read from its last word."""
    words = phrase.lower().replace("_", " ").split()
    if not words:
        return "record"
    last = singular(words[-1])
    for shape, words_of_shape in ENTITY_SHAPES.items():
        if last in words_of_shape:
            return shape
    if re.search(r"(ment|tion|sion|ance|ence|ing|al)$", last):
        return "event"
    if re.search(r"(ian|ist|ee|ant)$", last) and not last.endswith("list"):
        return "person"  # a technician, a florist, a trainee; not a checklist
    return "record"
