#!/usr/bin/env python3
"""Regenerate l10n_mx_icsoe/demo/l10n_mx_icsoe_demo.xml (synthetic, check-digit-valid data).

Run with the project venv: ~/.cache/l10n_mx_icsoe/venv/bin/python scripts/make_demo_xml.py
"""

import base64
import datetime as dt
import random
import sys

sys.path.insert(
    0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "l10n_mx_icsoe")
)
from icsoe.identifiers import (
    check_rfc,
    make_curp,
    make_nss,
    make_rfc,
    validate_curp,
    validate_nss,
)

random.seed(2026)


def pstart(k, days=0):
    return (
        "(DateTime.today().replace(day=1, month=((DateTime.today().month - 1) // 4) * 4 + 1)"
        f" - relativedelta(months={4 * k}) + relativedelta(days={days})).strftime('%Y-%m-%d')"
    )


VOW = "AEIOU"


def first_internal(s, vowels=True):
    for c in s[1:]:
        if (c in VOW) == vowels and c.isalpha():
            return c
    return "X"


def curp_for(given, s1, s2, birth, sex, state):
    p = (
        s1[0]
        + first_internal(s1)
        + s2[0]
        + given[0]
        + birth.strftime("%y%m%d")
        + sex
        + state
    )
    p += (
        first_internal(s1, False)
        + first_internal(s2, False)
        + first_internal(given, False)
    )
    p += "0" if birth.year < 2000 else "A"
    return make_curp(p)


given_m = [
    "JUAN",
    "CARLOS",
    "LUIS",
    "JORGE",
    "MIGUEL",
    "JOSE",
    "RAUL",
    "PEDRO",
    "ARTURO",
    "FERNANDO",
    "RICARDO",
    "ALBERTO",
    "DANIEL",
    "EDUARDO",
    "HECTOR",
]
given_f = [
    "MARIA",
    "ANA",
    "LAURA",
    "PATRICIA",
    "SOFIA",
    "GABRIELA",
    "VERONICA",
    "ADRIANA",
    "CLAUDIA",
    "ELENA",
    "DIANA",
    "ROSA",
    "KARLA",
    "MONICA",
    "LUCIA",
]
surn = [
    "PEREZ",
    "GARCIA",
    "LOPEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "GONZALEZ",
    "RODRIGUEZ",
    "SANCHEZ",
    "RAMIREZ",
    "TORRES",
    "FLORES",
    "RIVERA",
    "GOMEZ",
    "DIAZ",
    "CRUZ",
    "MORALES",
    "REYES",
    "JIMENEZ",
    "RUIZ",
    "MENDOZA",
    "CASTILLO",
    "ORTIZ",
    "VARGAS",
    "ROMERO",
    "SALAZAR",
]
states = ["DF", "MC", "JC", "NL", "PL", "GT", "QT"]


