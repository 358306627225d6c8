"""The blueprints for processes beyond the original library: each one is picked by the way
people describe its process, and what it generates validates strictly and stays least-privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apiary.definition import check_text
from apiary.generation.offline.blueprints import library
from apiary.generation.offline.generate import generate

# blueprint → the main record it must give → a prompt as someone running the process writes it
CASES: list[tuple[str, str, str]] = [
    ("room_housekeeping", "CleaningTask",
     "In our hotel, housekeeping supervisors assign guest rooms to housekeepers for "
     "cleaning each day, housekeepers clean them and report anything broken, and a "
     "supervisor inspects each cleaned room."),
    ("information_requests", "InformationRequest",
     "Handle freedom of information requests from the public: officers gather the "
     "records, redact exempt parts and respond before the statutory deadline after "
     "sign-off."),
    ("service_requests", "ServiceRequest",
     "Residents report problems such as potholes to the council with a location and a "
     "photo; dispatchers triage each service request and send a crew to fix it."),
    ("meter_readings", "MeterReading",
     "Meter readers record electricity and gas meter readings with a photo; billing "
     "analysts verify each reading or query implausible consumption."),
    ("dock_appointments", "DockAppointment",
     "Carriers book dock appointments at our warehouse for inbound trucks; the yard "
     "clerk confirms a dock door and the warehouse team unloads the pallets when the "
     "truck arrives."),
    ("production", "ProductionOrder",
     "Manufacturing: planners release production orders to the shop floor, operators "
     "record the materials used and the quantity produced, and quality releases the "
     "batch."),
    ("service_visits", "ServiceJob",
     "Field service: dispatchers schedule service engineers for call-outs at customer "
     "sites; engineers record hours, parts and the customer's signature."),
    ("coursework", "Submission",
     "Students submit coursework for each assignment; teachers mark each submission "
     "against a rubric with a grade and feedback, and moderators check the marking."),
    ("student_admissions", "AdmissionApplication",
     "University admissions: applicants apply to a degree programme with transcripts "
     "and a personal statement; tutors interview them and make conditional offers."),
    ("research_ethics", "EthicsApplication",
     "Researchers submit studies involving human participants for ethics approval with "
     "a protocol and consent form; the committee reviews each study and the chair "
     "approves it, sends it back for changes or rejects it."),
    ("fiscal_budgets", "BudgetRequest",
     "Department heads submit annual budget requests with budget lines per cost "
     "centre; finance reviews them and the finance director approves or cuts them."),
    ("performance", "PerformanceReview",
     "Annual performance reviews: employees set goals and write a self-assessment, "
     "their manager gives a rating and HR calibrates the ratings."),
    ("user_access", "AccessRequest",
     "Employees submit access requests for systems with a business reason; the system "
     "owner approves and an IT admin grants the access, which is later revoked."),
    ("matters", "Matter",
     "Track legal matters such as disputes and litigation: counsel record the hearings "
     "and filing deadlines of each matter, and the general counsel closes it with an "
     "outcome."),
    ("campaigns", "Campaign",
     "Plan marketing campaigns with a budget, channel and content pieces; the brand "
     "manager approves each campaign before it goes live."),
    ("risks", "Risk",
     "Risk owners record each risk in the risk register with its likelihood, impact "
     "and mitigations; the risk manager reviews and closes risks."),
    ("policies", "ControlledDocument",
     "Authors draft our policies and standard operating procedures as controlled "
     "documents; an approver signs off each version and compliance publishes it and "
     "tracks acknowledgements."),
    ("travel", "TravelRequest",
     "Employees request approval for business trips with flights and hotels; their "
     "manager approves and the travel desk books the itinerary."),
    ("leases", "Lease",
     "Property management: we let apartments to tenants under leases with a monthly "
     "rent and a deposit; property managers renew or end each lease."),
    ("memberships", "Member",
     "Our association's members join on a membership plan and pay annual dues; the "
     "membership secretary approves applications and chases lapsed renewals."),
    ("staff_credentialing", "CredentialingApplication",
     "Credentialing: practitioners apply for clinical privileges and upload their "
     "credentials; coordinators verify the credentials and the committee chair "
     "approves."),
    ("engineering_changes", "EngineeringChange",
     "Our engineers raise ECOs when a part or drawing has to change, listing every "
     "affected part with its new revision; the change board reviews the impact and "
     "approves or rejects, and document control releases the new revision."),
    ("permit_to_work", "WorkPermit",
     "Permit to work system for our power station: contractors request a permit for "
     "hot work or confined space entry listing hazards and isolations, the issuing "
     "authority checks the lockouts and issues it, and the permit is handed back and "
     "closed when the job is done."),
    ("utility_connections", "ConnectionApplication",
     "Handle requests for new electricity supplies and load upgrades. Customers apply "
     "with the site address and required kVA, our engineers survey the site and send a "
     "connection offer, and once it is accepted and paid the coordinator schedules the "
     "works and energises the supply."),
    ("rfis", "Rfi",
     "On our building projects the contractor raises RFIs to the architect and "
     "engineers when a drawing is unclear or conflicts; each RFI needs an answer by a "
     "date, and the contractor closes it once the answer is in and notes any cost "
     "impact."),
    ("punch_lists", "Snag",
     "Before handover we walk every apartment and log snags with a photo and the room; "
     "each snag goes to the responsible subcontractor to fix, and our inspector checks "
     "the fix before closing it."),
    ("freight_claims", "FreightClaim",
     "Track freight claims: when a delivery arrives damaged or short, the receiving "
     "team reports it with photos and the delivery note; the claims handler pursues "
     "the haulier until they settle or refuse, and finance signs off any write-off."),
    ("vehicle_repairs", "RepairOrder",
     "We run a car repair workshop. The service advisor opens a repair order when a "
     "customer brings their vehicle in, mechanics diagnose and repair it after the "
     "customer approves the quote, and we invoice the customer when they collect it."),
    ("baggage", "BaggageReport",
     "When a passenger's suitcase is delayed or damaged at our airport, the desk "
     "agents file a baggage report with the bag tag and flight; the baggage team "
     "traces it and delivers it to the passenger, and claims officers approve "
     "compensation for lost or damaged luggage."),
    ("haccp", "MonitoringCheck",
     "Replace our paper HACCP sheets: chefs record the cooking and chilling "
     "temperatures at each critical control point; if a reading is outside the limit "
     "they note the corrective action, and the head chef verifies the records every "
     "day."),
    ("stock_transfers", "StockTransfer",
     "Our shops often move stock between each other. A store asks another branch for "
     "items it is short of, the sending store manager approves and ships them, and the "
     "receiving store counts what arrives; head office stock control looks into any "
     "missing quantities."),
    ("table_reservations", "TableReservation",
     "Our restaurant wants online table bookings: guests choose a date, time and party "
     "size and leave a phone number; the host confirms, assigns a table and marks "
     "no-shows."),
    ("function_bookings", "FunctionBooking",
     "Our hotel takes function bookings for weddings and private parties: the events "
     "coordinator turns each enquiry into a provisional booking for a function room, "
     "confirms it when the deposit arrives and shares the function sheet with the "
     "kitchen; accounts invoice the final bill."),
    ("telecom_orders", "ServiceOrder",
     "We're a regional fibre broadband provider. Sales agents place orders with the "
     "address and package, the provisioning team checks the address can be served and "
     "books an installation date, the field engineer installs the router, and the "
     "provisioning team activates the line."),
    ("commissions", "Commission",
     "Our magazine's editors commission features from freelance writers with a brief, "
     "word count, fee and deadline. The writer accepts the commission and files the "
     "piece; the editor approves and publishes it, or kills it and pays the kill fee."),
    ("card_disputes", "Dispute",
     "Cardholders dispute card transactions they don't recognise or goods that never "
     "arrived. A disputes agent gives a temporary credit where eligible and raises a "
     "chargeback with Visa or Mastercard; if the merchant sends a representment we "
     "either win or lose the dispute."),
    ("credit_applications", "CreditApplication",
     "Small businesses apply to us for loans. A loan officer gathers bank statements "
     "and accounts, a credit analyst checks affordability and the credit score and "
     "approves or declines, and approved loans are paid out."),
    ("underwriting", "Submission",
     "Brokers send us commercial property risks to quote. Our underwriters look at the "
     "sum insured, the locations and past claims, then decline or offer a price with "
     "an excess; big risks need a senior underwriter's sign-off, and if the broker "
     "accepts we put cover on risk."),
    ("audit_findings", "AuditFinding",
     "Internal audit raises findings after each audit with a risk rating and a "
     "recommendation. The responsible manager writes a management response with "
     "actions and target dates and later uploads evidence; an auditor checks it before "
     "the finding is closed, and the audit committee sees what is overdue."),
    ("month_end_close", "CloseTask",
     "Every month our finance team closes the books with a checklist of "
     "reconciliations and journals for each period. Accountants prepare each item and "
     "attach the supporting spreadsheet, a senior accountant reviews and signs it off, "
     "and the financial controller locks the month when everything is done."),
    ("planning_applications", "PlanningApplication",
     "Council planning: residents and architects apply for permission to build "
     "extensions or change the use of a building. Our technicians check the "
     "application is complete, neighbours and consultees can comment, and a case "
     "officer recommends approval or refusal before the manager issues the decision."),
    ("referrals", "Referral",
     "Hospital outpatient referrals: GPs send us letters about patients who need to "
     "see a specialist. The booking team registers each one, a consultant decides "
     "whether it is urgent, routine or should go elsewhere, and then the patient gets "
     "a first clinic appointment."),
    ("mitigating_circumstances", "CircumstancesClaim",
     "Students who are ill or bereaved can ask for an extension on an assignment or "
     "claim mitigating circumstances for an exam, uploading a medical note. Student "
     "support checks the paperwork and the panel decides the outcome for each "
     "assessment; lecturers only see the new deadlines."),
    ("placements", "Placement",
     "Our undergraduates spend a year on a work placement in industry. They register "
     "the company, job and their supervisor's contact details; the placements team "
     "checks the company's insurance and approves it, a tutor visits twice during the "
     "year, and the employer rates the student at the end."),
    ("grievances", "Grievance",
     "Staff can raise a formal grievance about bullying, pay or their working "
     "conditions. HR assigns a manager to investigate and interview witnesses, a "
     "hearing is held where the employee can bring a union rep, and the outcome letter "
     "says whether it was upheld; the employee may appeal once."),
    ("disciplinary", "DisciplinaryCase",
     "Disciplinary cases: when a line manager reports misconduct, HR opens a "
     "disciplinary case and an investigating officer looks into it; the employee may "
     "be suspended. After a hearing, where they can bring a union rep, the outcome can "
     "be a written warning, a final warning or dismissal, which they can appeal."),
    ("vulnerabilities", "Vulnerability",
     "Our weekly Nessus scans and yearly pen tests turn up security holes on our "
     "servers and web apps. The security team rates each one by CVSS score and gives "
     "the system owner a deadline to patch it, then re-scans to confirm it's fixed; if "
     "it can't be fixed the CISO signs off an exception."),
    ("beneficiary_cases", "SupportCase",
     "We are a homelessness charity. Our support workers each hold a caseload of "
     "people we help: they assess their needs, agree goals, log every visit or call, "
     "and close the case when the person is housed. Trustees want outcome figures "
     "without names."),
    ("tenancy_applications", "TenancyApplication",
     "We're a lettings agency. People who want to rent one of our flats fill in an "
     "application with their income, employer and preferred start date; we take a "
     "holding deposit, check references and their right to rent, and the landlord says "
     "yes or no before we send the tenancy agreement to sign."),
    ("calibration", "Calibration",
     "Our quality team needs to track when each gauge, micrometer and torque wrench in "
     "the plant is due for calibration. Technicians record the as-found and as-left "
     "readings or we send instruments to an accredited lab for a certificate, and "
     "anything out of tolerance is quarantined while quality checks the impact on "
     "parts we made."),
    ("planned_outages", "PlannedOutage",
     "Our field crews need to switch off parts of the electricity network to work on "
     "feeders and transformers. They put in a request with the dates, planners work "
     "out which customers lose supply and send them letters a few days ahead, and the "
     "control room approves the switching and records when power is back on."),
    ("blasting", "Blast",
     "At our open pit gold mine the drill and blast engineers design each shot with "
     "the hole pattern and charge weights, the pit supervisor signs it off, and the "
     "shotfirer loads it, records the ANFO and detonators used, clears the exclusion "
     "zone, fires it and reports any misfires."),
    ("submittals", "Submittal",
     "We need to track submittals on our building projects. Subcontractors upload shop "
     "drawings and product data against each spec section, our document controller "
     "sends every submittal to the architect, and the architect returns it approved, "
     "approved as noted or revise and resubmit before anything is ordered."),
    ("change_orders", "ChangeOrder",
     "On our building contracts, whenever the client changes the scope our site "
     "managers raise a change order with photos and the reason. The quantity surveyor "
     "prices the labour and materials and the extra days, sends it to the client's "
     "representative, who approves it, rejects it or sends it back to negotiate."),
    ("cycle_counts", "StockCount",
     "We count stock in our warehouse on a rolling basis instead of one big annual "
     "stocktake. The inventory controller plans cycle counts per aisle, counters count "
     "blind and enter the quantity for each bin, big variances get a recount, and the "
     "warehouse manager approves the stock adjustments."),
    ("vehicle_checks", "VehicleCheck",
     "Our HGV drivers do a daily walkaround check on paper before leaving the depot "
     "and write down any defects. We want them to submit the vehicle check on a phone, "
     "the transport manager decides if the truck can still go out or is taken off the "
     "road, and the workshop records the repair."),
    ("warranty_claims", "WarrantyClaim",
     "Our dealers fix cars under the manufacturer's warranty and file warranty claims "
     "with the VIN, mileage, the failed part and the labour time. Our warranty "
     "analysts check each claim, sometimes ask for the part to be sent back, then "
     "approve or reject it, and approved claims are paid to the dealer each month."),
    ("management_of_change", "PlantChange",
     "At our chemical plant any change to equipment, operating limits or the process "
     "has to go through management of change: the engineer raises an MOC with the "
     "technical basis, the MOC coordinator tracks the HAZOP actions, the plant manager "
     "approves it, and a pre-startup safety review is done before it is closed."),
    ("product_recalls", "Recall",
     "When one of our sauces has an undeclared allergen or a foreign body, quality "
     "opens a recall. The recall coordinator traces the affected batch codes and which "
     "retailers got them, the incident panel decides between a withdrawal and a "
     "consumer recall, we notify the retailers and the authority, and we count what "
     "comes back before closing it."),
    ("promotions", "Promotion",
     "Our buyers plan the promotions for each month: which products go on multi-buy or "
     "half price, the promo price, the dates and how much the supplier pays towards "
     "it. The commercial director signs off the margin, the pricing team sets the "
     "prices up in the tills, and after it ends the buyer records how much extra we "
     "sold."),
    ("site_rollout", "Site",
     "We're rolling out 5G masts across the region. For each new site the radio "
     "planner sets a search ring, our site acquisition agents find candidate locations "
     "and negotiate with the landlord, the RF engineer picks the best candidate and "
     "signs off the design, then we get planning, the contractor builds it and it goes "
     "on air."),
    ("manuscripts", "Manuscript",
     "We publish three academic journals. Authors submit manuscripts through our "
     "website; the editorial office checks each one is complete, an editor invites "
     "peer reviewers who write reports with a recommendation, and the editor accepts "
     "the manuscript, rejects it or asks the authors for revisions."),
    ("insertion_orders", "InsertionOrder",
     "We're a media agency. Our buyers place insertion orders with media owners for "
     "each client, listing the dates, impressions and CPM; the account director gets "
     "the client to approve the media plan first, the media owner confirms each "
     "booking, and finance checks the media owner's invoice against what was "
     "delivered."),
    ("kyc_reviews", "KycReview",
     "Our bank's relationship managers open a KYC review for every new business client "
     "with passports, proof of address and the ultimate beneficial owners; analysts "
     "run sanctions and PEP screening and rate the risk, and compliance signs off the "
     "high-risk ones."),
    ("conflict_checks", "ConflictCheck",
     "Before our law firm opens a new matter, the lawyer enters the client and the "
     "other parties so we can run a conflict check; the conflicts team searches our "
     "records for clashes and the risk partner clears it or declines the instruction."),
    ("audit_requests", "AuditRequest",
     "During the year-end audit our auditors send us a long PBC list; each request is "
     "assigned to someone in finance who uploads the evidence, and the auditors either "
     "accept it or come back with queries."),
    ("resource_requests", "StaffingRequest",
     "Engagement managers raise a staffing request when their project needs a "
     "consultant for a few months; the resource manager finds someone on the bench "
     "with the right skills and confirms the booking, and finance can see every "
     "booking to forecast utilisation."),
    ("tenders", "Tender",
     "Our council runs public tenders: a department asks for a tender with a "
     "specification, procurement publishes the invitation to tender and logs the bids, "
     "the evaluation panel scores each bid against the award criteria, and the "
     "procurement director approves the contract award before the standstill period."),
    ("safeguarding", "SafeguardingConcern",
     "In our school any teacher can log a safeguarding concern about a pupil with a "
     "body map; the designated safeguarding lead decides whether to refer it to "
     "children's social care, keeps a chronology and closes it."),
    ("adverse_events", "AdverseEvent",
     "We are a pharma company. Any employee who hears about a side effect of one of "
     "our medicines logs an adverse event report; the drug safety team codes the case "
     "and writes the narrative, a medical reviewer assesses seriousness and causality, "
     "and serious cases are submitted to the regulator within 15 days."),
    ("school_trips", "SchoolTrip",
     "Teachers submit school trips with a risk assessment and the list of pupils; the "
     "educational visits coordinator checks each trip, the headteacher approves it, "
     "and the office chases parental consent and payments."),
    ("sickness_absence", "SicknessAbsence",
     "When staff are off sick they report it and upload their fit note; their line "
     "manager interviews them when they come back and HR watches the Bradford factor "
     "and refers long-term cases to occupational health."),
    ("third_party_risk", "VendorAssessment",
     "Before anyone buys a new SaaS tool the security team sends the supplier a "
     "security questionnaire and asks for their SOC 2 report, rates the vendor risk "
     "and approves it; high-risk vendors go to the CISO, who can add conditions or "
     "reject them."),
    ("security_incidents", "SecurityIncident",
     "Staff report suspected security incidents such as phishing emails or lost "
     "laptops; the security team investigates and contains each one, our data "
     "protection officer decides within 72 hours whether a personal data breach must "
     "be reported to the regulator, and the security manager closes it once lessons "
     "learned are written up."),
    ("fixtures", "Fixture",
     "We run a Sunday football league. The fixtures secretary sets up the fixture list "
     "for the season, each home club's secretary enters the score after the match, and "
     "the secretary confirms the result or reschedules postponed games."),
    ("guard_patrols", "Patrol",
     "Our security guards patrol client sites at night and scan NFC tags at each "
     "checkpoint, noting anything unusual in the occurrence log; supervisors review "
     "every patrol report and clients can read the reports for their own sites."),
    ("waste_consignments", "WasteCollection",
     "Each of our depots books waste collections with a licensed waste carrier; the "
     "site records the EWC code and the weight and uploads the waste transfer note, "
     "and our environment manager checks the paperwork and the weights."),
    ("improvement_ideas", "ImprovementIdea",
     "Operators submit kaizen ideas for their line with a before photo and an estimated "
     "saving. Team leaders score each idea, the CI manager approves or rejects it, and "
     "approved ideas are tracked until they are implemented."),
    ("locate_requests", "LocateTicket",
     "Contractors must call 811 before digging near our gas mains. Screeners clear the one-"
     "call tickets that are nowhere near our network, a locator goes out and paints the "
     "lines before the deadline, and the damage prevention officer investigates every "
     "strike."),
    ("vegetation_management", "VegetationWork",
     "Our patrollers walk each feeder and note trees growing too close to the overhead "
     "lines, with a photo. Planners send the landowner a notice and give the job to a tree "
     "contractor, and after the trimming or felling our vegetation manager audits the work."),
    ("leak_detection", "Leak",
     "At our gas processing plant technicians monitor the valves and flanges with a FLIR "
     "camera every quarter and tag each leak. It must get a first repair attempt within 5 "
     "days and be repaired within 15 days, unless the environmental engineer defers it to "
     "the next shutdown; afterwards the technician verifies the repair with a new reading."),
    ("safety_overrides", "Override",
     "On our offshore platform operators sometimes have to inhibit a gas detector or bypass "
     "a trip during maintenance. The operator asks with a risk assessment and the "
     "compensating measures, the shift supervisor checks it, the OIM approves it until a set"
     " time, and every shift confirms it is still needed until it is removed."),
    ("drill_holes", "DrillHole",
     "We run diamond and RC drilling on several gold prospects. Geologists plan each hole "
     "and the exploration manager approves it; the driller drills it and records the core "
     "recovery; geologists log it and send half-core samples to the lab, and the database "
     "geologist validates the assays before the hole goes into the resource model."),
    ("chemical_approvals", "ChemicalApproval",
     "Before a new solvent or cleaner is used at our plant, the department raises a chemical"
     " approval with the supplier's safety data sheet and how much they will store. Our EHS "
     "advisor assesses the COSHH risks and sets the PPE, and the site manager approves it; "
     "we also need to see when each SDS is due for review."),
    ("payment_applications", "PaymentApplication",
     "Every month our subcontractors send in their applications for payment with a "
     "percentage complete for each item. Our QS values the work and the materials on site, "
     "and the commercial manager certifies the amount less 5% retention, which finance pays "
     "by the due date."),
    ("statutory_compliance", "ComplianceInspection",
     "We look after 40 office buildings and keep their statutory inspections (fire alarm, "
     "emergency lighting, legionella, gas safety) in a spreadsheet. Contractors should "
     "upload the certificate when an inspection is done, our compliance manager accepts it "
     "and follows up the remedial works, and clients see which buildings are overdue."),
    ("first_article_inspections", "FirstArticleInspection",
     "We machine aircraft parts and must do an AS9102 first article inspection whenever a "
     "part is new, its drawing revision changes or we have not made it for two years. "
     "Inspectors measure every ballooned characteristic and attach the material and special "
     "process certs, and a quality engineer approves the report or rejects it."),
    ("ppap_submissions", "PpapSubmission",
     "As a tier 1 supplier to car makers we chase PPAPs from our own suppliers by e-mail. "
     "For every new or changed part the supplier sends the warrant, control plan, PFMEA, "
     "gauge R&R and Cpk studies at the level we ask for; our supplier quality engineers "
     "check each document and give full approval, interim approval with an expiry date, or "
     "reject it."),
    ("site_diaries", "SiteDiary",
     "Our site engineers still fill in a paper diary every day on each of our building "
     "sites: the weather, how many people of each trade were on site, plant hours, "
     "deliveries and any delays with the hours lost. The site manager signs each day off, "
     "and our QS needs the records later for delay claims."),
    ("customs_declarations", "CustomsDeclaration",
     "Our customs brokerage team clears import shipments for clients. Importers email us the"
     " commercial invoice, packing list and bill of lading; our entry clerks classify each "
     "line with its commodity code and work out the duty and VAT, a customs specialist "
     "checks the entry before it is lodged, and we answer any customs queries until the "
     "goods are released."),
    ("port_calls", "PortCall",
     "Ship agents send us a pre-arrival notice for every vessel due at our port with the "
     "ETA, cargo and any dangerous goods. The harbour master allocates a berth and confirms "
     "the call, and port control records when the ship anchors, berths and sails, with the "
     "pilots and tugs it used, so that we can bill the port dues."),
    ("flight_compensation", "CompensationClaim",
     "Passengers claim EU261 compensation when our flights arrive more than three hours late"
     " or are cancelled. A claims handler checks the flight's delay and whether it was "
     "caused by extraordinary circumstances such as weather, the claims lead approves or "
     "rejects the claim, and we pay approved claims along with hotel and meal receipts."),
    ("airside_passes", "IdPass",
     "Companies working at our airport apply for airside ID passes for their employees "
     "through an authorised signatory, giving a five-year employment history and the zones "
     "the person needs. The pass office checks the history and the criminal record check, "
     "the security manager approves, and passes must be handed back when people leave."),
    ("track_possessions", "Possession",
     "Our rail maintenance teams need access to the track for engineering work. They request"
     " a possession or line blockage with the mileages, times and worksites; access planners"
     " check for clashes and it is published in the weekly operating notice, and on the "
     "night the PICOP takes the possession and hands it back, noting any overrun."),
    ("lost_property", "FoundItem",
     "Passengers leave phones, bags and umbrellas on our buses and trams every day. Drivers "
     "hand the items in at the depot where they are logged with a photo, the lost property "
     "team matches them to customer enquiries and returns them once the owner proves they "
     "are theirs, and unclaimed items are donated after three months."),
    ("tachograph_infringements", "Infringement",
     "Every month we download our lorry drivers' cards and the software flags drivers' hours"
     " breaches like missed breaks or short daily rest. We want to log each one against the "
     "driver, get the driver to sign it with their explanation, and have the transport "
     "manager record a debrief or a warning."),
    ("trade_accounts", "AccountApplication",
     "We are a builders merchant. When a new business wants to buy on credit, our sales reps"
     " send in the account opening form with two trade references and the limit they want; "
     "the credit controller pulls a Creditsafe report and chases the references, the credit "
     "manager sets the limit and 30 day terms or says proforma only, and then the account is"
     " opened."),
    ("supplier_rebates", "RebateAgreement",
     "Our buyers negotiate annual rebate agreements with each supplier, usually tiered by "
     "purchase volume with a growth bonus. Finance approves the terms, and our rebate "
     "analyst works out what we have earned each quarter from the purchase data, invoices "
     "the supplier and chases payment until the agreement is settled at year end."),
    ("raw_material_intake", "IntakeCheck",
     "At our ready-meal factory every delivery of ingredients and packaging is checked at "
     "goods in for temperature, damaged packaging, date codes and a certificate of analysis."
     " The goods-in team records the lot number, and QA releases the lot, puts it on hold "
     "for testing, accepts it on a concession or rejects it back to the supplier."),
    ("spray_records", "SprayRecord",
     "On our arable farm the agronomist writes a spray recommendation for each field with "
     "the products and rates. The farm manager schedules it for one of our operators, who "
     "records when it was applied, the wind speed and the water volume, and the farm manager"
     " checks every record before the Red Tractor audit."),
    ("emission_monitoring", "MonitoringSample",
     "Our plants hold environmental permits with limits on stack emissions and effluent "
     "discharges. Site technicians take the samples at each monitoring point, the "
     "environmental advisor enters the lab results, and the environment manager either "
     "confirms they are within the limits or reports an exceedance to the regulator and "
     "records the root cause."),
    ("arrears_collections", "ArrearsCase",
     "Our bank's collections team works customers who have missed loan and credit card "
     "repayments: agents call them, agree a repayment plan or take a promise to pay, and log"
     " every call. If nothing works we send a default notice, and the collections manager "
     "decides whether to pass the debt to an agency or write it off."),
    ("policy_renewals", "PolicyRenewal",
     "We're an insurance broker and our renewals live in a spreadsheet. Ninety days before a"
     " client's policy expires the account handler sends a renewal questionnaire, asks a few"
     " insurers for terms and writes a recommendation; a team leader checks it, and when the"
     " client tells us what to do we renew with the expiring insurer, move them, or let the "
     "cover lapse."),
    ("legal_holds", "LegalHold",
     "When we expect a lawsuit, our legal team sends a litigation hold to the employees "
     "involved telling them not to delete anything. Each person has to confirm they got it, "
     "IT freezes their mailboxes and OneDrive, we send reminders every quarter, and we lift "
     "the hold when the case is over."),
    ("control_testing", "ControlTest",
     "Every year we test our SOX key controls. Our testers pick samples, ask each control "
     "owner for the evidence, check whether the control worked and write up a workpaper; the"
     " SOX manager reviews each test and decides whether a failure is a deficiency, a "
     "significant deficiency or a material weakness, and the external auditors rely on our "
     "work."),
    ("proposals", "Proposal",
     "We're a management consultancy. Each time a client invites us to pitch, the engagement"
     " manager logs the opportunity and a partner decides whether we bid; the manager writes"
     " the proposal with the team and day rates, the partner signs off the price and margin "
     "before it goes out, and we record whether we won or lost and why."),
    ("property_sales", "PropertyListing",
     "We're an estate agency with four branches. Negotiators value homes for sale, put them "
     "on Rightmove, book viewings and log every offer; once a sale is agreed, the sales "
     "progressor chases the conveyancing through to exchange and completion. The branch "
     "manager approves each new instruction before it goes live."),
    ("product_setup", "ProductSetup",
     "Our suppliers send new products to us on a spreadsheet with EAN barcodes, sizes, costs"
     " and photos. The category buyer agrees the cost and selling price, our product data "
     "team checks the attributes and writes the web copy before creating the item code, and "
     "then the product goes on sale in our shops and online."),
    ("holiday_bookings", "HolidayBooking",
     "We sell package holidays and escorted tours. A consultant quotes the flights, hotel "
     "and transfers, the customer confirms with a deposit and pays the rest eight weeks "
     "before departure, and our operations team confirms everything with the hotels and "
     "airlines and sends out the travel documents."),
    ("rights_permissions", "PermissionRequest",
     "Our non-fiction titles reproduce lots of images, maps and quotations owned by others. "
     "Editors log each item in the permissions log, the permissions team tracks down the "
     "copyright owner and asks for permission for print and ebook, the managing editor signs"
     " off any fee over budget, and production only sends a title to the printer when "
     "everything is cleared and credited."),
    ("wayleaves", "Wayleave",
     "We build full fibre networks and before we can cable a block of flats or dig across "
     "private land we need a signed wayleave from the landowner. Our officers look up the "
     "freeholder on the Land Registry, send the request, chase and negotiate, and our legal "
     "team signs the agreement or serves a notice when owners ignore us; planners need to "
     "see which buildings are cleared to build."),
    ("creative_requests", "CreativeRequest",
     "Anyone in the business can brief our in-house design studio for posters, social "
     "graphics or brochures with a deadline. The studio manager gives each design request a "
     "job number and a designer, the designer sends proofs, the person who asked either "
     "approves them or sends amends, and the designer then hands over the print-ready files."),
    ("exhibitor_bookings", "ExhibitorBooking",
     "We run three trade shows a year. Exhibitors book stands through our website, our sales"
     " team allocates a stand on the floor plan and sends the contract, and exhibitors then "
     "upload the forms from the exhibitor manual for the operations team to approve; nobody "
     "may start build-up until the balance is paid."),
    ("penalty_appeals", "PenaltyChallenge",
     "Drivers who get a parking ticket from our civil enforcement officers often dispute it "
     "by email. We need to log each challenge against the penalty charge with their reasons "
     "and photos, have an officer decide whether to cancel it, and track the ones that go on"
     " to the tribunal."),
    ("care_plans", "CarePlan",
     "Our three care homes still keep residents' care plans in paper folders. Seniors should"
     " assess each resident and write the plan covering mobility, nutrition and medication, "
     "the home manager signs it off, carers write notes every shift, and each plan is "
     "reviewed monthly with the family."),
    ("surgery_bookings", "SurgeryBooking",
     "Our hospital runs its surgical waiting list on spreadsheets. Consultants list patients"
     " who need an operation with a priority and a target date, pre-assessment nurses assess"
     " whether they are fit for surgery, and the booking team schedules them on a theatre "
     "list and records cancellations on the day."),
    ("material_reviews", "MaterialReview",
     "Every leave piece, email and slide deck our brand managers want to use with healthcare"
     " professionals needs medical, legal and regulatory review before a final signatory "
     "certifies it under a job code. Reviewers add comments, the brand manager submits a new"
     " version, and certified materials expire after two years."),
    ("monitoring_visits", "MonitoringVisit",
     "Our CRAs visit the hospitals taking part in our clinical trials every six weeks to "
     "check consent forms and verify source data. After each visit they write a report with "
     "action items and due dates for the site, and the lead CRA reviews and approves it "
     "before the follow-up letter goes to the investigator."),
    ("academic_misconduct", "MisconductCase",
     "Lecturers who spot plagiarism or collusion in an essay report it with the Turnitin "
     "report. The academic integrity officer investigates and meets the student, and serious"
     " cases go to a panel that decides the penalty; the student may appeal once."),
    ("behaviour_incidents", "BehaviourIncident",
     "Teachers at our secondary school should log behaviour incidents against each pupil "
     "with the category and points. Heads of year follow them up and set detentions, and the"
     " deputy head decides suspensions for serious incidents."),
    ("donations", "Donation",
     "Our charity tracks gifts in a spreadsheet. Fundraisers record each donation against "
     "the donor and the appeal it came from, finance reconciles it with the bank statement "
     "and claims gift aid where the donor has signed a declaration, and we send every donor "
     "a thank-you letter."),
    ("leavers", "Leaver",
     "When someone resigns, their manager logs them as a leaver with the last working day. "
     "HR confirms the dates and does an exit interview, IT disables their accounts and "
     "collects the laptop and badge, and payroll works out the final pay including unused "
     "holiday."),
    ("problems", "Problem",
     "Our service desk raises a problem record for repeat incidents and links those "
     "incidents to it. A problem analyst investigates the root cause and documents a "
     "workaround as a known error until a change fixes it, and the problem manager then "
     "closes the problem."),
    ("accessions", "AcquisitionProposal",
     "At our museum, curators write up each proposed acquisition, whether a gift, a bequest "
     "or a purchase, with its provenance and why we want it. The registrar checks the due "
     "diligence, the collections committee approves or declines it, and the registrar gets "
     "the transfer of title signed and gives the object an accession number."),
    ("cctv_requests", "FootageRequest",
     "The police and insurers often ask our shopping centre for CCTV footage of an incident."
     " Our control room operators search the recordings and save the clip before it is "
     "overwritten, the data protection lead approves or refuses each release, and every "
     "handover of a copy goes in the custody log."),
]


def _generated(prompt: str) -> tuple[dict[str, Any], list[str]]:
    doc, assumptions, _ = generate(prompt)
    return json.loads(json.dumps(doc)), assumptions


@pytest.mark.parametrize(("key", "main", "prompt"), CASES, ids=[c[0] for c in CASES])
def test_prompt_picks_the_blueprint_and_its_main_record(key: str, main: str,
                                                        prompt: str) -> None:
    doc, assumptions = _generated(prompt)
    assert [str(d) for d in check_text(json.dumps(doc))] == []
    assert any(a.startswith(f"Started from the `{key}` blueprint") for a in assumptions), \
        assumptions
    # the blueprint's main record, or the same record under the prompt's name for it
    renamed = [a.split()[3].rstrip(",") for a in assumptions
               if a.startswith("Named the entity ") and a.endswith(f"calls it {main}).")]
    main = main if main in doc["entities"] else (renamed or [main])[0]
    assert main in doc["entities"]
    workflow = doc["entities"][main]["workflow"]
    assert any(state.get("final") for state in workflow["states"].values())
    assert all(transition["roles"] for transition in workflow["transitions"].values())


@pytest.mark.parametrize(("key", "main", "prompt"), CASES, ids=[c[0] for c in CASES])
def test_generated_app_lets_nobody_but_admin_delete_or_viewers_read_personal_data(
        key: str, main: str, prompt: str) -> None:
    doc, _ = _generated(prompt)
    roles = next(b for b in library() if b.key == key).data["roles"]
    viewers = {r for r, text in roles.items() if str(text).startswith("viewer")}
    for name, entity in doc["entities"].items():
        for role, grant in entity.get("permissions", {}).items():
            assert "delete" not in (grant if isinstance(grant, (list, dict)) else [grant]), \
                (key, name, role)
        for field, spec in entity["fields"].items():
            if spec.get("pii"):
                readers = set(spec.get("access", {}).get("read", []))
                assert readers, (key, name, field)
                assert not viewers & readers, (key, name, field)


def test_every_new_blueprint_flags_contact_details_as_personal_data() -> None:
    keys = {b.key: b for b in library()}
    assert len({key for key, _, _ in CASES}) == len(CASES)
    for key, main, _ in CASES:
        blueprint = keys[key]
        assert blueprint.data["entities"][main].get("kind", "main") == "main", key
        for entity in blueprint.data["entities"].values():
            for field, value in entity.get("fields", {}).items():
                kind = str(value).split()[0].rstrip("!")
                if kind in ("email", "phone") or field == "date_of_birth":
                    assert " pii" in str(value), (key, field)
