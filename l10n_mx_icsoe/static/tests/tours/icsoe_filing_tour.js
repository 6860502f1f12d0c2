/** @odoo-module **/
/*
 * The accountant's desk, on a desktop (1366×768) and on a phone (390×844):
 * open the dashboard, see the period owed with no informativa, create and
 * generate it, open the source record of an error from its line, fix it,
 * re-check the line, confirm, download one contract's worker CSV, and register
 * the presentation. Data comes from tests/test_tour.py.
 */
import { registry } from "@web/core/registry";

/** A button of the form's header: in the status bar on a desktop, in the
 * actions (cog) menu on a phone. */
function headerButton(selector, content) {
    return [
        {
            content,
            trigger: `.o_form_view .o_statusbar_buttons ${selector}`,
            run: "click",
            isActive: ["desktop"],
        },
        {
            content: `${content}: open the actions menu`,
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
            isActive: ["mobile"],
        },
        {
            content,
            trigger: `.o-dropdown--menu ${selector}`,
            run: "click",
            isActive: ["mobile"],
        },
    ];
}

registry.category("web_tour.tours").add("l10n_mx_icsoe_desk_tour", {
    steps: () => [
        {
            content: "The dashboard shows the period owed with no informativa",
            trigger: ".o_icsoe_dashboard .o_icsoe_cell[data-state='missing']",
            run: "click",
        },
        {
            content: "A new informativa of that period",
            trigger: ".o_form_view .o_field_widget[name='period'] select, .o_form_view .o_field_widget[name='period']",
        },
        ...headerButton("button[name='action_generate']", "Generate it"),
        {
            content: "Generate ends with the counts",
            trigger: ".o_notification:contains('1 error(s)')",
        },
        {
            content: "The client without e-mail is an error",
            trigger: ".o_form_view .o_icsoe_errors",
        },
        {
            content: "Open the client from the line with the error",
            trigger: "div[name='contract_line_ids'] button.o_icsoe_fix_client",
            run: "click",
        },
        {
            content: "Fix the client's e-mail",
            trigger: ".modal div[name='email'] input",
            run: "edit compras@tour.example.mx",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Re-check the line",
            trigger: "div[name='contract_line_ids'] button.o_icsoe_recheck",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('no error left')",
        },
        {
            content: "No error left",
            trigger: ".o_form_view .o_form_sheet:not(:has(.o_icsoe_errors))",
        },
        ...headerButton("button.o_icsoe_confirm.btn-primary", "Confirm: the exports are frozen"),
        {
            trigger: ".o_form_view .o_field_widget[name='confirmed_at']",
        },
        {
            content: "Download the contract's worker CSV",
            trigger: "div[name='contract_line_ids'] button.o_icsoe_csv",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.o_error_dialog)) .o_field_widget[name='confirmed_at']",
        },
        ...headerButton("button:contains('Register Presentation')", "Register the presentation"),
        {
            trigger: ".modal div[name='imss_folio'] input",
            run: "edit N262253432",
        },
        {
            trigger: ".modal div[name='filed_time'] input",
            run: "edit 10:30",
        },
        {
            trigger: ".modal div[name='acuse']",
            run() {
                const input = document.querySelector(".modal div[name='acuse'] input[type='file']");
                const files = new DataTransfer();
                files.items.add(new File(["%PDF-1.4 acuse"], "acuse.pdf", { type: "application/pdf" }));
                input.files = files.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger: ".modal div[name='acuse'] .o_clear_file_button",
        },
        {
            trigger: ".modal button[name='action_register']",
            run: "click",
        },
        {
            content: "Filed",
            trigger: ".o_form_view .o_field_widget[name='imss_folio']:contains('N262253432')",
        },
    ],
});
