"""The offline generator on processes no blueprint was written for: the prompt's own words
decide the records, fields, roles and steps, and a blueprint that matches only by accident
does not take over."""

from __future__ import annotations

import json
from typing import Any

from apiary.definition import check_text
from apiary.generation.offline.extract import extract, role_name
from apiary.generation.offline.generate import generate


def _app(prompt: str) -> dict[str, Any]:
    doc, _, _ = generate(prompt)
    assert [str(d) for d in check_text(json.dumps(doc))] == []
    return doc


def _records(prompt: str) -> list[str]:
    """The records the prompt names, in the order the extractor found them."""
    return [phrase for phrase, _ in extract(prompt).entities]


def _main(doc: dict[str, Any]) -> str:
    """The entity with the workflow: the record the app is about."""
    return next(n for n, e in doc["entities"].items() if "workflow" in e)


def _states(doc: dict[str, Any], entity: str) -> list[str]:
    return list(doc["entities"][entity]["workflow"]["states"])


def _type(doc: dict[str, Any], entity: str, field: str) -> str:
    spec = doc["entities"][entity]["fields"][field]
    return str(spec if isinstance(spec, str) else spec["type"])


def test_the_prompts_name_for_the_record_beats_the_blueprints() -> None:
    doc = _app("Citizens report graffiti: location, photo, contact details. The cleansing team "
               "inspects, schedules a crew, marks it cleaned.")
    assert "Graffiti" in doc["entities"] and "ServiceRequest" not in doc["entities"]
    states = _states(doc, "Graffiti")
    assert states.index("inspected") < states.index("scheduled")


def test_a_step_told_in_the_passive_joins_the_workflow() -> None:
    doc = _app("Probate applications for our wills desk. A clerk prepares each application and "
               "a senior clerk checks it before it is lodged.")
    assert _states(doc, "ProbateApplication")[-2:] == ["under_review", "lodged"]


def test_a_senior_role_is_a_role_of_its_own_and_the_organisation_is_none() -> None:
    doc = _app("Probate applications for our wills desk. A clerk prepares each application and "
               "a senior clerk checks it before it is lodged.")
    assert {"clerk", "senior_clerk"} <= set(doc["roles"])
    assert "wills_desk" not in doc["roles"]
    moves = doc["entities"]["ProbateApplication"]["workflow"]["transitions"]
    assert moves["check"]["roles"] == ["senior_clerk"]


def test_a_role_named_by_its_job_and_then_by_its_noun_is_one_role() -> None:
    doc = _app("Quality engineers raise supplier corrective action requests against a supplier "
               "with a part number and quantity rejected. The engineer verifies the fix and "
               "closes the request.")
    assert "quality_engineer" in doc["roles"] and "engineer" not in doc["roles"]


def test_a_spreadsheets_purpose_names_the_record_and_its_columns_the_fields() -> None:
    doc = _app("Spreadsheet we use for equipment calibration: columns are instrument ID, "
               "description, location, last calibrated, next due, calibrated by, certificate, "
               "pass/fail. Technicians update it, the lab manager reviews overdue ones.")
    assert list(doc["entities"]) == ["EquipmentCalibration"]
    assert _type(doc, "EquipmentCalibration", "last_calibrated") == "date"
    assert _type(doc, "EquipmentCalibration", "calibrated_by") == "ref"
    assert _type(doc, "EquipmentCalibration", "certificate") == "file"
    assert "instrument_id" in doc["entities"]["EquipmentCalibration"]["fields"]


def test_whether_questions_become_yes_no_fields() -> None:
    doc = _app("Film festival submissions: filmmakers submit a film with title, runtime and "
               "whether it contains strong language, nudity or violence. Programmers review "
               "each film; a film is selected or declined.")
    films = [n for n, e in doc["entities"].items() if "nudity" in e["fields"]]
    assert films, "the questions are fields of the film"
    for field in ("strong_language", "nudity", "violence"):
        assert _type(doc, films[0], field) == "boolean"


def test_what_a_record_is_for_becomes_an_entity_it_points_at() -> None:
    doc = _app("Plumbers are sent to jobs: each job is for a property with an address and an "
               "access code. The dispatcher assigns a plumber; the plumber completes the job.")
    job = doc["entities"]["Job"]
    assert job["fields"]["property"] == {"type": "ref", "to": "Property"} or \
        job["fields"]["property"]["to"] == "Property"
    assert "workflow" in job and "workflow" not in doc["entities"]["Property"]


def test_work_without_steps_still_has_a_lifecycle_but_a_register_has_none() -> None:
    doc = _app("Volunteers log beach clean-ups with the beach, the date and the bags of litter "
               "collected; coordinators look at them every month.")
    main = _main(doc)
    assert _states(doc, main) == ["new", "in_progress", "done"]
    register = _app("Keep a list of the artworks in our offices with artist, year, room and "
                    "insured value.")
    assert all("workflow" not in e for e in register["entities"].values())


def test_every_record_joins_the_main_records_web() -> None:
    doc = _app("City permits office. Builders apply for a building permit with plans and the "
               "estimated cost; a plan reviewer approves it and inspectors record inspections "
               "of the work.")
    links: dict[str, set[str]] = {name: set() for name in doc["entities"]}
    for name, entity in doc["entities"].items():
        for spec in entity["fields"].values():
            target = spec.get("to") if isinstance(spec, dict) else None
            if target in links:
                links[name].add(target)
                links[target].add(name)
    seen, todo = set(), [next(iter(doc["entities"]))]
    while todo:
        current = todo.pop()
        seen.add(current)
        todo.extend(links[current] - seen)
    assert seen == set(doc["entities"])


def test_adverbs_abstract_nouns_and_verbs_are_not_records() -> None:
    doc = _app("Students apply online for bursaries with their household income; staff screen "
               "each application for eligibility and the panel picks the winners.")
    for junk in ("Online", "Eligibility", "Screen"):
        assert junk not in doc["entities"]


def test_an_approval_named_as_a_noun_is_a_step_of_that_role() -> None:
    doc = _app("Marketing asset requests: any employee can request a design asset with a brief "
               "and a deadline. Each request needs approval from the brand manager, then the "
               "requester signs off the final version.")
    main = _main(doc)
    moves = doc["entities"][main]["workflow"]["transitions"]
    assert moves["approve"]["roles"] == ["brand_manager"]
    assert "Need" not in doc["entities"]


def test_a_blueprints_record_takes_the_one_name_the_prompt_gives_it() -> None:
    doc = _app("Staff book a parking space for a day; facilities keep the list of spaces "
               "(car park, level, has a charger) and confirm bookings.")
    assert "ParkingSpace" in doc["entities"] and "Resource" not in doc["entities"]
    assert _type(doc, "Booking", "parking_space") == "ref"


def test_what_people_book_commission_or_match_is_kept_as_a_record() -> None:
    doc = _app("Coaches book our tennis and squash courts by the hour; the front desk confirms "
               "and the groundsman can close a court after rain.")
    assert {"Booking", "Court"} <= set(doc["entities"])
    assert "Tennis" not in doc["entities"]
    doc = _app("The picture desk commissions photographers for shoots: brief, date, day rate. "
               "The photographer accepts and delivers the images; the picture editor approves "
               "payment.")
    assert "Commission" in doc["entities"]


def test_people_whose_details_are_kept_are_records_as_well_as_roles() -> None:
    doc = _app("Interpreters accept bookings from hospital wards and the bookings team confirms "
               "them. We also keep each interpreter's languages and bank details.")
    assert "Interpreter" in doc["entities"] and "interpreter" in doc["roles"]


def test_named_authorities_are_roles_and_public_bodies_are_not() -> None:
    doc = _app("Hot work permits: the performing authority requests a permit for a job, the "
               "area authority approves it, and we notify the local authority of big jobs.")
    assert {"performing_authority", "area_authority"} <= set(doc["roles"])
    assert "local_authority" not in doc["roles"]


def test_an_office_names_what_it_handles_when_nothing_else_does() -> None:
    doc = _app("University placement office. Students find a year-long placement with an "
               "employer and we approve it before they start.")
    assert "Placement" in doc["entities"]


def test_a_blueprint_none_of_whose_records_the_prompt_speaks_of_is_not_used() -> None:
    _, assumptions, _ = generate("University placement office. Students find a year-long "
                                 "placement; we check the employer's insurance first.")
    assert not any("`insurance` blueprint" in a for a in assumptions), assumptions


def test_a_check_or_review_people_carry_out_is_a_record() -> None:
    doc = _app("HR runs the annual salary review: managers propose a raise for each employee, "
               "the director approves and payroll applies it.")
    assert "SalaryReview" in doc["entities"]


def test_a_record_named_like_an_engine_entity_gets_a_name_of_its_own() -> None:
    doc = _app("Internal audit: auditors plan each audit, record findings, and managers agree "
               "actions.")
    assert "Audit" not in doc["entities"]
    assert "AuditRecord" in doc["entities"] or "AuditFinding" in doc["entities"]


def test_a_word_the_lists_call_a_verb_is_a_record_where_the_prompt_uses_it_as_one() -> None:
    doc = _app("We hire out scaffolding to builders. Each hire has the site address, start "
               "date, weeks and a weekly rate; the driver delivers it and collects it at the end.")
    assert "Hire" in doc["entities"]
    assert _type(doc, "Hire", "weeks") == "integer"
    assert not any("Started from the `invoices`" in a for a in generate(
        "Each hire has a start date; the driver delivers it and the accounts team "
        "invoices weekly.")[1])


