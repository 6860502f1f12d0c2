/** @odoo-module **/
/*
 * ICSOE > Dashboard: per company, the year × cuatrimestre grid of every period
 * owed with the state of its informativa (and SISUB once it exists), the next
 * deadline and counters that open filtered lists. One server call:
 * l10n_mx_icsoe.dashboard.get_dashboard_data.
 */
import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";

const STATE_CLASSES = {
    missing: "text-bg-danger",
    draft: "text-bg-info",
    errors: "text-bg-warning",
    confirmed: "text-bg-primary",
    filed: "text-bg-success",
    replaced: "text-bg-secondary",
    voided: "text-bg-dark",
    not_owed: "o_icsoe_cell_muted",
    running: "o_icsoe_cell_muted",
};

export class IcsoeDashboard extends Component {
    static template = "l10n_mx_icsoe.Dashboard";
    static components = { Layout };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call(
            "l10n_mx_icsoe.dashboard",
            "get_dashboard_data",
            []
        );
    }

    cellClass(cell) {
        const classes = [STATE_CLASSES[cell.state] || "text-bg-light"];
        if (cell.overdue) {
            classes.push("o_icsoe_cell_overdue");
        }
        return classes.join(" ");
    }

    sisubClass(cell) {
        return STATE_CLASSES[cell.sisub.state] || "text-bg-light";
    }

    isClickable(cell) {
        return !["not_owed", "running"].includes(cell.state) || cell.filing_id;
    }

    fmtDate(value) {
        return value ? formatDate(deserializeDate(value)) : "";
    }

    daysLeftText(days) {
        if (days > 1) {
            return _t("%(days)s days left", { days });
        }
        if (days === 1) {
            return _t("1 day left");
        }
        if (days === 0) {
            return _t("due today");
        }
        return _t("%(days)s days late", { days: -days });
    }

    async openPeriod(company, cell) {
        if (!this.isClickable(cell)) {
            return;
        }
        const action = await this.orm.call("l10n_mx_icsoe.dashboard", "action_open_period", [
            company.id,
            cell.year,
            cell.period,
        ]);
        return this.action.doAction(action);
    }

    openSisub(company, cell) {
        if (!cell.sisub.id) {
            return;
        }
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "l10n_mx_icsoe.sisub",
            res_id: cell.sisub.id,
            views: [[false, "form"]],
        });
    }

    openNextDeadline(company) {
        const next = company.next_deadline;
        return this.openPeriod(company, { year: next.year, period: next.period, state: "missing" });
    }

    openFilings(company, name, domain, context = {}) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            name,
            res_model: "l10n_mx_icsoe.filing",
            views: [
                [false, "list"],
                [false, "kanban"],
                [false, "form"],
            ],
            domain: [["company_id", "=", company.id], ...domain],
            context,
        });
    }

    openCounter(company, counter) {
        switch (counter) {
            case "overdue":
                return this.openFilings(company, _t("Missed deadline"), [["is_overdue", "=", true]]);
            case "errors":
                return this.openFilings(company, _t("Informativas with errors"), [
                    ["state", "=", "draft"],
                    ["error_count", ">", 0],
                ]);
            case "no_acuse":
                return this.openFilings(company, _t("Filed without acuse"), [
                    ["state", "in", ["filed", "replaced"]],
                    ["acuse", "=", false],
                ]);
            case "missing": {
                const first = company.first_missing;
                if (first) {
                    return this.openPeriod(company, { ...first, state: "missing" });
                }
                return;
            }
            case "renewals":
                return this.action.doAction({
                    type: "ir.actions.act_window",
                    name: _t("REPSE renewals due"),
                    res_model: "l10n_mx_icsoe.repse.registration",
                    views: [
                        [false, "list"],
                        [false, "form"],
                    ],
                    domain: [["id", "in", company.renewal_ids]],
                });
        }
    }

    get counters() {
        return [
            { key: "overdue", label: _t("Missed deadline"), icon: "fa-clock-o", danger: true },
            { key: "missing", label: _t("Missing"), icon: "fa-question-circle", danger: true },
            { key: "errors", label: _t("With errors"), icon: "fa-exclamation-triangle", danger: true },
            { key: "no_acuse", label: _t("Filed without acuse"), icon: "fa-file-pdf-o", danger: false },
            { key: "renewals", label: _t("REPSE renewals due"), icon: "fa-certificate", danger: false },
        ];
    }

    openRegistrations() {
        return this.action.doAction("l10n_mx_icsoe.action_repse_registration");
    }
}

registry.category("actions").add("l10n_mx_icsoe.dashboard", IcsoeDashboard);