def blank_pdf():
    """A valid one-page blank PDF (with its cross-reference table), for the demo
    documents SISUB uploads (deed, contracts)."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>",
    ]
    data = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return base64.b64encode(data).decode()


PDF = blank_pdf()
# SISUB: the company's registros patronales (León, principal; Irapuato).
NRP_MAIN, NRP_IRAPUATO = "G4511234107", "G4512345105"


def title(s):
    return s.capitalize()


out = []
A = out.append
A('<?xml version="1.0" encoding="UTF-8" ?>')
A(
    "<!-- Demo story: a REPSE-registered cleaning and maintenance provider with five clients."
)
A(
    "     All identifiers are synthetic but pass their check digits. Dates are relative to"
)
A(
    "     the day the database is created: contracts start in the last three cuatrimestres. -->"
)
A("<odoo>")
comp_rfc = make_rfc("SLM1503107A")
assert check_rfc(comp_rfc).checksum_ok
A(f"""    <record id="base.main_company" model="res.company">
        <field name="name">Servicios Limpieza y Mantenimiento del Bajío SA de CV</field>
        <field name="vat">{comp_rfc}</field>
        <field name="country_id" ref="base.mx"/>
        <field name="state_id" ref="base.state_mx_gto"/>
        <field name="street">Blvd. Adolfo López Mateos 1502</field>
        <field name="city">León</field>
        <field name="zip">37000</field>
        <field name="l10n_mx_icsoe_email">icsoe@limpiezabajio.example.mx</field>
        <field name="l10n_mx_icsoe_phone">4771234567</field>
        <!-- Periods before the one two cuatrimestres back were filed before the
             company used Odoo; that one was not filed at all: the missed period. -->
        <field name="l10n_mx_icsoe_filings_since" eval="(DateTime.today() - relativedelta(months=8)).replace(month=((DateTime.today() - relativedelta(months=8)).month - 1) // 4 * 4 + 1, day=1).strftime('%Y-%m-%d')"/>
        <field name="l10n_mx_icsoe_deed">{PDF}</field>
        <field name="l10n_mx_icsoe_deed_filename">escritura_constitutiva.pdf</field>
    </record>
    <!-- The first registration, renewed by the current one when it expired. -->
    <record id="demo_repse_first" model="l10n_mx_icsoe.repse.registration">
        <field name="name">AR10234/2021</field>
        <field name="company_id" ref="base.main_company"/>
        <field name="registration_date" eval="(DateTime.today() - relativedelta(years=5, months=2)).strftime('%Y-%m-%d')"/>
        <field name="renewal_requested_date" eval="(DateTime.today() - relativedelta(years=2, months=3)).strftime('%Y-%m-%d')"/>
    </record>
    <record id="demo_repse_first_service_cleaning" model="l10n_mx_icsoe.repse.service">
        <field name="registration_id" ref="demo_repse_first"/>
        <field name="folio">11873</field>
        <field name="description">Servicios especializados de limpieza y sanitización de instalaciones industriales</field>
    </record>
    <record id="demo_repse" model="l10n_mx_icsoe.repse.registration">
        <field name="name">AR23457/2024</field>
        <field name="company_id" ref="base.main_company"/>
        <field name="registration_date" eval="(DateTime.today() - relativedelta(years=2, months=2)).strftime('%Y-%m-%d')"/>
        <field name="renewed_registration_id" ref="demo_repse_first"/>
    </record>

    <record id="demo_repse_service_cleaning" model="l10n_mx_icsoe.repse.service">
        <field name="registration_id" ref="demo_repse"/>
        <field name="folio">22468</field>
        <field name="description">Servicios especializados de limpieza y sanitización de instalaciones industriales</field>
    </record>
    <record id="demo_repse_service_maintenance" model="l10n_mx_icsoe.repse.service">
        <field name="registration_id" ref="demo_repse"/>
        <field name="folio">22469</field>
        <field name="description">Mantenimiento preventivo y correctivo de maquinaria y equipo industrial</field>
    </record>""")
# SISUB: registros patronales and the articles of incorporation.
A(f"""    <record id="demo_nrp_main" model="l10n_mx_icsoe.nrp">
        <field name="name">{NRP_MAIN}</field>
        <field name="company_id" ref="base.main_company"/>
        <field name="description">León</field>
        <field name="is_principal" eval="True"/>
    </record>
    <record id="demo_nrp_irapuato" model="l10n_mx_icsoe.nrp">
        <field name="name">{NRP_IRAPUATO}</field>
        <field name="company_id" ref="base.main_company"/>
        <field name="description">Irapuato</field>
    </record>