def test_lines_worked_through_one_by_one_are_a_child_with_the_fields_in_brackets() -> None:
    doc = _app("Pick lists for our DC. A supervisor batches orders into pick lists and assigns "
               "a picker. The picker works through each line (bin location, SKU, qty to pick, "
               "qty picked).")
    assert "PickList" in doc["entities"]
    line = next(n for n, e in doc["entities"].items() if "bin_location" in e["fields"])
    assert _type(doc, line, "pick_list") == "ref"
    assert _type(doc, line, "quantity_picked") == "integer"
    assert "assigned" in _states(doc, "PickList")


def test_things_signed_out_are_loans_and_a_relative_clause_names_no_record() -> None:
    doc = _app("Key control: staff sign keys out and back in; security sees who has which key.")
    assert {"Loan", "Key"} <= set(doc["entities"])
    assert _type(doc, "Loan", "key") == "ref"
    doc = _app("Trainee doctors log procedures they performed with date, procedure type and the "
               "supervising consultant, who countersigns each entry.")
    assert "Performed" not in doc["entities"]


def test_a_prompt_that_opens_with_what_it_keeps_is_about_that_record() -> None:
    doc, assumptions, _ = generate(
        "Manage sponsorship deals for our football club: sponsor, value, start season, "
        "contact. The commercial manager negotiates and finance raises invoices per instalment.")
    assert "SponsorshipDeal" in doc["entities"]
    assert not any("Started from the `invoices`" in a for a in assumptions), assumptions


def test_a_sheet_a_record_is_written_on_names_the_record_not_its_columns() -> None:
    doc = _app("So every time an engineer goes out to a customer site we need a job sheet: "
               "arrival time, departure time, parts used. Office staff invoice from it.")
    assert "JobSheet" in doc["entities"]
    doc = _app("Columns: supplier, PO number, qty ordered, qty received, received by. Goods-in "
               "staff fill it in when a delivery arrives.")
    assert "Column" not in doc["entities"] and "Delivery" in doc["entities"]



def test_a_compound_whose_last_word_is_also_a_verb_names_a_record() -> None:
    assert ("personal tax return", 32) in extract(
        "Our accountancy practice tracks personal tax returns and the fees.").entities
    assert any(p == "price change request" for p, _ in extract(
        "Category managers put in price change requests for products.").entities)


def test_a_verb_after_an_article_opens_a_compound_and_a_pronoun_object_ends_the_list() -> None:
    assert any(p == "return authorisation" for p, _ in extract(
        "A dealer opens a return authorisation for a product serial number.").entities)
    found = _records("The repair centre inspects them and either repairs, "
                     "replaces or refunds.")
    assert "replace" not in found and "repair" not in found


def test_an_acronym_the_prompt_spells_out_names_one_record_in_words() -> None:
    doc = _app("Our events team confirms weddings and dinners with BEOs (banquet event orders). "
               "Each BEO has the client, event date, guaranteed numbers and the deposit. The "
               "sales coordinator drafts it and the client confirms it.")
    assert "BanquetEventOrder" in doc["entities"]
    assert "Beo" not in doc["entities"] and "Has" not in doc["entities"]
    assert _type(doc, "BanquetEventOrder", "guaranteed_numbers") == "integer"


def test_an_acronyms_plural_names_one_record() -> None:
    doc = _app("Our site team logs KPIs every week: the KPI name, target and actual value; the "
               "operations manager reviews them.")
    assert "Kpi" in doc["entities"] and "Kpis" not in doc["entities"]


def test_states_listed_after_goes_or_arrows_are_the_workflow_and_a_trailing_clause_is_not() -> None:
    doc = _app("Boiler servicing for our housing stock. A service goes booked, attended, "
               "certificate issued, or no access if the tenant is out.")
    assert "Product" not in doc["entities"]  # "stock" does not make it an inventory app
    assert _states(doc, "Service") == ["booked", "attended", "certificate_issued", "no_access"]
    assert extract("Track IT tickets. A ticket goes new -> triaged -> fixed -> closed.") \
        .states == ["new", "triaged", "fixed", "closed"]


def test_a_record_is_named_by_how_it_starts_what_it_records_or_what_is_done_to_it() -> None:
    doc = _app("Our gym runs member freezes. A freeze starts as a request from the member with "
               "the reason and dates; the front desk checks it and the club manager approves.")
    assert "Freeze" in doc["entities"]
    assert "reason" in doc["entities"]["Freeze"]["fields"]
    found = _records("Wholesale customers phone in. The standing order is "
                     "confirmed by sales and dispatched weekly.")
    assert "standing order" in found


def test_a_roles_name_after_an_article_describes_the_record_it_comes_before() -> None:
    doc = _app("The compliance team issues a compliance hold on an account; the account "
               "manager must acknowledge it. A hold records the reason and the date lifted.")
    assert "ComplianceHold" in doc["entities"]
    assert {"reason", "date_lifted"} <= set(doc["entities"]["ComplianceHold"]["fields"])
    assert "compliance" in doc["roles"]


def test_a_spreadsheets_first_column_names_what_each_row_is() -> None:
    doc = _app("We keep returnable crates in a spreadsheet: crate number, customer, date out, "
               "date back, condition. Drivers collect them and the yard manager writes off lost "
               "ones.")
    crate = next(e for n, e in doc["entities"].items() if n.endswith("Crate"))
    assert {"crate_number", "date_out", "date_back"} <= set(crate["fields"])
    found = _records("Parcels are in a sheet at the moment, columns are parcel id, "
                     "sender, weight, zone.")
    assert found[0] == "parcel"


def test_an_adverb_never_ends_a_records_name() -> None:
    found = _records("We record when the vessel actually arrives and when the "
                     "pilot usually boards.")
    assert not any(p.endswith(("actually", "usually")) for p in found)


def test_a_title_that_opens_with_its_period_names_the_record_after_it() -> None:
    found = _records("Quarter-end intercompany balance confirmations. For each "
                     "counterparty the accountant records the balance.")
    assert found[0] == "intercompany balance confirmation"


def test_another_kind_of_a_blueprints_compound_record_keeps_the_prompts_name() -> None:
    doc = _app("Store managers put in rota change requests with the week, the shift and the "
               "reason; the area manager approves or rejects them.")
    assert "RotaChangeRequest" in doc["entities"] and "ChangeRequest" not in doc["entities"]
    assert {"week", "shift", "reason"} <= set(doc["entities"]["RotaChangeRequest"]["fields"])


def test_a_bare_request_is_the_blueprints_record_and_picks_no_blueprint_it_is_an_alias_of(
) -> None:
    doc = _app("No new chemical may come on site without approval. Whoever needs one raises a "
               "request with the product name, the supplier and the maximum quantity; "
               "maintenance and the site manager review it.")
    assert not {"WorkOrder", "Equipment", "Request"} & set(doc["entities"])
    main = doc["entities"][_main(doc)]["fields"]
    assert {"product_name", "supplier", "maximum_quantity"} <= set(main)
    assert "parts_cost" not in main  # no fields of a maintenance job either


def test_quantities_ordinals_participles_and_manner_words_are_not_records() -> None:
    found = _records(
        "We manage around 300 franchise agreements on an RPI-linked or turnover-based fee. "
        "Franchisees report premises being refurbished; the first audit is free and a "
        "disabled access review is logged.")
    assert not {"around", "rpi-linked", "turnover-based", "first", "disabled"} & set(found)
    assert not any("being" in p.split() for p in found)


def test_a_department_that_acts_is_a_role_with_its_step() -> None:
    doc = _app("Staff submit overtime claims with the date and hours; their manager checks them "
               "and payroll pays them.")
    assert "payroll" in doc["roles"]
    moves = doc["entities"]["OvertimeClaim"]["workflow"]["transitions"]
    assert moves["pay"]["roles"] == ["payroll"]


def test_the_prompts_own_number_and_date_replace_a_new_records_stand_in_name_and_date() -> None:
    doc = _app("We keep returnable crates in a spreadsheet: crate number, customer, date out, "
               "date back, condition. Drivers collect them and the yard manager writes off lost "
               "ones.")
    crate = next(e for n, e in doc["entities"].items() if n.endswith("Crate"))
    assert "name" not in crate["fields"]  # nobody has to invent a name for a crate
    assert crate["display"] == "crate_number"


def test_clauses_in_a_list_of_fields_are_not_fields() -> None:
    fields = [f for f, _, _ in extract(
        "Each job has a customer, a job number, the paper stock, quantity and due date; the "
        "customer approves it or asks for changes, and production prints it. Inspectors "
        "schedule and record inspections (pass/fail); each visit has the site and late "
        "arrivals, and whether the alarm had no fault.").fields]
    assert {"job_number", "due_date"} <= set(fields)
    assert any(f.startswith("late_arrival") for f in fields)
    assert not {"production_prints", "record_inspections", "and_late_arrivals"} & set(fields)
    assert not any(f.startswith("alarm_had") for f in fields)



def test_a_verb_and_its_object_in_a_prose_list_is_not_a_field() -> None:
    fields = [f for f, _, _ in extract(
        "Keyholder visits: when an alarm goes off, the control room dispatches a keyholder who "
        "attends, checks the premises and files a visit report with arrival time and "
        "findings.").fields]
    assert "arrival_time" in fields and "checks_premises" not in fields


