"""The shape of the two demo trusts: divisions, directorates, kinds of team and who leads
them. Pure data, read by colead.demo.generator; no Django imports.

Team counts are for the trust's reference headcount and scale with the requested size.
"""

from dataclasses import dataclass, field

NMR = "nursing_midwifery_registered"
ACS = "additional_clinical_services"
AC = "administrative_clerical"
MD = "medical_dental"
AHP = "allied_health_professionals"
STT = "add_prof_scientific_technic"
EA = "estates_ancillary"
HCS = "healthcare_scientists"
STU = "students"


@dataclass(frozen=True)
class Kind:
    """A kind of team: its usual size, who works in it, and who leads it."""

    size: tuple[int, int]
    mix: dict[str, float]  # staff-group weights of the members (besides the manager)
    manager: tuple[str, str, str]  # staff group, band, job title
    department: str | None = None  # the department level it sits under, if any
    letter: str = "T"  # unit code letter: W for wards
    deputies: bool = False  # band 6 staff of the manager's group line-manage the juniors
    critical: bool = False  # the manager's post is critical


KINDS: dict[str, Kind] = {
    "ward": Kind(
        (24, 38),
        {NMR: 0.46, ACS: 0.42, AC: 0.04, EA: 0.04, STU: 0.04},
        (NMR, "band_7", "Ward Manager"),
        "Inpatients",
        letter="W",
        deputies=True,
    ),
    "critical_care": Kind(
        (40, 70),
        {NMR: 0.80, ACS: 0.14, AC: 0.03, STU: 0.03},
        (NMR, "band_8a", "Unit Manager"),
        "Inpatients",
        letter="W",
        deputies=True,
        critical=True,
    ),
    "emergency": Kind(
        (50, 80),
        {NMR: 0.52, ACS: 0.36, AC: 0.10, STU: 0.02},
        (NMR, "band_8a", "Nurse Manager"),
        "Emergency Care",
        deputies=True,
        critical=True,
    ),
    "theatre": Kind(
        (20, 34),
        {NMR: 0.40, ACS: 0.32, AHP: 0.24, AC: 0.04},
        (NMR, "band_7", "Theatre Manager"),
        "Theatres",
        deputies=True,
    ),
    "day_unit": Kind(
        (8, 18),
        {NMR: 0.42, ACS: 0.42, AC: 0.16},
        (NMR, "band_7", "Unit Manager"),
        "Outpatients and Day Services",
    ),
    "specialist_nursing": Kind(
        (4, 10), {NMR: 0.9, AC: 0.1}, (NMR, "band_8a", "Lead Nurse"), "Specialist Nursing"
    ),
    "maternity": Kind(
        (22, 36),
        {NMR: 0.60, ACS: 0.30, AC: 0.05, STU: 0.05},
        (NMR, "band_7", "Midwifery Manager"),
        letter="W",
        deputies=True,
    ),
    "medical": Kind(
        (12, 22), {MD: 0.93, AC: 0.07}, (MD, "consultant", "Clinical Lead"), "Medical Staff"
    ),
    "therapy": Kind((8, 18), {AHP: 0.78, ACS: 0.18, AC: 0.04}, (AHP, "band_7", "Team Lead")),
    "imaging": Kind(
        (15, 30),
        {AHP: 0.62, ACS: 0.18, AC: 0.14, NMR: 0.06},
        (AHP, "band_8a", "Imaging Services Manager"),
    ),
    "laboratory": Kind(
        (12, 24),
        {HCS: 0.30, ACS: 0.45, AC: 0.25},
        (HCS, "band_8a", "Laboratory Manager"),
    ),
    "physiology": Kind((6, 14), {HCS: 0.75, ACS: 0.15, AC: 0.10}, (HCS, "band_7", "Service Lead")),
    "pharmacy": Kind(
        (22, 40), {STT: 0.68, ACS: 0.18, AC: 0.14}, (STT, "band_8a", "Lead Pharmacist")
    ),
    "psychology": Kind((5, 12), {STT: 0.88, AC: 0.12}, (STT, "band_8b", "Lead Psychologist")),
    "admin": Kind((5, 13), {AC: 1.0}, (AC, "band_5", "Team Leader"), "Administration"),
    "corporate": Kind((5, 13), {AC: 1.0}, (AC, "band_8a", "Manager")),
    "estates": Kind((10, 26), {EA: 0.92, AC: 0.08}, (EA, "band_5", "Supervisor")),
    "community_nursing": Kind(
        (14, 26),
        {NMR: 0.60, ACS: 0.32, AC: 0.08},
        (NMR, "band_7", "Team Leader"),
        deputies=True,
    ),
    "health_visiting": Kind(
        (10, 22), {NMR: 0.72, ACS: 0.18, AC: 0.10}, (NMR, "band_7", "Team Leader")
    ),
}


