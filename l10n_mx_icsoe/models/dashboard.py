"""ICSOE > Dashboard: where each company stands, period by period.

One server call (``get_dashboard_data``) feeds the OWL dashboard: per company,
a year × cuatrimestre grid of every period owed with the state of its
informativa (and of its SISUB report, once that model exists), the next
deadline and the counters that open filtered lists. It reads in a constant
number of queries whatever the number of companies, periods and filings.

The smart buttons between clients, contracts, informativas and workers live
here too: they only open filtered lists.
"""

from datetime import timedelta

from odoo import api, models

from ..icsoe import periods, repse

SISUB_MODEL = "l10n_mx_icsoe.sisub"
# Order in which a period's filings stand for it on the dashboard.
OPEN_STATES = ("draft", "confirmed")


def _period_key(year, period):
    return f"{year}-{period}"


class L10nMxIcsoeDashboard(models.AbstractModel):
    _name = "l10n_mx_icsoe.dashboard"
    _description = "ICSOE Dashboard"

    # ------------------------------------------------------------------ data

    @api.model
    def _state_labels(self):
        return {
            "missing": self.env._("Missing"),
            "draft": self.env._("Draft"),
            "errors": self.env._("Errors"),
            "confirmed": self.env._("Confirmed"),
            "filed": self.env._("Filed"),
            "replaced": self.env._("Replaced"),
            "voided": self.env._("Voided"),
            "not_owed": self.env._("Not owed"),
            "running": self.env._("In course"),
        }

    @api.model
    def _load_chains(self, companies):
        """{company id: icsoe.repse.Chain} and the raw registrations, in one query."""
        rows = (
            self.env["l10n_mx_icsoe.repse.registration"]
            .sudo()
            .with_context(active_test=False)
            .search_read(
                [("company_id", "in", companies.ids)],
                [
                    "name",
                    "company_id",
                    "registration_date",
                    "cancel_date",
                    "renewal_requested_date",
                    "renewed_registration_id",
                    "state",
                    "renewal_date",
                    "expiry_date",
                ],
            )
        )
        by_company = {}
        for row in rows:
            by_company.setdefault(row["company_id"][0], []).append(row)
        chains = {}
        for company in companies:
            chains[company.id] = repse.Chain(
                [
                    repse.Registration(
                        row["id"],
                        row["name"],
                        row["registration_date"],
                        row["cancel_date"] or None,
                        row["renewal_requested_date"] or None,
                        row["renewed_registration_id"]
                        and row["renewed_registration_id"][0],
                    )
                    for row in by_company.get(company.id, [])
                ],
                company.l10n_mx_icsoe_pending_renewal_valid,
            )
        return chains, by_company

    @api.model
    def _load_reports(self, model_name, companies, fields_):
        Model = self.env[model_name]
        fields_ = [f for f in fields_ if f in Model._fields]
        return Model.search_read(
            [("company_id", "in", companies.ids)],
            fields_,
            order="year, period, id",
        )

    @api.model
    def _standing(self, reports, type_field, original_types):
        """(state, report) that stands for one period's reports on the grid."""
        if not reports:
            return "missing", None
        in_progress = [r for r in reports if r["state"] in OPEN_STATES]
        if in_progress:
            report = in_progress[-1]
            if report["state"] == "draft" and report.get("error_count"):
                return "errors", report
            return report["state"], report
        effective = [
            r for r in reports if r["state"] == "filed" and r[type_field] != "void"
        ]
        if effective:
            return "filed", effective[-1]
        voided = [r for r in reports if r["state"] == "voided"]
        if voided:
            return "voided", voided[-1]
        return reports[-1]["state"], reports[-1]

    @api.model
    def get_dashboard_data(self):
        """Everything the dashboard shows, for the companies the user works in."""
        today = self.env["l10n_mx_icsoe.filing"]._today_mexico()
        labels = self._state_labels()
        companies = self.env.companies.sudo()
        # One read of what the grid needs from the companies.
        companies.fetch(
            [
                "name",
                "vat",
                "l10n_mx_icsoe_pending_renewal_valid",
                "l10n_mx_icsoe_filings_since",
            ]
        )
        chains, registrations = self._load_chains(companies)
        filings = self._load_reports(
            "l10n_mx_icsoe.filing",
            companies,
            [
                "company_id",
                "year",
                "period",
                "filing_type",
                "state",
                "error_count",
                "warning_count",
                "deadline",
                "name",
            ],
        )
        has_sisub = SISUB_MODEL in self.env
        sisub_reports = []
        sisub_type = None
        if has_sisub:
            Sisub = self.env[SISUB_MODEL]
            sisub_type = getattr(Sisub, "_report_type_field", "filing_type")
            sisub_reports = self._load_reports(
                SISUB_MODEL,
                companies,
                ["company_id", "year", "period", sisub_type, "state", "error_count"],
            )
        no_acuse = dict(
            self.env["l10n_mx_icsoe.filing"]._read_group(
                [
                    ("company_id", "in", companies.ids),
                    ("state", "in", ("filed", "replaced")),
                    ("acuse", "=", False),
                ],
                ["company_id"],
                ["__count"],
            )
        )

        def group(reports):
            grouped = {}
            for report in reports:
                key = (report["company_id"][0], report["year"], int(report["period"]))
                grouped.setdefault(key, []).append(report)
            return grouped

        filings_by_period = group(filings)
        sisub_by_period = group(sisub_reports)

        # Which periods each company owes, and the span of years to show.
        current = periods.period_of(today)
        owed = {}
        spans = {}
        for company in companies:
            since = company.l10n_mx_icsoe_filings_since or None
            owed[company.id] = set(chains[company.id].owed_periods(today, since))
            years = {y for y, _p in owed[company.id]}
            years |= {y for (c, y, _p) in filings_by_period if c == company.id}
            if years or registrations.get(company.id):
                years |= {current[0]}
            spans[company.id] = sorted(years, reverse=True)

        # Deadlines: one read of the non-working days for every year shown.
        all_years = {y for years in spans.values() for y in years}
        holidays = set()
        if all_years:
            holidays = self.env["l10n_mx_icsoe.holiday"]._dates(
                periods.nominal_deadline(min(all_years), 1),
                periods.nominal_deadline(max(all_years), 3) + timedelta(days=14),
            )

        def deadline_of(year, period):
            return periods.next_business_day(
                periods.nominal_deadline(year, period), holidays
            )

        result = []
        for company in companies:
            result.append(
                self._company_data(
                    company,
                    today,
                    current,
                    spans[company.id],
                    owed[company.id],
                    filings_by_period,
                    sisub_by_period if has_sisub else None,
                    sisub_type,
                    registrations.get(company.id, []),
                    no_acuse.get(company, 0),
                    deadline_of,
                    labels,
                )
            )
        return {
            "today": today.isoformat(),
            "has_sisub": has_sisub,
            "labels": labels,
            "companies": result,
            "is_manager": self.env.user.has_group("l10n_mx_icsoe.group_icsoe_manager"),
        }

    @api.model
    def _company_data(
        self,
        company,
        today,
        current,
        years,
        owed,
        filings_by_period,
        sisub_by_period,
        sisub_type,
        registrations,
        no_acuse_count,
        deadline_of,
        labels,
    ):
        rows = []
        missing, overdue_filings, error_filings = [], 0, 0
        pending = []  # (deadline, year, period, filing) owed and not filed yet
        for year in years:
            cells = []
            for period in (1, 2, 3):
                key = (company.id, year, period)
                reports = filings_by_period.get(key, [])
                deadline = deadline_of(year, period)
                is_owed = (year, period) in owed
                state, filing = self._standing(
                    reports, "filing_type", ("normal", "no_info")
                )
                if state == "missing" and not is_owed:
                    state = "running" if (year, period) >= current else "not_owed"
                is_overdue = bool(
                    (is_owed or reports) and deadline < today and state != "filed"
                )
                if filing and filing["state"] in OPEN_STATES:
                    if filing["filing_type"] in ("normal", "no_info") and (
                        deadline < today
                    ):
                        overdue_filings += 1
                    if filing["state"] == "draft" and filing["error_count"]:
                        error_filings += 1
                if state == "missing":
                    missing.append((year, period))
                if (is_owed or reports) and state != "filed":
                    pending.append((deadline, year, period, filing))
                cell = {
                    "key": _period_key(year, period),
                    "year": year,
                    "period": period,
                    "state": state,
                    "label": labels[state],
                    "owed": is_owed,
                    "overdue": is_overdue,
                    "deadline": deadline.isoformat(),
                    "filing_id": filing and filing["id"],
                    "filing_name": filing and filing["name"],
                    "filing_type": filing and filing["filing_type"],
                    "error_count": filing and filing["error_count"] or 0,
                    "warning_count": filing and filing["warning_count"] or 0,
                    "count": len(reports),
                }
                if sisub_by_period is not None:
                    sisub_reports = sisub_by_period.get(key, [])
                    sisub_state, sisub = self._standing(
                        sisub_reports, sisub_type, ("normal",)
                    )
                    if sisub_state == "missing" and not is_owed:
                        sisub_state = (
                            "running" if (year, period) >= current else "not_owed"
                        )
                    cell["sisub"] = {
                        "state": sisub_state,
                        "label": labels.get(sisub_state, sisub_state),
                        "id": sisub and sisub["id"],
                    }
                cells.append(cell)
            rows.append({"year": year, "cells": cells})

        next_deadline = None
        if pending:
            deadline, year, period, filing = min(pending, key=lambda p: p[0])
        else:
            year, period = current
            deadline, filing = deadline_of(year, period), None
        next_deadline = {
            "key": _period_key(year, period),
            "year": year,
            "period": period,
            "date": deadline.isoformat(),
            "days_left": (deadline - today).days,
            "filing_id": filing and filing["id"],
        }
        renewals = [
            r["id"]
            for r in registrations
            if (r["state"] == "active" and r["renewal_date"] <= today)
            or r["state"] == "expired"
        ]
        return {
            "id": company.id,
            "name": company.name,
            "vat": company.vat or "",
            "has_registration": bool(registrations),
            "rows": rows,
            "next_deadline": next_deadline,
            "first_missing": missing
            and {"year": min(missing)[0], "period": min(missing)[1]},
            "counters": {
                "overdue": overdue_filings,
                "missing": len(missing),
                "errors": error_filings,
                "no_acuse": no_acuse_count,
                "renewals": len(renewals),
            },
            "renewal_ids": renewals,
        }

    # ------------------------------------------------------------------ actions

    @api.model
    def action_open_period(self, company_id, year, period):
        """Open the informativa standing for a period, or a new one for it."""
        company = self.env["res.company"].browse(company_id)
        if company not in self.env.user.company_ids:
            company = self.env.company
        Filing = self.env["l10n_mx_icsoe.filing"]
        reports = Filing.search_read(
            [
                ("company_id", "=", company.id),
                ("year", "=", year),
                ("period", "=", str(period)),
            ],
            ["filing_type", "state", "error_count", "name"],
            order="year, period, id",
        )
        _state, filing = self._standing(reports, "filing_type", ("normal", "no_info"))
        action = {
            "type": "ir.actions.act_window",
            "res_model": "l10n_mx_icsoe.filing",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
        if filing:
            action["res_id"] = filing["id"]
        else:
            action["context"] = {
                "default_company_id": company.id,
                "default_year": year,
                "default_period": str(period),
                "allowed_company_ids": [company.id],
            }
            action["name"] = self.env._(
                "New informativa %(year)s-%(period)s", year=year, period=period
            )
        return action