def test_a_team_written_as_its_initials_is_a_role_when_it_acts() -> None:
    doc = _app("Staff raise a chemical request with the product name and the supplier. EHS "
               "reviews it and the site manager approves it. The RFI register and the SDS "
               "process stay as they are.")
    assert {"ehs", "site_manager"} <= set(doc["roles"])
    assert not {"rfi", "sds"} & set(doc["roles"])
    moves = doc["entities"][_main(doc)]["workflow"]
    assert moves["transitions"]["review"]["roles"] == ["ehs"]


def test_a_yes_or_no_and_a_go_ahead_are_decisions() -> None:
    doc = _app("Staff raise a chemical request with the product name and the supplier. EHS "
               "reviews it and the site manager gives the final yes or no.")
    moves = doc["entities"][_main(doc)]["workflow"]["transitions"]
    assert moves["approve"]["roles"] == ["site_manager"]
    assert "site_manager" in moves["reject"]["roles"]
    verbs = [a.verb for a in extract("Engineers propose a trial; the plant manager gives the "
                                     "go-ahead.").actions]
    assert "approve" in verbs


def test_installing_quarantining_revoking_and_countersigning_are_steps() -> None:
    doc = _app("Track gas meter jobs. Engineers install each meter and QA tests it; the team "
               "leader countersigns the job sheet, and billing starts from the install date.")
    states = _states(doc, _main(doc))
    assert {"installed", "countersigned"} <= set(states)
    assert "billed" not in states  # "billing starts" opens a new clause
    verbs = {a.verb for a in extract("Inspectors quarantine failed parts and the licensing "
                                     "officer revokes the licence.").actions}
    assert {"quarantine", "revoke"} <= verbs


def test_a_blueprints_record_renamed_to_the_prompts_takes_the_prompts_fields() -> None:
    doc = _app("Spreadsheet of our fleet's tyre changes - columns: date, vehicle reg, axle "
               "position, tyre brand, tread depth mm, reason (wear/puncture/damage), fitted by, "
               "cost. Workshop supervisor reviews weekly.")
    change = doc["entities"]["TyreChange"]["fields"]
    assert {"date", "cost", "axle_position", "tyre_brand", "fitted_by"} <= set(change)
    assert not {"trip_date", "fuel_cost", "start_km"} & set(change)  # not a trip's fields


def test_a_thing_described_by_its_fields_in_brackets_is_a_record_of_its_own() -> None:
    doc = _app("Volunteer drivers claim mileage. Each claim lists journeys (date, from, to, "
               "miles, passenger initials); the coordinator checks them and finance pays them.")
    journey = doc["entities"]["Journey"]["fields"]
    assert {"date", "miles"} <= set(journey) and journey["claim"]["to"] == "Claim"
    assert "miles" not in doc["entities"]["Claim"]["fields"]
    doc = _app("Harbour office. Each call has the vessel (name, IMO number, flag, gross "
               "tonnage), the ETA, the berth and the agent's email.")
    vessel = next(e for n, e in doc["entities"].items() if n == "Vessel")["fields"]
    assert {"imo_number", "gross_tonnage"} <= set(vessel)
    call = next(e for n, e in doc["entities"].items() if n != "Vessel")["fields"]
    assert "eta" in call and "imo_number" not in call  # fields after the brackets go back


def test_what_someone_fills_in_is_fields_and_numbers_are_not_part_of_a_name() -> None:
    doc = _app("Capex requests over 10k need approval: the requester fills in the asset "
               "description, cost, budget line and business case; the finance business partner "
               "reviews, then the CFO approves anything above 100k.")
    assert "AssetDescription" not in doc["entities"]
    main = doc["entities"][_main(doc)]["fields"]
    assert {"asset_description", "business_case"} <= set(main)
    found = _records("Every batch keeps two retained bottles, logged with the "
                     "batch number.")
    assert "retained bottle" in found and not any(p.startswith("two") for p in found)


def test_where_and_when_in_a_list_of_fields_are_a_location_and_a_time() -> None:
    fields = {f: spec for f, spec, _ in extract(
        "Stewards log items found (description, where, when, photo); fans claim them.").fields}
    assert fields["location"]["type"] == "string"
    assert fields["date_time"]["type"] == "datetime"


def test_who_did_it_in_a_list_of_fields_is_the_person_who_did_it() -> None:
    fields = {f: spec for f, spec, _ in extract(
        "Warehouse damages log - who found it, SKU, qty, damage type (crushed, wet, torn), "
        "photo.").fields}
    assert fields["found_by"] == {"type": "ref", "to": "User"}


def test_an_ampersand_team_a_review_without_article_and_a_hyphenated_adjective() -> None:
    doc = _app("Can you build me something to manage our apprentices? Each apprentice has a "
               "training provider, a standard, start date, end date and a mentor. Mentors do "
               "monthly progress reviews and the L&D team tracks off-the-job hours.")
    assert "ProgressReview" in doc["entities"] and "OffTheJob" not in doc["entities"]
    assert "ld_team" in doc["roles"] and "d" not in doc["roles"]


def test_a_pronoun_and_a_next_step_are_not_the_outcomes_of_a_decision() -> None:
    doc = _app("Site managers report near misses with a photo and location; the HSE advisor "
               "classifies them (low/medium/high) and assigns actions with owners and due dates "
               "until they are closed.")
    states = _states(doc, "NearMiss")
    assert "them" not in states and "assigns_actions" not in states


def test_a_partys_possession_makes_the_party_a_record_of_its_own() -> None:
    doc = _app("Boat storage for our marina. The yard clerk records the customer's boat "
               "(name, length, hull number) and the berth; the yard manager approves each "
               "winter storage booking.")
    assert "Customer" in doc["entities"]
    refs = {spec["to"] for e in doc["entities"].values() for spec in e["fields"].values()
            if isinstance(spec, dict) and spec.get("type") == "ref"}
    assert "Customer" in refs  # linked into the app, not left on its own


def test_a_blueprint_matched_only_by_a_listed_column_does_not_take_the_app() -> None:
    doc = _app("Crane pre-start checks are done on paper at the moment. Every morning the "
               "operator checks the crane: crane number, date, hour meter reading, and pass or "
               "fail for hooks, ropes and limit switches. A failure takes the crane out of use "
               "until the fitter repairs it.")
    assert "MeterReading" not in doc["entities"]  # the hour meter is a column of the check
    assert _main(doc).endswith("Check")


def test_a_prompt_opening_with_how_its_records_are_kept_names_them() -> None:
    doc = _app("Our software licences are tracked in a spreadsheet: product, vendor, number of "
               "seats, renewal date, annual cost. IT renews each one before it expires.")
    assert _main(doc) == "SoftwareLicence"
    assert extract("group bookings (ten rooms or more) live in a spreadsheet in the sales "
                   "office: group name, organiser, arrival date.").entities[0] == (
        "group booking", 0)
    assert {"vendor", "renewal_date", "annual_cost"} <= set(
        doc["entities"]["SoftwareLicence"]["fields"])


def test_recording_every_one_of_a_thing_makes_it_a_record() -> None:
    doc = _app("The line leader records every unplanned stoppage on the packing line: start "
               "and end time, cause, and what was done. The production manager reviews them.")
    assert _main(doc) == "UnplannedStoppage"
    assert {"start_time", "end_time", "cause"} <= set(
        doc["entities"]["UnplannedStoppage"]["fields"])
    # "checks the records every week" says when, not what
    assert extract("the head chef records every week whether the fridges were cleaned.")\
        .entities == []


def test_how_a_record_is_sent_is_not_part_of_its_name() -> None:
    intent = extract("tenants can also submit their gas reading online and the officer checks it.")
    assert [p for p, _ in intent.entities] == ["gas reading"]


def test_the_customers_a_process_serves_are_a_record_the_main_one_points_at() -> None:
    doc = _app("Our installers record every window fitting for our customers: address, number "
               "of windows, fitting date. The surveyor signs off each fitting.")
    fitting = doc["entities"]["WindowFitting"]["fields"]
    assert fitting["customer"] == {"type": "ref", "to": "Customer"} or \
        fitting["customer"]["to"] == "Customer"
    assert "email" in doc["entities"]["Customer"]["fields"]
    assert "customer" not in doc["roles"]  # nobody said they sign in: least privilege


def test_a_title_names_its_record_before_a_comma_and_without_its_process_word() -> None:
    intent = extract("commercial lease renewals, mostly for retail tenants. the surveyor "
                     "negotiates the new rent and the landlord approves it.")
    assert intent.entities[0] == ("commercial lease renewal", 0)
    intent = extract("formal grievance procedure. an employee raises a grievance, hr "
                     "investigates, and a panel decides the outcome.")
    assert [p for p, _ in intent.entities] == ["grievance"]


def test_a_team_named_for_its_work_keeps_team_in_its_role_name() -> None:
    # "the bereavement team" is a team, not "bereavement"; a department stays its own name
    assert [role_name(p) for p in ("bereavement team", "pricing team", "finance team",
                                   "hr team")] == ["bereavement_team", "pricing_team",
                                                   "finance", "hr"]


def test_statuses_listed_after_a_colon_are_the_workflow() -> None:
    intent = extract("the desk logs each call. statuses we use on the board today: waiting, "
                     "with engineer, parts ordered, fixed.")
    assert intent.states == ["waiting", "with_engineer", "parts_ordered", "fixed"]


def test_words_that_introduce_a_list_are_not_its_fields() -> None:
    fields = [f for f, _, _ in extract("the log has these columns: date, site, hazard, why, "
                                       "how.").fields]
    assert fields == ["date", "site", "hazard", "reason"]  # "why" is the reason