@dataclass(frozen=True)
class Teams:
    """Teams of one kind in a directorate. Names are used in turn; unnamed teams take a
    ward name (wards) or a number."""

    kind: str
    count: float = 1
    names: tuple[str, ...] = ()
    profession: str = ""  # flavours job titles: "Physiotherapist", "Finance", "Porter"
    manager: tuple[str, str, str] | None = None  # overrides the kind's manager
    persona: str = ""  # a demo user is this team's manager or member
    site: str = ""


@dataclass(frozen=True)
class Lead:
    """A leadership role held at a division, directorate or the root."""

    track: str  # medical, nursing or operational: who reports to whom
    title: str
    group: str
    band: str
    level: str  # leadership post level
    critical: bool = False
    reports_to: str = ""  # an executive's key, instead of the usual route
    key: str = ""  # executives only


@dataclass(frozen=True)
class Directorate:
    code: str
    name: str
    teams: tuple[Teams, ...]
    specialty: str = ""  # for consultants' titles; defaults to the name
    leads: tuple[Lead, ...] | None = None  # None: the trust's usual clinical leads
    site: str = ""


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    directorates: tuple[Directorate, ...]
    leads: tuple[Lead, ...] | None = None


@dataclass(frozen=True)
class TrustSpec:
    code: str
    name: str
    sector: str
    domain: str
    reference_staff: int
    staff_group_mix: dict[str, float]  # percentages of the whole workforce
    main_site: str
    executives: tuple[Lead, ...]
    division_leads: tuple[Lead, ...]
    directorate_leads: tuple[Lead, ...]
    divisions: tuple[Division, ...]
    band_threshold: str
    employee_number_base: int
    track_executive: dict[str, str] = field(default_factory=dict)  # track -> exec key


def _corporate_lead(title: str, reports_to: str, band: str = "band_8d", group: str = AC):
    return (Lead("operational", title, group, band, "middle", reports_to=reports_to),)


# Every clinical directorate has its own office: management, governance, rotas.
_OFFICE = Teams("admin", 1, ("{directorate} Office",), profession="Directorate Support")

# --- DEMO1: an acute trust ------------------------------------------------------------

MAIN = "Wealdon General Hospital"
KINGSMEAD = "Kingsmead Hospital"
HQ = "Riverside House"