""")
clients = [
    (
        "AUTOPARTES DEL CENTRO SA DE CV",
        "ACE",
        "compras@autopartescentro.example.mx",
        "4421002003",
        "4422003004",
        "base.state_mx_qro",
        "Querétaro",
        False,
    ),
    (
        "ALIMENTOS LA HACIENDA SAPI DE CV",
        "AHA",
        "proveedores@lahacienda.example.mx",
        "4771112233",
        "4773334455",
        "base.state_mx_gto",
        "León",
        True,
    ),
    (
        "HOSPITAL SAN JOSE DEL BAJIO SC",
        "HSJ",
        "administracion@hsjbajio.example.mx",
        "4622223344",
        "4625556677",
        "base.state_mx_gto",
        "Irapuato",
        False,
    ),
    (
        "PLASTICOS INDUSTRIALES NORTE SA DE CV",
        "PIN",
        "contacto@plasticosnorte.example.mx",
        "8183334455",
        "8188889900",
        "base.state_mx_nl",
        "Monterrey",
        False,
    ),
    (
        "CENTRO LOGISTICO OCCIDENTE SA DE CV",
        "CLO",
        "operaciones@clo.example.mx",
        "3334445566",
        "3336667788",
        "base.state_mx_jal",
        "Zapopan",
        False,
    ),
]
for i, (name, ini, email, mobile, phone, state, city, other) in enumerate(clients, 1):
    rfc = make_rfc(f"{ini}{10 + i:02d}0{i}1{i}{'AB'[i % 2]}{i}")
    assert check_rfc(rfc).checksum_ok, rfc
    A(f'''    <record id="demo_client_{i}" model="res.partner">
        <field name="name">{name.title().replace(" Sa De Cv", " SA de CV").replace(" Sapi De Cv", " SAPI de CV").replace(" Sc", " SC")}</field>
        <field name="is_company" eval="True"/>
        <field name="vat">{rfc}</field>
        <field name="country_id" ref="base.mx"/>
        <field name="state_id" ref="{state}"/>
        <field name="city">{city}</field>
        <field name="street">Av. Industria {100 * i + 5}</field>
        <field name="zip">{37000 + 110 * i}</field>
        <field name="email">{email}</field>
        <field name="mobile">{mobile}</field>
        <field name="phone">{phone}</field>''')
    if i < 5:
        A(
            f"""        <field name="l10n_mx_icsoe_nrp">{"BCGHJ"[i - 1]}{i}{i + 2}{45678 + 11 * i:05d}10{i}</field>"""
        )
    if other:
        A("""        <field name="l10n_mx_icsoe_other_address" eval="True"/>
        <field name="l10n_mx_icsoe_street">Calle Hacienda Vieja</field>
        <field name="l10n_mx_icsoe_street_number">48</field>
        <field name="l10n_mx_icsoe_colony">Jardines del Moral</field>
        <field name="l10n_mx_icsoe_zip">37160</field>
        <field name="l10n_mx_icsoe_city">León</field>
        <field name="l10n_mx_icsoe_state_id" ref="base.state_mx_gto"/>""")
    A("    </record>")
for i in range(1, 31):
    sex = "H" if i % 2 else "M"
    given = random.choice(given_m if sex == "H" else given_f)
    s1, s2 = random.sample(surn, 2)
    birth = dt.date(
        random.randint(1970, 2003), random.randint(1, 12), random.randint(1, 28)
    )
    curp = curp_for(given, s1, s2, birth, sex, random.choice(states))
    validate_curp(curp)
    nss = make_nss(
        f"{random.randint(10, 99)}{random.randint(10, 24):02d}{birth.year % 100:02d}{random.randint(0, 9999):04d}"
    )
    validate_nss(nss)
    nrp = (
        '\n        <field name="l10n_mx_icsoe_nrp_id" ref="demo_nrp_irapuato"/>'
        if 9 <= i <= 12
        else ""
    )
    sbc1 = round(random.uniform(278.8, 900), 2)
    sbc2 = round(sbc1 * 1.06, 2)
    A(f'''    <record id="demo_worker_{i:02d}" model="hr.employee">
        <field name="name">{title(given)} {title(s1)} {title(s2)}</field>
        <field name="company_id" ref="base.main_company"/>
        <field name="ssnid">{nss}</field>
        <field name="l10n_mx_curp">{curp}</field>
        <field name="job_title">{"Técnico de mantenimiento" if i % 3 == 0 else "Auxiliar de limpieza"}</field>{nrp}
    </record>
    <record id="demo_worker_{i:02d}_sbc_1" model="l10n_mx_icsoe.sbc">
        <field name="employee_id" ref="demo_worker_{i:02d}"/>
        <field name="date_from" eval="{pstart(3)}"/>
        <field name="amount">{sbc1:.2f}</field>
        <field name="source">Alta IMSS</field>
    </record>
    <record id="demo_worker_{i:02d}_sbc_2" model="l10n_mx_icsoe.sbc">
        <field name="employee_id" ref="demo_worker_{i:02d}"/>
        <field name="date_from" eval="{pstart(1, 14)}"/>
        <field name="amount">{sbc2:.2f}</field>
        <field name="source">Modificación salarial</field>
    </record>''')
# contracts: (k periods back, day offset, client, service, state, workers, end_offset)
contracts = [
    (
        2,
        5,
        1,
        "cleaning",
        "ended",
        range(1, 5),
        100,
        "Limpieza integral de la planta de ensamble",
    ),
    (
        2,
        20,
        2,
        "maintenance",
        "active",
        range(5, 9),
        None,
        "Mantenimiento preventivo de líneas de envasado",
    ),
    (
        2,
        60,
        3,
        "cleaning",
        "active",
        range(9, 13),
        None,
        "Limpieza y sanitización de áreas hospitalarias",
    ),
    (
        1,
        3,
        4,
        "maintenance",
        "active",
        range(13, 17),
        None,
        "Mantenimiento correctivo de inyectoras",
    ),
    (
        1,
        31,
        5,
        "cleaning",
        "active",
        range(17, 22),
        None,
        "Limpieza de almacenes y andenes",
    ),
    (
        1,
        75,
        1,
        "maintenance",
        "active",
        range(0),
        None,
        "Mantenimiento de compresores y subestación",
    ),
    (
        0,
        2,
        2,
        "cleaning",
        "active",
        range(22, 27),
        None,
        "Limpieza nocturna de cocinas industriales",
    ),
    (
        0,
        9,
        3,
        "maintenance",
        "draft",
        range(27, 31),
        None,
        "Mantenimiento de equipo biomédico no clínico",
    ),
]
for n, (k, d, cl, svc, state, workers, endoff, obj) in enumerate(contracts, 1):
    if n in (2, 3):  # the signed contract, for the SISUB contracts PDF
        A(f"""    <record id="demo_contract_{n}_document" model="ir.attachment">
        <field name="name">Contrato CSE-{n:03d} firmado.pdf</field>
        <field name="datas">{PDF}</field>
        <field name="mimetype">application/pdf</field>
    </record>""")
    A(f'''    <record id="demo_contract_{n}" model="l10n_mx_icsoe.contract">
        <field name="name">CSE-{n:03d}</field>
        <field name="company_id" ref="base.main_company"/>
        <field name="partner_id" ref="demo_client_{cl}"/>
        <field name="repse_service_id" ref="demo_repse_service_{svc}"/>
        <field name="object">{obj}</field>
        <field name="date_start" eval="{pstart(k, d)}"/>
        <field name="sisub_number">{2024000 + n}</field>
        <field name="sisub_contract_type">services</field>
        <field name="amount_untaxed">{(180 + 35 * n) * 1000:.2f}</field>
        <field name="estimated_worker_count">{max(len(workers), 4)}</field>''')
    if n in (2, 3):
        A(
            f"""        <field name="document_ids" eval="[Command.set([ref('demo_contract_{n}_document')])]"/>"""
        )
    if endoff:
        A(f'''        <field name="date_end" eval="{pstart(k, d + endoff)}"/>''')
    A(f"""        <field name="state">{state}</field>
    </record>""")
    city, state_ref, street = {
        1: ("Querétaro", "base.state_mx_qro", "Av. Industria 105"),
        2: ("León", "base.state_mx_gto", "Blvd. Aeropuerto 2210"),
        3: ("Irapuato", "base.state_mx_gto", "Calzada Insurgentes 315"),
        4: ("Monterrey", "base.state_mx_nl", "Av. Ruiz Cortines 4020"),
        5: ("Zapopan", "base.state_mx_jal", "Periférico Poniente 7800"),
    }[cl]
    A(f"""    <record id="demo_contract_{n}_site" model="l10n_mx_icsoe.work.site">
        <field name="contract_id" ref="demo_contract_{n}"/>
        <field name="name">Planta del cliente</field>
        <field name="street">{street.rsplit(" ", 1)[0]}</field>
        <field name="street_number">{street.rsplit(" ", 1)[1]}</field>
        <field name="colony">Zona Industrial</field>
        <field name="zip">{37000 + 110 * cl}</field>
        <field name="city">{city}</field>
        <field name="state_id" ref="{state_ref}"/>
    </record>""")
    if n == 2:  # an amendment raises the amount from the second month on
        A(f"""    <record id="demo_contract_2_amendment" model="l10n_mx_icsoe.contract.amendment">
        <field name="contract_id" ref="demo_contract_2"/>
        <field name="date" eval="{pstart(k, d + 45)}"/>
        <field name="amount_untaxed">{(180 + 35 * n) * 1000 * 1.15:.2f}</field>
        <field name="name">Convenio modificatorio 1: turno adicional</field>
        <field name="document">{PDF}</field>
        <field name="document_filename">convenio_modificatorio_1.pdf</field>
    </record>""")
    for w in workers:
        A(f'''    <record id="demo_assignment_{n}_{w:02d}" model="l10n_mx_icsoe.contract.assignment">
        <field name="contract_id" ref="demo_contract_{n}"/>
        <field name="employee_id" ref="demo_worker_{w:02d}"/>
        <field name="date_from" eval="{pstart(k, d)}"/>''')
        if endoff:
            A(f'''        <field name="date_to" eval="{pstart(k, d + endoff)}"/>''')
        A("    </record>")
A("</odoo>")
(
    __import__("pathlib").Path(__file__).resolve().parents[1]
    / "l10n_mx_icsoe/demo/l10n_mx_icsoe_demo.xml"
).write_text("\n".join(out) + "\n")
print("ok", comp_rfc)