def test_what_is_written_is_a_record_unless_it_is_text() -> None:
    intent = extract("the surveyor writes an estimate of repair for each container and writes "
                     "inspection notes.")
    assert [p for p, _ in intent.entities] == ["estimate", "container"]


def test_details_kept_for_each_person_make_them_a_record() -> None:
    assert _records("we keep emergency contact details for each volunteer.") == ["volunteer"]


def test_counts_periods_copies_and_adverbs_are_not_records() -> None:
    for text in ("the clerk records how many hours it took. each quarter the tenant is billed.",
                 "items are due back in 3 weeks. the visitor asks for a copy of the letter.",
                 "callouts are charged at a fee per attendance plus an hourly rate.",
                 "customers keep e-mailing our documentation team to correct the bill."):
        intent = extract(text)
        assert intent.entities == [] and intent.children == [], text


def test_what_others_send_in_is_the_record_when_nothing_else_is_named() -> None:
    intent = extract("parish councils send us their grass-cutting complaints and our grounds "
                     "team visits the site within a week.")
    assert [p for p, _ in intent.entities] == ["grass-cutting complaint"]


def test_steps_after_a_verb_the_lists_do_not_know_are_still_read() -> None:
    intent = extract("the manager meets them then approves or refuses it.")
    assert [(a.role, a.verb) for a in intent.actions] == [
        ("manager", "approve"), ("manager", "refuse")]
    assert extract("the manager meets clients often.").actions == []


def test_a_place_the_prompt_speaks_of_again_and_again_is_a_record() -> None:
    doc = _app("Drivers record every fuel top-up: litres, cost, mileage and the depot. The "
               "transport manager compares fuel use by depot every month and flags any depot "
               "over budget.")
    assert doc["entities"]["FuelTopUp"]["fields"]["depot"]["to"] == "Depot"
    assert "address" in doc["entities"]["Depot"]["fields"]
    # said once: a column, not a record
    doc = _app("Drivers record every fuel top-up: litres, cost, mileage and the depot. The "
               "transport manager compares fuel use every month.")
    assert "Depot" not in doc["entities"]


def test_a_question_word_before_a_role_is_not_part_of_its_name() -> None:
    roles = extract("the dispatcher decides which officer attends and the duty manager signs "
                    "it off.").roles
    assert roles == ["dispatcher", "duty_manager"]


def test_a_thing_that_is_instructed_booked_or_scheduled_is_a_record() -> None:
    intent = extract("underwriters check affordability. a valuation is instructed with a "
                     "panel valuer and the survey is scheduled straight away.")
    assert [p for p, _ in intent.entities] == ["valuation", "survey"]


def test_the_kind_of_record_said_most_leads_when_nothing_else_is_named() -> None:
    intent = extract("branches pass high-value payments to the operations desk on behalf of "
                     "customers. an operator keys each payment and a second person authorises "
                     "the payment before it leaves.")
    assert [p for p, _ in intent.entities] == ["payment"]
    # said once or twice: not enough to lead
    assert extract("branches pass high-value payments to the operations desk. an operator "
                   "keys each one.").entities == []


def test_a_blueprint_without_the_record_the_prompt_opens_with_gives_way() -> None:
    doc, assumptions, _ = generate(
        "The research office handles data sharing agreements. A researcher fills in a request "
        "giving the dataset and the partner organisation; the data protection officer reviews "
        "the terms and an authorised signatory signs the agreement.")
    # "authorised signatory" belongs to a blueprint of airside passes: not this app
    assert not any("airside_passes` blueprint" in a for a in assumptions
                   if a.startswith("Started"))
    assert _main(doc) == "DataSharingAgreement"  # data, not datum


def test_statuses_after_a_colon_are_the_workflow_with_multi_word_states_kept_whole() -> None:
    doc = _app("Track overtime claims for our warehouse staff. Statuses: draft, shift lead "
               "review, finance check, approved, rejected, sent to payroll.")
    assert _states(doc, "OvertimeClaim") == ["draft", "shift_lead_review", "finance_check",
                                             "approved", "rejected", "sent_to_payroll"]


def test_stages_told_from_one_to_the_next_are_still_split() -> None:
    assert extract("deals move through stages from lead to qualified, proposal, "
                   "negotiation, then won or lost.").states == [
        "lead", "qualified", "proposal", "negotiation", "won", "lost"]


def test_a_word_ending_like_a_decision_verb_is_no_decision() -> None:
    doc = _app("Warranty returns for our appliance shop. The service desk checks what's "
               "covered under the house rules (wear and tear is not) and forwards it to the "
               "maker.")
    assert not {"s", "forwards"} & set(_states(doc, _main(doc)))


def test_a_title_of_forms_names_what_the_forms_hold() -> None:
    doc = _app("Shift swap forms. A nurse proposes a shift swap with a colleague: both dates, "
               "the ward and the reason. The ward manager approves or rejects it.")
    assert _main(doc) == "ShiftSwap" and "ShiftSwapForm" not in doc["entities"]


def test_a_hyphenated_self_assessment_is_a_record_with_its_whole_name() -> None:
    doc = _app("Everyone on the payroll has to complete a home-working self-assessment every "
               "year; the health and safety adviser follows up any problem.")
    assert "HomeWorkingSelfAssessment" in doc["entities"]


def test_records_kept_on_a_shared_sheet_are_named_by_the_sentence_that_says_so() -> None:
    doc = _app("Van swaps between our depots are on a shared sheet: swap no., van, from depot, "
               "to depot, date agreed. The receiving depot confirms the swap.")
    assert {"VanSwap", "Van", "Depot"} <= set(doc["entities"])


def test_a_heading_for_the_columns_is_no_record() -> None:
    doc = _app("Spill log for the tank farm. The shift lead records each spill and the "
               "environment officer closes it. Columns today: date, tank, product, volume, "
               "cause.")
    assert "ColumnToday" not in doc["entities"]
    assert {"tank", "volume", "cause"} <= set(doc["entities"]["Spill"]["fields"])


def test_everyday_verbs_and_pronouns_never_name_a_record() -> None:
    doc = _app("Every evening the bar manager does the till count: card takings, cash counted "
               "and the float. Head office checks it against what actually reaches the bank.")
    assert list(doc["entities"]) == ["TillCount"]
    doc = _app("Kennel bookings. Reception records what the owner wants: a standard kennel or a "
               "heated kennel, the dates and any medication. Everything starts with a deposit.")
    assert not {"Want", "EverythingStart"} & set(doc["entities"])


def test_the_request_raised_after_the_title_is_the_titles_record() -> None:
    doc = _app("Cylinder refills. A ward clerk raises the request: ward, cylinder size, number "
               "of cylinders, needed by. The porters deliver them.")
    assert "Request" not in doc["entities"]
    assert {"cylinder_size", "number_of_cylinders", "needed_by"} <= set(
        doc["entities"]["CylinderRefill"]["fields"])


def test_a_list_of_fields_after_we_need_is_read_without_a_cue_word() -> None:
    doc = _app("Crane lift requests. For each lift we need the site, the load description, its "
               "weight, length and height, the planned date and the crane used. The appointed "
               "person approves or rejects the request.")
    main = _main(doc)
    assert {"weight", "length", "height", "planned_date"} <= set(doc["entities"][main]["fields"])
    assert {_type(doc, main, f) for f in ("weight", "length", "height")} == {"decimal"}


def test_a_list_cut_short_by_a_clause_keeps_its_items_and_drops_the_clause() -> None:
    doc = _app("Toner requests. On each request we need the printer, the toner colour, the "
               "quantity and the cost centre, and the office manager approves each request.")
    fields = set(doc["entities"][_main(doc)]["fields"])
    assert {"toner_colour", "quantity", "cost_centre"} <= fields
    assert not {f for f in fields if "approve" in f or "manager" in f}


def test_lists_of_values_steps_or_roles_are_not_read_as_fields() -> None:
    doc = _app("Hot desk bookings. Staff book a desk for a date, morning, afternoon or all day. "
               "Facilities, HR and IT can see every booking.")
    fields = {f for e in doc["entities"].values() for f in e["fields"]}
    assert not {"morning", "afternoon", "all_day", "facility", "hr", "it"} & fields
    doc = _app("Van hire requests. The coordinator checks the driver is eligible, assigns a "
               "van and a fuel card, and marks the hire done.")
    assert _main(doc) == "VanHireRequest"
    fields = {f for e in doc["entities"].values() for f in e["fields"]}
    assert not {f for f in fields if "eligible" in f or "assign" in f or "mark" in f}


def test_personal_identifiers_and_possessives_in_a_list_are_named_and_protected() -> None:
    doc = _app("Register residents parking permit applications. We need the resident's name, "
               "date of birth, national insurance number and home address. The parking "
               "officer approves or rejects each application.")
    fields = {f: spec for e in doc["entities"].values() for f, spec in e["fields"].items()}
    assert {"date_of_birth", "national_insurance_number", "home_address"} <= set(fields)
    assert not {f for f in fields if f.endswith("_s_name")}
    assert all(fields[f].get("pii") for f in ("date_of_birth", "national_insurance_number"))


def test_a_verb_inside_a_records_name_is_a_noun() -> None:
    assert _records("Log postal vote applications.") == ["postal vote application"]
    assert _records("Van hire requests. A coordinator approves them.") == ["van hire request"]
    assert "team register player" not in [
        p for p, _ in extract("Teams register players for the league.").entities]