_MEDICINE = Division(
    "MED",
    "Medicine",
    (
        Directorate(
            "EM",
            "Emergency Medicine",
            (
                Teams(
                    "emergency",
                    3,
                    (
                        "Emergency Department",
                        "Urgent Treatment Centre",
                        "Children's Emergency Department",
                    ),
                ),
                Teams("day_unit", 2, ("Same Day Emergency Care", "Clinical Decision Unit")),
                Teams("medical", 3),
                Teams("admin", 3, ("Emergency Department Reception", "Patient Flow")),
                _OFFICE,
            ),
        ),
        Directorate(
            "ACUTE",
            "Acute and General Medicine",
            (
                Teams("ward", 8, ("Acute Medical Unit",), persona="manager"),
                Teams("day_unit", 2, ("Ambulatory Care Unit", "Discharge Lounge")),
                Teams("medical", 3),
                Teams("admin", 3, profession="Medical Secretary"),
                _OFFICE,
            ),
            specialty="Acute Medicine",
        ),
        Directorate(
            "CARD",
            "Cardiology",
            (
                Teams("ward", 4, ("Coronary Care Unit",)),
                Teams("day_unit", 2, ("Cardiac Catheter Laboratory", "Cardiology Outpatients")),
                Teams("physiology", 1, ("Cardiac Physiology",), profession="Cardiac Physiologist"),
                Teams("specialist_nursing", 2, ("Heart Failure Nurses", "Cardiac Rehabilitation")),
                Teams("medical", 3),
                Teams("admin", 3, profession="Medical Secretary"),
                _OFFICE,
            ),
        ),
        Directorate(
            "RESP",
            "Respiratory Medicine",
            (
                Teams("ward", 4),
                Teams("specialist_nursing", 2, ("Respiratory Nurse Specialists", "Home Oxygen")),
                Teams(
                    "physiology",
                    1,
                    ("Respiratory Physiology",),
                    profession="Respiratory Physiologist",
                ),
                Teams("medical", 3),
                Teams("admin", 2, profession="Medical Secretary"),
                _OFFICE,
            ),
        ),
        Directorate(
            "GAST",
            "Gastroenterology",
            (
                Teams("ward", 3),
                Teams("day_unit", 2, ("Endoscopy Unit", "Gastroenterology Day Unit")),
                Teams(
                    "specialist_nursing",
                    2,
                    ("Inflammatory Bowel Disease Nurses", "Hepatology Nurses"),
                ),
                Teams("medical", 2),
                Teams("admin", 2, profession="Medical Secretary"),
                _OFFICE,
            ),
        ),
        Directorate(
            "ELD",
            "Elderly Care and Stroke",
            (
                Teams("ward", 8, ("Stroke Unit", "Hyper-acute Stroke Unit")),
                Teams(
                    "specialist_nursing",
                    3,
                    ("Frailty Team", "Dementia Support Team", "Stroke Nurse Specialists"),
                ),
                Teams("medical", 3),
                Teams("admin", 3, profession="Medical Secretary"),
                _OFFICE,
            ),
            specialty="Geriatric Medicine",
        ),
    ),
)

_SURGERY = Division(
    "SURG",
    "Surgery",
    (
        Directorate(
            "GS",
            "General Surgery",
            (
                Teams("ward", 6, ("Surgical Assessment Unit",)),
                Teams(
                    "specialist_nursing", 2, ("Stoma Care Nurses", "Colorectal Nurse Specialists")
                ),
                Teams("medical", 3),
                Teams("admin", 4, profession="Medical Secretary"),
                _OFFICE,
            ),
        ),
        Directorate(
            "TO",
            "Trauma and Orthopaedics",
            (
                Teams("ward", 6, site=KINGSMEAD),
                Teams("day_unit", 2, ("Fracture Clinic", "Orthopaedic Outpatients")),
                Teams("medical", 3),
                Teams("admin", 3, profession="Medical Secretary"),
                _OFFICE,
            ),
            site=KINGSMEAD,
        ),
        Directorate(
            "THEA",
            "Theatres and Anaesthetics",
            (
                Teams(
                    "theatre",
                    10,
                    (
                        "Main Theatres",
                        "Emergency Theatres",
                        "Orthopaedic Theatres",
                        "Day Surgery Theatres",
                        "Recovery",
                        "Anaesthetic Assistants",
                        "Theatre Sterile Services",
                        "Kingsmead Theatres",
                    ),
                    profession="Operating Department Practitioner",
                ),
                Teams("day_unit", 2, ("Day Surgery Unit", "Pre-operative Assessment")),
                Teams("medical", 5),
                Teams("admin", 2, ("Theatre Scheduling", "Theatre Administration")),
                _OFFICE,
            ),
            specialty="Anaesthetics",
        ),
        Directorate(
            "CC",
            "Critical Care",
            (
                Teams("critical_care", 2, ("Intensive Care Unit", "High Dependency Unit")),
                Teams("specialist_nursing", 1, ("Critical Care Outreach",)),
                Teams("medical", 2),
                _OFFICE,
            ),
            specialty="Intensive Care Medicine",
        ),
        Directorate(
            "SPEC",
            "Specialist Surgery",
            (
                Teams("ward", 3),
                Teams(
                    "day_unit",
                    3,
                    ("Eye Clinic", "Ear, Nose and Throat Clinic", "Urology Investigations"),
                ),
                Teams("physiology", 1, ("Audiology",), profession="Audiologist"),
                Teams("medical", 3),
                Teams("admin", 3, profession="Medical Secretary"),
                _OFFICE,
            ),
            specialty="Surgery",
        ),
    ),
)

