/** @odoo-module **/
/*
 * The accountant's path through an informativa: generate, see an error, fix the
 * source record, regenerate, confirm, register the IMSS folio and acuse, then
 * start a Corrección. Data comes from tests/test_tour.py.
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("l10n_mx_icsoe_filing_tour", {
    steps: () => [
        {
            content: "Generate the draft informativa",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_generate']",
            run: "click",
        },
        {
            content: "The contract without workers is an error",
            trigger: ".o_form_view .o_icsoe_errors:contains('error')",
        },
        {
            trigger: ".o_field_widget[name='contract_line_ids'] .o_data_row:contains('no worker is assigned')",
        },
        {
            content: "Open the source contracts",
            trigger: "button[name='action_open_source_contracts']",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('TOUR-1') td[name='name']",
            run: "click",
        },
        {
            content: "Assign a worker to the contract",
            trigger: ".o_form_view div[name='assignment_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: "div[name='assignment_ids'] .o_data_row div[name='employee_id'] input",
            run: "edit Tour Worker",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Worker')",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Back to the informativa",
            trigger: ".o_breadcrumb a:contains('ICSOE')",
            run: "click",
        },
        {
            content: "Regenerate from the fixed records",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_generate']:contains('Regenerate')",
            run: "click",
        },
        {
            content: "No error left",
            trigger: ".o_form_view .o_form_sheet:not(:has(.o_icsoe_errors))",
        },
        {
            content: "Confirm: the snapshot is frozen",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_confirm']",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Confirmed')",
        },
        {
            content: "Register the IMSS folio and the acuse",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Register Presentation')",
            run: "click",
        },
        {
            trigger: ".modal div[name='imss_folio'] input",
            run: "edit N262253432",
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
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Filed')",
        },
        {
            content: "Start a Corrección",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_new_correction']",
            run: "click",
        },
        {
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view .oe_title:contains('Corrección')",
        },
    ],
});