def test_the_record_done_with_a_list_of_what_it_holds_is_named() -> None:
    doc = _app("Each evening the duty manager of every leisure centre does the till reconcile: "
               "card takings, cash counted, the float and refunds. Finance checks each till "
               "reconcile the next morning.")
    assert "TillReconcile" in doc["entities"]
    assert {"card_takings", "float"} <= set(doc["entities"]["TillReconcile"]["fields"])


def test_records_handled_on_paper_are_named_anywhere_in_the_prompt() -> None:
    found = extract("We run three cold stores and probe failures are handled on paper forms "
                    "and e-mails. The shift lead logs each one.").entities
    assert [p for p, _ in found][:1] == ["probe failure"]
    found = extract("Route changes for our bus network are still tracked in a spreadsheet. "
                    "The planner proposes each change.").entities
    assert [p for p, _ in found][:1] == ["route change"]


def test_a_record_of_another_kind_does_not_lead_to_a_blueprint_sharing_its_last_word() -> None:
    # a tax return is not a retail return
    doc = _app("Personal tax returns for our private clients. Each tax return is prepared by a "
               "preparer and checked by a reviewer; the client approves it and we file it.")
    assert _main(doc) == "PersonalTaxReturn"
    assert not {"Return", "TaxReturn", "ReturnLine"} & set(doc["entities"])


def test_we_deciding_is_the_staff_role_when_no_one_else_decides() -> None:
    doc = _app("Allotment plot applications. A resident applies for a plot (name, address, "
               "plot size wanted); we approve or reject each application and tell them.")
    workflow = doc["entities"][_main(doc)]["workflow"]
    assert {"approved", "rejected"} <= set(workflow["states"])
    assert workflow["transitions"]["approve"]["roles"] == ["manager"]
    assert "resident" not in workflow["transitions"]["approve"]["roles"]
    # a named decider keeps the decision; "we" only fills the gap
    doc = _app("Allotment plot applications. A resident applies for a plot; the allotments "
               "officer approves or rejects it and we tell them.")
    roles = doc["entities"][_main(doc)]["workflow"]["transitions"]["approve"]["roles"]
    assert roles == ["allotments_officer"]


def test_role_names_keep_two_words_before_the_title() -> None:
    found = extract("Abnormal load movements. The heavy haulage manager plans each movement; "
                    "a revenue protection inspector checks it.").roles
    assert {"heavy_haulage_manager", "revenue_protection_inspector"} <= set(found)
    # a hyphenated or place word before is not part of the role
    found = extract("Security incidents. The on-call SOC analyst triages each alert and the "
                    "local port agent confirms shore passes.").roles
    assert {"soc_analyst", "port_agent"} <= set(found)
    assert not {"call_soc_analyst", "local_port_agent"} & set(found)


def test_a_role_said_in_short_later_is_the_same_role() -> None:
    found = extract("Misconduct cases. A marker refers the case to the academic integrity "
                    "officer. The integrity officer interviews the student.").roles
    assert "academic_integrity_officer" in found
    assert "integrity_officer" not in found


def test_blueprint_records_the_prompt_never_speaks_of_are_left_out() -> None:
    doc = _app("Buyers raise purchase orders; a budget holder approves them and the warehouse "
               "receives the goods.")
    assert list(doc["entities"]) == ["PurchaseOrder"]
    assert "supplier" not in doc["entities"]["PurchaseOrder"]["fields"]
    doc = _app("Buyers raise purchase orders from suppliers; a budget holder approves them.")
    assert "Supplier" in doc["entities"]
    # the blueprint's own record keeps its line items when the prompt tells of them
    doc = _app("Employees submit expense claims; a manager approves and finance pays.")
    assert set(doc["entities"]) == {"ExpenseClaim"}
    doc = _app("Employees submit expense claims with several lines; a manager approves and "
               "finance pays.")
    assert set(doc["entities"]) == {"ExpenseClaim", "ExpenseLine"}
    doc = _app("Stock transfers between our stores: transfer number, from store, to store, "
               "SKU, qty sent and qty received.")
    assert "TransferLine" in doc["entities"]


def test_values_in_dashes_or_with_numbers_are_not_fields() -> None:
    found = [f for f, _, _ in extract(
        "Vulnerability findings come from scanners. Security triages each finding and sets a "
        "severity - critical, high, medium or low - which drives the remediation deadline "
        "(critical 7 days, high 30, medium 90, low 180).").fields]
    assert not {"critical", "high", "critical_7_days", "high_30"} & set(found)


def test_a_verb_after_what_is_triaged_is_no_outcome() -> None:
    intent = extract("Security triages each finding and sets a severity; the team fixes it.")
    assert intent.outcomes == []


def test_has_to_is_an_obligation_not_a_list_of_fields() -> None:
    found = [f for f, _, _ in extract(
        "Teams raise a risk exception, which the CISO has to approve, with an expiry date and "
        "the compensating controls.").fields]
    assert "expiry_date" in found
    assert not [f for f in found if f.startswith(("with_", "to_"))]


def test_what_the_organisation_counts_is_a_register_the_record_points_at() -> None:
    doc = _app("Every night the closing manager in each of our 14 restaurants does the cash-up: "
               "total takings, card takings, cash counted, tips. Finance checks each cash-up.")
    assert "Restaurant" in doc["entities"]
    assert doc["entities"]["CashUp"]["fields"]["restaurant"]["to"] == "Restaurant"
    # the adjective goes, and the counted thing never leads
    doc = _app("We fully manage about 1,200 residential tenancies. When rent is late our credit "
               "controller opens an arrears case for the tenancy; the housing manager closes "
               "it.")
    assert _main(doc) == "ArrearsCase"
    assert "Tenancy" in doc["entities"]
    # units, periods and people are not registers
    found = _records("Over 30 minutes late, about 40 engineers and some 5 "
                     "metres of cable: each job is logged.")
    assert not {"minute", "engineer", "metre"} & set(found)


def test_who_did_it_in_a_list_is_a_field() -> None:
    found = [f for f, _, _ in extract(
        "Payment recalls: a customer tells us they sent a payment to the wrong account. We "
        "log who paid, amount, the beneficiary bank and the reason.").fields]
    assert found[:2] == ["paid_by", "amount"]


def test_which_thing_in_a_list_is_a_register_the_record_points_at() -> None:
    doc = _app("Leak reports for our water network. For each leak the inspector records which "
               "reservoir, the date, the estimated loss and a photo. The network manager closes "
               "each report.")
    assert set(doc["entities"]) == {"LeakReport", "Reservoir"}
    fields = doc["entities"]["LeakReport"]["fields"]
    assert fields["reservoir"] == {**fields["reservoir"], "type": "ref", "to": "Reservoir"}
    # the list is read to its end, not to the sixth word
    assert {"date", "estimated_loss", "photo"} <= set(fields)


def test_a_document_that_says_things_is_not_a_record_named_by_its_verb() -> None:
    found = _records("Staff raise a transfer request. The request says which "
                     "office, the start date and the reason.")
    assert "say" not in found
    assert "transfer request" in found


def test_examples_in_brackets_are_not_fields() -> None:
    found = {f for f, _, _ in extract(
        "Each incident has a cause (a loose cable, a blocked drain, that kind of thing), the "
        "sanction given (detention, isolation, suspension), the allergens (sesame, milk, "
        "egg...) and a billing cycle (weekly, fortnightly, monthly).").fields}
    assert not {"loose_cable", "detention", "isolation", "sesame", "milk", "weekly"} & found
    # a bracketed list with a date, a name or an amount is still the fields of a thing
    found = {f for f, _, _ in extract(
        "Each visit records the guest (name, date of birth, phone) and the room.").fields}
    assert {"name", "date_of_birth", "phone"} <= found


def test_counts_and_owners_after_with_are_not_fields() -> None:
    found = [f for f, _, _ in extract(
        "We are a moulder with about 300 moulds, some ours and some owned by customers. The "
        "supervisor gives it a priority.").fields]
    assert not [f for f in found if "300" in f or f in ("ours", "it_priority")]
    assert "priority" in found


def test_titles_without_an_agent_ending_are_roles() -> None:
    found = extract("The shift superintendent reviews each log. The lead ecologist drafts the "
                    "report and the stockman fills it in. A lifeguard tests each pool; the "
                    "matron authorises overtime.").roles
    assert {"shift_superintendent", "lead_ecologist", "stockman", "lifeguard",
            "matron"} <= set(found)
    # a possessive is not part of the title
    found = extract("The dealer's warranty administrator submits the claim.").roles
    assert "warranty_administrator" in found
    assert not [r for r in found if r.startswith("s_")]


def test_approves_or_sends_back_is_a_way_back_not_a_refusal() -> None:
    doc = _app("Every morning each site supervisor submits the daily site report. The "
               "construction manager in town reviews each report and either approves it or "
               "sends it back with questions.")
    states = _states(doc, _main(doc))
    assert {"approved", "returned"} <= set(states)
    assert "rejected" not in states
    transitions = doc["entities"][_main(doc)]["workflow"]["transitions"]
    assert all(t["roles"] == ["construction_manager"] for name, t in transitions.items()
               if t["to"] in ("approved", "returned"))