_WOMENS = Division(
    "WAC",
    "Women's and Children's",
    (
        Directorate(
            "MAT",
            "Maternity",
            (
                Teams(
                    "maternity",
                    8,
                    (
                        "Labour Ward",
                        "Birth Centre",
                        "Maternity Ward",
                        "Antenatal Clinic",
                        "Maternity Triage",
                        "Community Midwives North",
                        "Community Midwives South",
                        "Community Midwives Central",
                    ),
                ),
                Teams("medical", 3),
                Teams("admin", 3, ("Maternity Reception", "Maternity Administration")),
                _OFFICE,
            ),
            specialty="Obstetrics",
        ),
        Directorate(
            "GYN",
            "Gynaecology",
            (
                Teams("ward", 2, ("Gynaecology Ward",)),
                Teams("day_unit", 2, ("Early Pregnancy Unit", "Gynaecology Outpatients")),
                Teams("medical", 2),
                Teams("admin", 1, profession="Medical Secretary"),
                _OFFICE,
            ),
        ),
        Directorate(
            "PAED",
            "Paediatrics",
            (
                Teams("ward", 3, ("Children's Ward", "Paediatric Assessment Unit")),
                Teams("day_unit", 2, ("Children's Outpatients",)),
                Teams(
                    "specialist_nursing",
                    2,
                    ("Children's Community Nurses", "Paediatric Diabetes Team"),
                ),
                Teams("medical", 3),
                Teams("admin", 2, profession="Medical Secretary"),
                _OFFICE,
            ),
        ),
        Directorate(
            "NEO",
            "Neonatal Services",
            (
                Teams("critical_care", 2, ("Neonatal Intensive Care", "Special Care Baby Unit")),
                Teams("specialist_nursing", 1, ("Neonatal Outreach",)),
                Teams("medical", 1),
                _OFFICE,
            ),
            specialty="Neonatology",
        ),
    ),
)

_CLINICAL_SUPPORT = Division(
    "CSS",
    "Clinical Support Services",
    (
        Directorate(
            "RAD",
            "Radiology",
            (
                Teams(
                    "imaging",
                    7,
                    ("General Radiography", "CT", "MRI", "Ultrasound", "Interventional Radiology"),
                    profession="Radiographer",
                ),
                Teams("physiology", 1, ("Medical Physics",), profession="Clinical Technologist"),
                Teams("medical", 3),
                Teams("admin", 3, ("Radiology Bookings", "Radiology Reception")),
                _OFFICE,
            ),
            leads=(
                Lead("medical", "Clinical Director", MD, "consultant", "senior", True),
                Lead("operational", "Radiology Services Manager", AHP, "band_8b", "middle"),
            ),
        ),
        Directorate(
            "PATH",
            "Pathology",
            (
                Teams(
                    "laboratory",
                    9,
                    (
                        "Blood Sciences",
                        "Microbiology",
                        "Cellular Pathology",
                        "Blood Transfusion",
                        "Phlebotomy",
                        "Specimen Reception",
                        "Haematology",
                        "Immunology",
                        "Point of Care Testing",
                    ),
                ),
                Teams("medical", 3),
                _OFFICE,
            ),
            leads=(
                Lead("medical", "Clinical Director", MD, "consultant", "senior", True),
                Lead("operational", "Pathology Services Manager", HCS, "band_8c", "middle"),
            ),
        ),
        Directorate(
            "PHARM",
            "Pharmacy",
            (
                Teams(
                    "pharmacy",
                    8,
                    (
                        "Dispensary",
                        "Clinical Pharmacy (Medicine)",
                        "Clinical Pharmacy (Surgery)",
                        "Aseptic Services",
                        "Medicines Information",
                        "Pharmacy Procurement",
                        "Pharmacy Stores",
                        "Kingsmead Pharmacy",
                    ),
                ),
                _OFFICE,
            ),
            leads=(Lead("operational", "Chief Pharmacist", STT, "band_8d", "senior", True, "md"),),
        ),
        Directorate(
            "THER",
            "Therapies",
            (
                Teams(
                    "therapy",
                    5,
                    (
                        "Inpatient Physiotherapy",
                        "Outpatient Physiotherapy",
                        "Respiratory Physiotherapy",
                        "Musculoskeletal Physiotherapy",
                        "Stroke Physiotherapy",
                    ),
                    profession="Physiotherapist",
                ),
                Teams(
                    "therapy",
                    3,
                    ("Occupational Therapy", "Hand Therapy", "Stroke Occupational Therapy"),
                    profession="Occupational Therapist",
                ),
                Teams(
                    "therapy",
                    2,
                    ("Speech and Language Therapy",),
                    profession="Speech and Language Therapist",
                ),
                Teams("therapy", 2, ("Dietetics",), profession="Dietitian"),
                Teams("therapy", 1, ("Orthotics",), profession="Orthotist"),
                Teams("therapy", 1, ("Podiatry",), profession="Podiatrist"),
                Teams("psychology", 2, ("Clinical Health Psychology", "Neuropsychology")),
                _OFFICE,
            ),
            leads=(Lead("operational", "Head of Therapies", AHP, "band_8c", "middle"),),
        ),
        Directorate(
            "OPD",
            "Outpatients and Patient Access",
            (
                Teams(
                    "day_unit",
                    4,
                    (
                        "Main Outpatients",
                        "Kingsmead Outpatients",
                        "Treatment Centre",
                        "Eye Outpatients",
                    ),
                ),
                Teams(
                    "admin",
                    10,
                    (
                        "Appointments Centre",
                        "Health Records",
                        "Referral Management",
                        "Waiting List Team",
                        "Outpatient Reception",
                        "Clinic Preparation",
                        "Patient Access Centre",
                        "Medical Secretaries Hub",
                        "Transcription Service",
                        "Clinic Outcomes Team",
                    ),
                ),
                _OFFICE,
            ),
            leads=(
                Lead("operational", "General Manager", AC, "band_8b", "middle"),
                Lead("nursing", "Matron", NMR, "band_8a", "middle"),
            ),
        ),
    ),
)