def test_a_list_with_numbers_and_dates_is_fields_whatever_the_verb() -> None:
    intent = extract("Fines come in by post. We log the notice number, issuing body, vehicle "
                     "reg, date and time, location of the offence, amount and payment deadline, "
                     "then match it to the driver.")
    found = [f for f, _, _ in intent.fields]
    assert {"notice_number", "vehicle_reg", "location_of_offence", "amount",
            "payment_deadline"} <= set(found)
    assert not {"notice", "vehicle"} & {p for p, _ in intent.entities}
    # a list of records stays records
    found = _records("We log complaints, incidents and near misses.")
    assert {"complaint", "incident", "near miss"} <= set(found)


def test_particles_and_questions_after_a_verb_are_not_records() -> None:
    found = _records(
        "The officer decides each appeal, then writes back to the passenger. We keep each "
        "date, result and whether it passed.")
    assert not {"back", "passed", "date"} & set(found)


def test_another_kind_of_the_blueprints_record_takes_the_prompts_name() -> None:
    doc = _app("We are a charity that rehomes dogs. Applicants submit an adoption application "
               "with their home details; a volunteer reviews it and the manager approves or "
               "declines it.")
    assert "AdoptionApplication" in doc["entities"]
    assert "GrantApplication" not in doc["entities"]


def test_headings_that_lead_with_what_they_are_get_its_type() -> None:
    doc = _app("Lost property log. Columns: date found, item, time of arrival, penalty points, "
               "meter reading, duration, estimated volume flared.")
    fields = doc["entities"][_main(doc)]["fields"]
    assert fields["date_found"]["type"] == "date"
    assert fields["time_of_arrival"]["type"] == "datetime"
    assert fields["penalty_points"]["type"] == "integer"
    assert fields["meter_reading"]["type"] == "decimal"
    assert fields["duration"]["type"] == "integer"
    assert fields["estimated_volume_flared"]["type"] == "decimal"


def test_which_one_is_not_part_of_a_records_name() -> None:
    found = _records("People fill an adoption application for a particular "
                     "animal; the team approves it.")
    assert "animal" in found
    assert "particular animal" not in found


def test_the_record_the_prompt_opens_with_keeps_its_name_over_a_generic_alias() -> None:
    doc = _app("Lift breakdown jobs for our lift maintenance company. The call handler logs the "
               "building, the lift and the fault; an engineer attends and fixes it, and the job "
               "is closed.")
    assert _main(doc) == "LiftBreakdownJob"
    # the blueprint's own name for it stays ("building problems" is a work order)
    doc = _app("Staff report building problems with the location and a photo. The coordinator "
               "assigns a technician, who closes the job.")
    assert _main(doc) == "WorkOrder"


def test_a_book_names_what_is_written_in_it_and_abbreviations_do_not_end_a_list() -> None:
    doc = _app("Cattle movement book for the farm, replacing the spreadsheet: ear tag no., breed, "
               "movement date, on or off, from holding, to holding, haulier and lorry reg. The "
               "stockman fills it in when animals move.")
    assert _main(doc) == "CattleMovement"
    assert "Booking" not in doc["entities"]
    fields = doc["entities"]["CattleMovement"]["fields"]
    assert {"ear_tag_number", "breed", "movement_date", "from_holding", "to_holding",
            "haulier", "lorry_reg"} <= set(fields)
    assert fields["direction"]["values"] == ["on", "off"]
    # "e.g." ends no sentence; "yes or no." is still the word
    found = [f for f, _, _ in extract("We log transfers: transfer no., store (e.g. Leeds), "
                                      "date received, weight, billable yes or no. They submit "
                                      "it.").fields]
    assert found[:4] == ["transfer_number", "store", "date_received", "weight"]
    assert not [f for f in found if "number" in f and f != "transfer_number"]
    # people still book things
    assert "booking" in _records("The team book rooms for a date.")
    # a register is where its records are written, not a registration
    doc = _app("Scaffold register for our sites. Each scaffold has a tag number, location and "
               "the erector; the supervisor inspects it every week and signs it off.")
    assert "Registration" not in doc["entities"]


def test_a_title_then_an_order_names_the_record() -> None:
    found = _records("Electoral services: log postal vote applications. We "
                     "check the signature and grant or reject it.")
    assert "postal vote application" in found
    # a heading's list after a colon is still fields
    found = _records("Columns: log date, file reference, amount. Staff enter "
                     "payments.")
    assert "log date" not in found


def test_a_party_in_the_columns_is_a_record_even_when_it_acts() -> None:
    doc = _app("Our practice tracks tax returns in a spreadsheet: client, tax year, preparer, "
               "fee, date filed. The preparer drafts it, the client approves it and we file it.")
    assert "Client" in doc["entities"]
    fields = doc["entities"][_main(doc)]["fields"]
    assert fields["client"] == {**fields["client"], "type": "ref", "to": "Client"}
    assert {"client", "customer"} & set(doc["roles"])  # and still a role


def test_a_role_before_a_plural_noun_opening_the_prompt_names_the_record() -> None:
    intent = extract("Customer reviews on our site have to be moderated before they show. A "
                     "moderator approves or rejects each one.")
    assert ("customer review", 0) in intent.entities
    assert not [a for a in intent.actions if a.role == "customer"]
    # a role's verb is still a step
    intent = extract("The customer reviews the quote and signs it.")
    assert [a.verb for a in intent.actions if a.role == "customer"][:1] == ["review"]


def test_a_check_before_another_step_is_a_wait_under_review_and_a_last_check_is_done() -> None:
    doc = _app("Staff submit pallet damage claims with photos. The claims officer checks each "
               "one, then the depot manager approves or rejects it.")
    states = _states(doc, _main(doc))
    assert "under_review" in states and "checked" not in states
    assert states.index("under_review") < states.index("approved")
    moves = doc["entities"][_main(doc)]["workflow"]["transitions"]
    assert moves["check"]["to"] == "under_review"
    doc = _app("Tills are cashed up at closing: the supervisor counts the float and records the "
               "takings, and the manager checks the cash-up the next morning.")
    assert "under_review" not in _states(doc, _main(doc))


def test_a_word_of_another_keyword_does_not_make_the_prompts_record_the_blueprints() -> None:
    # "group" is a word of the holiday blueprint only in "group tour": a group booking is
    # another kind of booking, under its own name
    doc = _app("Group bookings for our hotel: group name, organiser contact, departure date, "
               "room type, deposit and the rooming list. Sales send a contract; once it is "
               "signed the group is definite.")
    assert _main(doc) == "GroupBooking"
    assert "HolidayBooking" not in doc["entities"]


def test_what_a_team_keeps_a_sheet_of_is_the_record() -> None:
    found = _records("When one of our members dies the family tells us. Today "
                     "the bereavement team keeps a spreadsheet: the name, date "
                     "of death and who told us.")
    assert "bereavement" in found
    found = _records("Our vetting team runs it from a tracker; the manager "
                     "signs each one off.")
    assert "vetting" in found
    # who the team is stays who it is
    found = _records("The sales team keeps a spreadsheet of deals.")
    assert "sale" not in found


def test_kinds_of_one_thing_in_a_list_name_the_record_and_its_type() -> None:
    intent = extract("When a horse dies at the yard, the office records what the owner "
                     "wants: communal cremation, individual cremation with the ashes "
                     "returned, or burial at home.")
    assert "cremation" in [p for p, _ in intent.entities]
    fields = {name: spec for name, spec, _ in intent.fields}
    assert fields["cremation_type"] == {"type": "enum", "values": ["communal", "individual"]}
    assert "communal_cremation" not in fields
    # fields that share a heading stay fields
    fields = {n for n, _, _ in extract("We log the start date, end date, home phone, work "
                                       "phone and the site.").fields}
    assert {"start_date", "end_date", "home_phone", "work_phone"} <= fields


def test_a_suggestion_is_a_record_and_an_agent_noun_after_its_modifier_is_a_role() -> None:
    intent = extract("Parish members can suggest a hymn for the choir to learn. A music "
                     "librarian decides yes or no, and the choir director schedules it.")
    assert "suggestion" in [p for p, _ in intent.entities]
    assert [a.verb for a in intent.actions if a.role == "librarian"] == ["approve", "reject"]
    # an -er noun before a noun that could be a verb is no role
    intent = extract("Our new matter process is slow: the shop floor can raise a "
                     "nonconformance and the nearest marker post is logged.")
    assert not {"matter", "floor", "marker"} & set(intent.extra_roles)


def test_a_gerund_inside_a_name_and_against_after_it() -> None:
    found = _records("Production control raises an outside processing order "
                     "against the works order: part number, quantity sent, date "
                     "due back.")
    assert "outside processing order" in found
    assert "order" not in found


def test_a_heading_that_names_who_keeps_the_records_is_no_record() -> None:
    found = _records("Picture licensing desk: agencies ask to reuse our photos. "
                     "Log the requester, which photo and the fee we quote.")
    assert "picture licensing desk" not in found
    assert found[:1] == ["licensing"]


def test_a_title_that_opens_with_when_names_what_follows() -> None:
    intent = extract("End of year appraisal forms. Each employee fills one in and the line "
                     "manager signs it off.")
    assert intent.title == "appraisal"
    assert extract("End-of-tenancy deposit returns. The agent checks the flat and proposes "
                   "deductions.").title == "deposit return"


def test_the_work_a_first_sentence_names_without_a_record_is_the_record() -> None:
    intent = extract("Our safety advisers audit the scaffolding contractor at each depot every "
                     "month. They score each item and the contractor fixes the failures.")
    assert intent.entities[0][0] == "scaffolding audit"  # an Audit is the engine's own
    intent = extract("Homeowners ask us to survey their roofs. A surveyor visits and the "
                     "manager approves the report.")
    assert intent.entities[0][0] == "survey"
    # a clause before the main one, or a title, keeps its own record
    intent = extract("After our engineers survey a site they write a survey report with "
                     "recommendations.")
    assert intent.entities[0][0] == "survey report"