_CORPORATE = Division(
    "CORP",
    "Corporate Services",
    (
        Directorate(
            "FIN",
            "Finance and Procurement",
            (
                Teams(
                    "corporate",
                    2,
                    ("Financial Management", "Costing and Income"),
                    profession="Finance",
                ),
                Teams("corporate", 2, ("Financial Accounts",), profession="Accounts"),
                Teams("corporate", 1, ("Payroll",), profession="Payroll"),
                Teams("corporate", 2, ("Procurement",), profession="Procurement"),
            ),
            leads=_corporate_lead("Deputy Director of Finance", "cfo"),
            site=HQ,
        ),
        Directorate(
            "WOD",
            "Workforce and Organisational Development",
            (
                Teams(
                    "corporate",
                    1,
                    ("Organisational Development",),
                    profession="Organisational Development",
                    manager=(AC, "band_8b", "Head of Organisational Development"),
                    persona="od",
                ),
                Teams(
                    "corporate",
                    3,
                    ("HR Business Partners", "Employee Relations", "Medical Staffing"),
                    profession="HR",
                ),
                Teams("corporate", 2, ("Recruitment",), profession="Recruitment"),
                Teams(
                    "corporate", 2, ("Staff Bank", "Health and Wellbeing"), profession="Workforce"
                ),
                Teams("corporate", 2, ("Education and Training",), profession="Education"),
                Teams(
                    "corporate", 1, ("Workforce Information",), profession="Workforce Information"
                ),
                Teams("specialist_nursing", 1, ("Occupational Health",)),
            ),
            leads=_corporate_lead("Deputy Chief People Officer", "cpo"),
            site=HQ,
        ),
        Directorate(
            "NQ",
            "Nursing and Quality",
            (
                Teams(
                    "corporate",
                    1,
                    ("Patient Safety",),
                    profession="Patient Safety",
                    manager=(NMR, "band_8b", "Head of Patient Safety"),
                    persona="safety",
                ),
                Teams(
                    "corporate",
                    2,
                    ("Clinical Governance", "Patient Experience"),
                    profession="Governance",
                ),
                Teams(
                    "specialist_nursing",
                    5,
                    (
                        "Infection Prevention and Control",
                        "Safeguarding",
                        "Tissue Viability",
                        "Nursing Education",
                        "Falls Prevention",
                    ),
                ),
                Teams("corporate", 2, ("Nursing Workforce",), profession="Workforce"),
            ),
            leads=_corporate_lead("Deputy Chief Nurse", "cn", group=NMR),
            site=HQ,
        ),
        Directorate(
            "DIG",
            "Digital Services",
            (
                Teams(
                    "corporate",
                    4,
                    ("IT Service Desk", "Infrastructure", "Cyber Security"),
                    profession="IT",
                ),
                Teams("corporate", 2, ("Clinical Systems",), profession="Clinical Systems"),
                Teams("corporate", 2, ("Information and Analytics",), profession="Information"),
                Teams(
                    "corporate",
                    2,
                    ("Electronic Patient Record", "Digital Transformation"),
                    profession="Digital",
                ),
            ),
            leads=_corporate_lead("Deputy Chief Digital Information Officer", "cdio", "band_8c"),
            site=HQ,
        ),
        Directorate(
            "EST",
            "Estates and Facilities",
            (
                Teams("estates", 4, ("Portering", "Kingsmead Portering"), profession="Porter"),
                Teams("estates", 8, ("Domestic Services",), profession="Domestic Assistant"),
                Teams(
                    "estates", 2, ("Catering", "Patient Catering"), profession="Catering Assistant"
                ),
                Teams(
                    "estates",
                    2,
                    ("Estates Maintenance", "Electrical Services"),
                    profession="Maintenance Technician",
                ),
                Teams(
                    "estates",
                    5,
                    (
                        "Security",
                        "Linen and Waste",
                        "Grounds and Gardens",
                        "Patient Transport",
                        "Car Parking",
                    ),
                    profession="Facilities Assistant",
                ),
                Teams("corporate", 1, ("Estates Management",), profession="Estates"),
                Teams("admin", 1, ("Switchboard",)),
            ),
            leads=_corporate_lead("Deputy Director of Estates and Facilities", "dest", "band_8c"),
        ),
        Directorate(
            "HQ",
            "Trust Headquarters",
            (
                Teams("corporate", 1, ("Executive Office",), profession="Executive Support"),
                Teams("corporate", 1, ("Freedom to Speak Up",), profession="Governance"),
                Teams("corporate", 1, ("Communications",), profession="Communications"),
                Teams("corporate", 1, ("Corporate Governance",), profession="Governance"),
                Teams("corporate", 1, ("Strategy and Planning",), profession="Planning"),
                Teams("corporate", 1, ("Operations Centre",), profession="Operations"),
            ),
            leads=_corporate_lead("Head of Corporate Affairs", "dcg", "band_8c"),
            site=HQ,
        ),
    ),
    leads=(
        Lead(
            "operational",
            "Director of Corporate Services",
            AC,
            "band_9",
            "senior",
            reports_to="ceo",
        ),
    ),
)