def test_a_person_column_and_a_college_that_names_who_we_are() -> None:
    intent = extract("Doctoral college. We track every viva on a spreadsheet with these "
                     "columns: candidate, thesis title, internal examiner, external examiner, "
                     "viva date. The internal examiner checks the corrections.")
    fields = {name: spec for name, spec, _ in intent.fields}
    assert fields["internal_examiner"] == {"type": "ref", "to": "User"}
    assert fields["external_examiner"] == {"type": "ref", "to": "User"}
    assert "doctoral college" not in [p for p, _ in intent.entities]


def test_a_field_told_by_its_values_or_a_question_ends_yes_no_questions() -> None:
    fields = {name: spec for name, spec, _ in extract(
        "Quarterly fire drills. For every backed-up site we record in the sheet: building, "
        "whether the alarm sounded, how long the evacuation took, who did it, and pass or "
        "fail.").fields}
    assert fields["alarm_sounded"]["type"] == "boolean"
    assert fields["duration"]["type"] == "integer"
    assert fields["done_by"] == {"type": "ref", "to": "User"}
    assert fields["result"] == {"type": "enum", "values": ["pass", "fail"]}
    assert not {"pass", "fail", "did_by"} & set(fields)
    assert "backed-up" not in _records("For every backed-up system we restore a "
                                       "sample.")


def test_a_bare_generic_word_adds_no_second_blueprint() -> None:
    doc = _app("Loans of our paintings to other galleries for their exhibitions. A borrowing "
               "gallery writes in; the registrar logs the request and the curator agrees or "
               "refuses. Each painting travels with one of our couriers and is checked on "
               "arrival.")
    assert not {"TravelRequest", "TravelSegment"} & set(doc["entities"])
    found = _records("Each painting travels with one of our couriers.")
    assert found == ["painting"]


def test_words_with_an_agents_ending_or_a_things_initials_are_no_roles() -> None:
    intent = extract("The clerk keys each payment and a second person authorises it - the person "
                     "who keyed it can never authorise it. Each lease has the current rent. ID "
                     "checks are done first. Staff are assessed when they move desk.")
    assert not {"never", "current", "id"} & set(intent.extra_roles)
    assert not [r for r in intent.roles if r in ("never", "current", "id", "they_move_desk")]
    # a senior in an audit firm is a person
    assert "senior" in extract("The audit senior checks each request.").extra_roles or \
        "audit_senior" in extract("The audit senior checks each request.").roles


def test_a_customer_who_does_nothing_in_the_app_is_no_role() -> None:
    doc = _app("Bill credit requests: the agent logs the customer, account number, amount and "
               "reason; the team leader approves or rejects it.")
    assert "customer" not in doc["roles"]
    # one who does something in it is
    doc = _app("Customers submit warranty claims with a photo; the service manager approves or "
               "rejects them.")
    assert "customer" in doc["roles"]


def test_steps_after_a_record_and_measures_reported_are_no_records() -> None:
    found = _records("A pharmacist logs the enquiry, researches it and drafts a "
                     "response. We report volumes every month by product.")
    assert found == ["enquiry"]


def test_a_department_at_work_is_a_role_and_a_control_point_stays_a_record() -> None:
    intent = extract("A pilot offers a trip to a colleague; crew control approves the swap and "
                     "regulatory affairs decides whether it is reported. Each critical control "
                     "point is checked daily.")
    assert {"crew_control", "regulatory_affairs"} <= set(intent.roles)
    assert "critical control point" in [p for p, _ in intent.entities]
    assert "critical_control" not in intent.roles


def test_a_title_naming_another_kind_of_a_blueprints_record_passes_it_over() -> None:
    doc = _app("New van orders across our dealerships. The sales exec writes up the order for "
               "the customer: model, colour, list price, discount and deposit. The sales manager "
               "approves the deal, then sales admin places the factory order and records the "
               "VIN when the van is allocated; the van goes through PDI in the workshop and the "
               "sales exec hands it over to the customer.")
    assert "VanOrder" in doc["entities"]
    assert "RepairOrder" not in doc["entities"]
    assert _main(doc) == "VanOrder"


def test_work_whose_bare_name_is_the_engines_own_is_named_by_what_it_is_done_to() -> None:
    doc = _app("Our hygiene leads audit the catering contractor at every canteen each quarter. "
               "They score each kitchen area with a comment and the contractor's manager signs "
               "the audit off.")
    assert "CateringAudit" in doc["entities"]
    assert "AuditRecord" not in doc["entities"]
    found = _records("Our quality team audit suppliers every year and score "
                     "them.")
    assert found == ["supplier audit"]


def test_kinds_side_by_side_before_a_plural_name_one_record() -> None:
    found = _records("The licensing office issues tattoo parlour and nail bar "
                     "premises licences. An officer inspects each one.")
    assert found[0] == "premises licence"
    assert "tattoo parlour" not in found
    # a list of records, or a record and then a clause, is not that
    found = _records("The document controller logs the revision, the design "
                     "manager reviews it and marks it approved.")
    assert found == ["revision"]


def test_a_title_naming_another_kind_of_a_blueprints_detail_passes_it_over() -> None:
    doc = _app("Monthly failover tests. For every clustered server we fail over a sample "
               "database to the standby node and record: server, cluster, date, how long the "
               "failover took, who did it, and pass or fail.")
    assert _main(doc) == "FailoverTest"
    assert "Sample" not in doc["entities"]


def test_a_dash_after_a_record_ends_its_name() -> None:
    found = _records("The site manager then raises snags - each one with a room, "
                     "a photo and a trade - and sends them to the "
                     "subcontractor.")
    assert "snag" in found


def test_what_goes_on_the_register_is_its_record() -> None:
    found = _records("Our lifting register is a mess. Every sling the rigging "
                     "team buys goes on the register with its safe working load "
                     "and test date.")
    assert "sling" in found


def test_a_thing_told_by_its_own_fields_first_is_a_record() -> None:
    found = _records("Anyone can hand in a stray dog: we record the dog (breed, "
                     "colour, microchip number, date found), who found it and "
                     "their phone number, and where it was found.")
    assert found == ["dog"]


def test_examples_set_off_by_dashes_inside_brackets_leave_the_fields() -> None:
    fields = [name for name, _, _ in extract(
        "Our line controller logs faults (machine, line, the error code that fired - jam, "
        "misfeed, over-temperature and so on - the shift and the fault date) and we chase "
        "them on a whiteboard.").fields]
    assert {"machine", "shift", "fault_date"} <= set(fields)


def test_what_something_is_handled_as_is_a_record() -> None:
    found = _records("Any pallet that arrives damaged has to be handled as a "
                     "claim, and today that lives in an inbox.")
    assert "claim" in found


def test_whoever_opens_a_clause_by_deciding_or_examining_is_a_role() -> None:
    intent = extract("Anyone can report a spill with a photo. The spill focal point "
                     "investigates it, then the company man approves the clean-up. The system "
                     "validates each entry.")
    assert {"spill_focal_point", "company_man"} <= set(intent.roles)
    assert "system" not in intent.roles
    doc = _app("Anyone can report a spill with a photo and the location. The spill focal point "
               "investigates it and closes it.")
    assert "spill_focal_point" in doc["roles"]


def test_adverbs_adjectives_and_verbs_around_a_record_name_nothing() -> None:
    found = _records(
        "Our buyers negotiate supply deals with growers, with a bonus per tray sold. If a "
        "grower does not reply we write again. Every grower is checked against the national "
        "register.")
    assert "supply deal" in found
    assert not {"again", "national", "tray sold", "negotiate supply deal"} & set(found)


def test_what_the_first_step_asks_for_names_the_record() -> None:
    doc = _app("Depot managers request vans from the fleet desk: which depot, collection date "
               "and return date. The fleet coordinator approves it and books it with a rental "
               "company.")
    assert _main(doc) == "VanRequest"
    assert {"collection_date", "return_date"} <= set(doc["entities"]["VanRequest"]["fields"])
    assert "Booking" not in doc["entities"]
    assert _records("Engineers claim call-out hours against a job, with the reason.")[0] == \
        "call-out claim"


def test_asking_for_a_record_keeps_that_record() -> None:
    assert "permit request" not in _records(
        "Contractors request a permit from the site office before digging.")


def test_with_or_without_names_a_yes_no_field() -> None:
    fields = {name: spec for name, spec, _ in extract(
        "Teachers book the minibus: which trip, departure and return dates, with or without "
        "driver.").fields}
    assert fields["with_driver"] == {"type": "boolean"}
    assert "without_driver" not in fields


def test_hyphenated_words_in_a_pair_share_their_head() -> None:
    fields = [name for name, _, _ in extract(
        "Each hire records the site, the kit, on-hire and off-hire dates and the "
        "required-by date.").fields]
    assert {"on_hire_date", "off_hire_date", "required_by_date"} <= set(fields)


def test_what_each_one_gets_done_to_it_is_a_record() -> None:
    assert "reconciliation" in _records(
        "Each month every bank account gets a reconciliation prepared by a clerk and reviewed "
        "by the controller.")


def test_a_subject_and_its_verb_are_no_record() -> None:
    found = _records("Tenants report leaks. The housing team books an operative, the "
                     "operative attends and repairs the leak or orders parts.")
    assert "operative attend" not in found and "leak" in found