DEMO1 = TrustSpec(
    code="DEMO1",
    name="Wealdon University Hospitals NHS Foundation Trust",
    sector="acute",
    domain="demo1.nhs.test",
    reference_staff=6000,
    staff_group_mix={
        NMR: 26.0,
        ACS: 22.0,
        AC: 22.0,
        MD: 13.0,
        AHP: 6.0,
        STT: 4.0,
        EA: 5.0,
        HCS: 1.5,
        STU: 0.5,
    },
    main_site=MAIN,
    executives=(
        Lead("operational", "Chief Executive", AC, "band_9", "board", True, key="ceo"),
        Lead("medical", "Medical Director", MD, "consultant", "board", True, key="md"),
        Lead("nursing", "Chief Nurse", NMR, "band_9", "board", True, key="cn"),
        Lead("operational", "Chief Finance Officer", AC, "band_9", "board", True, key="cfo"),
        Lead("operational", "Chief Operating Officer", AC, "band_9", "board", True, key="coo"),
        Lead("operational", "Chief People Officer", AC, "band_9", "executive", key="cpo"),
        Lead(
            "operational",
            "Chief Digital Information Officer",
            AC,
            "band_9",
            "executive",
            key="cdio",
        ),
        Lead("operational", "Director of Strategy", AC, "band_9", "executive", key="dsp"),
        Lead(
            "operational",
            "Director of Estates and Facilities",
            AC,
            "band_9",
            "executive",
            key="dest",
        ),
        Lead(
            "operational", "Director of Corporate Governance", AC, "band_8d", "executive", key="dcg"
        ),
    ),
    division_leads=(
        Lead("medical", "Divisional Director", MD, "consultant", "senior", True),
        Lead("operational", "Divisional Director of Operations", AC, "band_8d", "senior"),
        Lead("nursing", "Divisional Director of Nursing", NMR, "band_8c", "senior"),
    ),
    directorate_leads=(
        Lead("medical", "Clinical Director", MD, "consultant", "senior", True),
        Lead("nursing", "Matron", NMR, "band_8a", "middle"),
        Lead("operational", "General Manager", AC, "band_8b", "middle"),
    ),
    divisions=(_MEDICINE, _SURGERY, _WOMENS, _CLINICAL_SUPPORT, _CORPORATE),
    band_threshold="band_8a",
    employee_number_base=20_000_000,
    track_executive={"medical": "md", "nursing": "cn", "operational": "coo"},
)


# --- DEMO2: a community trust ---------------------------------------------------------

ASHCOMBE = "Ashcombe Community Hospital"
HEALTH_CENTRE = "Wealdon Health Centre"

DEMO2 = TrustSpec(
    code="DEMO2",
    name="Wealdon Community Health NHS Trust",
    sector="community",
    domain="demo2.nhs.test",
    reference_staff=800,
    staff_group_mix={
        NMR: 38.0,
        ACS: 21.0,
        AC: 21.0,
        AHP: 12.0,
        MD: 2.0,
        STT: 3.0,
        EA: 3.0,
    },
    main_site=HEALTH_CENTRE,
    executives=(
        Lead("operational", "Chief Executive", AC, "band_9", "board", True, key="ceo"),
        Lead("medical", "Medical Director", MD, "consultant", "board", True, key="md"),
        Lead("nursing", "Director of Nursing and Quality", NMR, "band_9", "board", True, key="cn"),
        Lead("operational", "Director of Finance", AC, "band_9", "board", True, key="cfo"),
        Lead("operational", "Director of Operations", AC, "band_9", "board", True, key="coo"),
        Lead("operational", "Director of People", AC, "band_9", "executive", key="cpo"),
    ),
    division_leads=(
        Lead("operational", "Associate Director of Operations", AC, "band_8c", "senior", True),
        Lead("nursing", "Head of Nursing", NMR, "band_8b", "senior"),
    ),
    directorate_leads=(
        Lead("operational", "Service Manager", AC, "band_8a", "middle"),
        Lead("nursing", "Clinical Lead", NMR, "band_8a", "middle"),
    ),
    divisions=(
        Division(
            "ADULT",
            "Adult Community Services",
            (
                Directorate(
                    "DN",
                    "District Nursing",
                    (
                        Teams(
                            "community_nursing",
                            6,
                            (
                                "District Nursing North",
                                "District Nursing South",
                                "District Nursing East",
                                "District Nursing West",
                                "District Nursing Central",
                                "Night Nursing Service",
                            ),
                        ),
                    ),
                ),
                Directorate(
                    "IC",
                    "Intermediate Care",
                    (
                        Teams("ward", 2, site=ASHCOMBE),
                        Teams(
                            "therapy",
                            2,
                            ("Rapid Response", "Reablement"),
                            profession="Occupational Therapist",
                        ),
                    ),
                    site=ASHCOMBE,
                ),
                Directorate(
                    "SS",
                    "Specialist Services",
                    (
                        Teams(
                            "specialist_nursing",
                            4,
                            (
                                "Tissue Viability",
                                "Continence Service",
                                "Diabetes Specialist Nurses",
                                "Community Respiratory Service",
                            ),
                        ),
                        Teams(
                            "therapy",
                            2,
                            ("Community Physiotherapy", "Podiatry"),
                            profession="Physiotherapist",
                        ),
                        Teams("medical", 1, ("Community Geriatricians",)),
                    ),
                    specialty="Geriatric Medicine",
                ),
            ),
        ),
        Division(
            "CYP",
            "Children and Families",
            (
                Directorate(
                    "HV",
                    "Health Visiting",
                    (
                        Teams(
                            "health_visiting",
                            4,
                            (
                                "Health Visiting North",
                                "Health Visiting South",
                                "Health Visiting East",
                                "Health Visiting West",
                            ),
                        ),
                    ),
                ),
                Directorate(
                    "SN",
                    "School Nursing",
                    (
                        Teams(
                            "health_visiting", 2, ("School Nursing North", "School Nursing South")
                        ),
                    ),
                ),
                Directorate(
                    "CT",
                    "Children's Therapies",
                    (
                        Teams(
                            "therapy",
                            1,
                            ("Children's Speech and Language Therapy",),
                            profession="Speech and Language Therapist",
                        ),
                        Teams(
                            "therapy",
                            1,
                            ("Children's Occupational Therapy",),
                            profession="Occupational Therapist",
                        ),
                        Teams(
                            "therapy",
                            1,
                            ("Children's Physiotherapy",),
                            profession="Physiotherapist",
                        ),
                        Teams("psychology", 1, ("Child Psychology",)),
                        Teams("pharmacy", 1, ("Community Pharmacy Team",)),
                    ),
                    leads=(
                        Lead(
                            "operational", "Head of Children's Therapies", AHP, "band_8b", "middle"
                        ),
                    ),
                ),
            ),
        ),
        Division(
            "CORP",
            "Corporate Services",
            (
                Directorate(
                    "FIN",
                    "Finance and Performance",
                    (
                        Teams(
                            "corporate",
                            2,
                            ("Finance", "Performance and Information"),
                            profession="Finance",
                        ),
                    ),
                    leads=_corporate_lead("Deputy Director of Finance", "cfo", "band_8c"),
                ),
                Directorate(
                    "POD",
                    "People and Organisational Development",
                    (
                        Teams(
                            "corporate",
                            2,
                            ("People Services", "Organisational Development"),
                            profession="HR",
                        ),
                    ),
                    leads=_corporate_lead("Head of People", "cpo", "band_8b"),
                ),
                Directorate(
                    "QG",
                    "Quality and Governance",
                    (
                        Teams(
                            "corporate",
                            2,
                            ("Quality and Patient Safety", "Clinical Governance"),
                            profession="Governance",
                        ),
                    ),
                    leads=_corporate_lead("Head of Quality", "cn", "band_8b", NMR),
                ),
                Directorate(
                    "EF",
                    "Estates and Facilities",
                    (
                        Teams(
                            "estates",
                            2,
                            ("Facilities", "Community Estates"),
                            profession="Facilities Assistant",
                        ),
                        Teams("admin", 1, ("Single Point of Access",)),
                    ),
                    leads=_corporate_lead("Head of Estates", "coo", "band_8b"),
                ),
            ),
            leads=(
                Lead(
                    "operational",
                    "Director of Corporate Services",
                    AC,
                    "band_8d",
                    "senior",
                    reports_to="ceo",
                ),
            ),
        ),
    ),
    band_threshold="band_7",
    employee_number_base=50_000_000,
    track_executive={"medical": "md", "nursing": "cn", "operational": "coo"},
)

TRUSTS = (DEMO1, DEMO2)