def test_a_step_done_to_the_record_is_no_field() -> None:
    fields = [name for name, _, _ in extract(
        "The hire desk records the order number and weekly rate, and off-hires it when the "
        "job ends.").fields]
    assert "order_number" in fields and "off_hires" not in fields


def test_what_a_cost_is_filed_under_is_no_amount() -> None:
    fields = {name: spec for name, spec, _ in extract(
        "Each timesheet has: hours worked, amount paid, cost code.").fields}
    assert fields["cost_code"]["type"] == "string"
    assert fields["amount_paid"]["type"] == "money"


def test_a_step_on_the_record_in_a_list_of_steps_names_nothing() -> None:
    found = _records("When a tenant leaves we book a checkout inspection, compare it with the "
                     "inventory and propose deductions.")
    assert "compare" not in found and "checkout inspection" in found


def test_who_does_what_in_the_first_sentence_is_no_title() -> None:
    intent = extract("Growers bring apples to our packhouse in autumn. At the weighbridge we "
                     "record each load: grower, variety, weight and grade.")
    assert intent.title == ""
    assert next(p for p, _ in intent.entities) == "load"


def test_what_comes_in_from_others_is_a_record() -> None:
    assert "job" in _records("Our sign shop gets jobs from builders: site, sign type, size, "
                             "deadline. A fitter installs the sign.")


def test_the_team_named_again_takes_its_steps() -> None:
    doc = _app("The council's markets team issues street trading consents. Traders apply "
               "with the pitch and the goods; the team consults the police, then grants or "
               "refuses the consent.")
    moves = doc["entities"][_main(doc)]["workflow"]["transitions"]
    assert {"grant", "reject"} <= set(moves)
    assert moves["grant"]["roles"] == ["markets_team"]
    assert "issue" not in moves  # the first sentence sums the process up


def test_a_step_the_blueprint_lacks_comes_after_the_submission() -> None:
    doc = _app("The council's markets team issues market stall licences. Traders apply with "
               "the pitch and the goods; the team consults the police, then grants or refuses "
               "the licence.")
    states = _states(doc, _main(doc))
    assert states.index("submitted") < states.index("granted")


def test_the_values_a_record_is_sorted_into_make_one_field() -> None:
    fields = {name: spec for name, spec, _ in extract(
        "Staff report hazards: what happened, where and a photo. The safety officer "
        "classifies each one (electrical, fire, chemical, other).").fields}
    assert fields["category"] == {"type": "enum",
                                  "values": ["electrical", "fire", "chemical", "other"]}
    assert "description" in fields and "electrical" not in fields and "happened" not in fields


def test_the_prompts_start_time_is_the_blueprints_start() -> None:
    doc = _app("Researchers book time on our shared microscopes. A booking has the microscope, "
               "start and end time, grant code and whether training is needed.")
    fields = doc["entities"]["Booking"]["fields"]
    assert {"start_time", "end_time"} <= set(fields)
    assert not {"starts_at", "ends_at"} & set(fields)
    assert _type(doc, "Booking", "training_needed") == "boolean"


def test_only_words_joined_by_and_share_a_head() -> None:
    fields = {name: spec for name, spec, _ in extract(
        "Our florist takes wedding orders: couple name, phone, wedding date, size, colour, "
        "ribbon notes and deposit paid.").fields}
    assert "colour" in fields and "colour_note" not in fields
    assert fields["deposit_paid"]["type"] == "money"
    assert fields["size"]["type"] == "enum"


def test_how_many_make_up_a_group_is_a_number() -> None:
    fields = {name: spec for name, spec, _ in extract(
        "Each table booking has the date, party size and any allergies.").fields}
    assert fields["party_size"]["type"] == "integer"


def test_a_record_named_before_its_step_takes_no_article_in_its_name() -> None:
    found = _records("Couples enquire about a date; when they sign the contract and pay the "
                     "deposit the booking is confirmed.")
    assert "booking" in found and "deposit booking" not in found


def test_the_values_of_a_field_choose_no_blueprint() -> None:
    doc = _app("Our school needs to track pupil absences. Parents call before 9am; the "
               "attendance officer records the reason (illness, medical appointment, holiday, "
               "other) and follows up any unexplained absence.")
    assert "Appointment" not in doc["entities"]


def test_a_name_after_a_role_is_no_step_and_asking_for_a_party_is_a_request() -> None:
    intent = extract("Procurement wants a supplier onboarding process. A buyer requests a new "
                     "supplier with company details and bank details; the procurement manager "
                     "approves.")
    assert "onboard" not in [a.verb for a in intent.actions]
    assert intent.entities[0][0] == "supplier request"


def test_the_work_we_open_with_is_the_record() -> None:
    assert _records("We inspect fire doors in our blocks of flats every quarter. The "
                    "inspector checks each door and marks it pass or fail.")[0] == "inspection"


def test_an_uploaded_file_is_no_record() -> None:
    assert "photo" not in _records("The contractor fixes the door within 28 days and uploads "
                                   "a photo.")


def test_a_verb_and_its_object_in_a_list_of_steps_are_no_record() -> None:
    found = _records("Donors book a slot, answer a health questionnaire on the day, and a "
                     "nurse decides if they can give blood.")
    assert not any("questionnaire" in phrase for phrase in found)


def test_a_team_at_work_in_the_first_sentence_is_no_title() -> None:
    intent = extract("Our sales team quote for bespoke joinery. A quote has the customer, the "
                     "price and VAT; customers accept it.")
    assert intent.title == "" and "team quote" not in [p for p, _ in intent.entities]


def test_a_plural_before_the_head_keeps_its_s() -> None:
    assert _records("Grounds maintenance for our parks: gardeners cut the grass and "
                    "supervisors check the work.")[0] == "grounds maintenance"


def test_what_is_written_in_a_sign_in_book_is_the_record() -> None:
    found = _records("A visitor sign-in book for reception: name, company, car registration, "
                     "time in and time out.")
    assert found == ["sign-in"]


def test_examples_after_like_end_a_records_name() -> None:
    assert "defect" in _records("Supervisors check the work and log defects like damaged "
                                "benches, which go to the repairs team.")


def test_the_ways_a_record_ends_branch_from_one_state() -> None:
    doc = _app("Members send us broken tools they hired. Our desk logs each tool report with "
               "the fault; the workshop inspects it and we either repair, replace or scrap "
               "the tool.")
    moves = doc["entities"][_main(doc)]["workflow"]["transitions"]
    assert {"repair", "replace"} <= set(moves)
    assert moves["replace"]["from"] == moves["repair"]["from"]
    states = doc["entities"][_main(doc)]["workflow"]["states"]
    assert states[moves["replace"]["to"]].get("final") is True


def test_applying_submits_the_record() -> None:
    doc = _app("Residents apply for a resident parking permit with their address and car "
               "registration; the parking team checks the proof of address and grants or "
               "refuses it.")
    states = _states(doc, _main(doc))
    assert states[:2] == ["draft", "submitted"]
    assert doc["entities"][_main(doc)]["workflow"]["transitions"]["submit"]["roles"] == \
        ["resident"]


def test_two_steps_told_together_choose_no_blueprint() -> None:
    doc = _app("Residents apply for a resident parking permit with their address and car "
               "registration; the parking team checks the proof of address and grants or "
               "refuses it.")
    assert "GrantApplication" not in doc["entities"]


def test_two_roles_named_leave_out_the_blueprints_others() -> None:
    doc = _app("Residents apply for a resident parking permit with their car registration; "
               "the parking team checks the proof of address and grants or refuses it.")
    assert set(doc["roles"]) == {"resident", "parking_team"}
    moves = doc["entities"][_main(doc)]["workflow"]["transitions"]
    assert all(set(m["roles"]) <= {"resident", "parking_team"} for m in moves.values())


def test_a_scheme_is_no_record() -> None:
    intent = extract("A landlord licensing scheme: landlords apply for a licence for each "
                     "rented property and an officer inspects the property.")
    assert intent.title == "" and "licensing scheme" not in [p for p, _ in intent.entities]


def test_kinds_of_work_after_a_colon_are_no_states() -> None:
    intent = extract("Porters get task requests from wards: move a patient, collect a "
                     "specimen, deliver a parcel. The porter lead assigns each task.")
    assert intent.states == []


def test_things_and_clauses_that_look_like_people_are_no_roles() -> None:
    roles = extract("We service boilers every year and want reminders sent a month before. "
                    "The committee chair decides if it needs full committee review, and the "
                    "committee approves.").roles
    assert "reminder" not in roles
    assert not any(r.startswith("needs") for r in roles)


def test_a_possessive_makes_the_next_word_a_noun() -> None:
    found = _records("Each staff member's record shows which vaccines they have had; "
                     "occupational health books clinics and records each dose given.")
    assert "show" not in found and "clinics" not in found


def test_giving_final_approval_approves() -> None:
    intent = extract("Designers upload the artwork; regulatory checks the claims and the "
                     "brand manager gives final approval.")
    assert ("brand_manager", "approve") in [(a.role, a.verb) for a in intent.actions]


def test_a_participle_after_people_is_done_to_them() -> None:
    intent = extract("Children referred to speech therapy are assessed by a senior SLT "
                     "into high, medium or low priority; after ten sessions they are either "
                     "discharged or referred on.")
    assert ("child", "refer") not in [(a.role, a.verb) for a in intent.actions]
    assert {"assess", "discharge"} <= {verb for verb, _ in intent.passives}
