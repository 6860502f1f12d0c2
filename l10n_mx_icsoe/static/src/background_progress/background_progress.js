/** @odoo-module **/
/*
 * A progress bar that follows a background job: while it is shown (the job is
 * queued or running), the view reloads its record every few seconds, unless
 * the user has unsaved changes. Once the job ends the view hides the bar and
 * the reloading stops with it.
 */
import {onMounted, onWillUnmount} from "@odoo/owl";
import {
    ProgressBarField,
    progressBarField,
} from "@web/views/fields/progress_bar/progress_bar_field";
import {registry} from "@web/core/registry";

export const REFRESH_MS = 3000;

export class BackgroundProgressField extends ProgressBarField {
    setup() {
        super.setup();
        let timer = null;
        let alive = true;
        // One reload at a time: the next is planned once the previous is done.
        const plan = () => {
            timer = setTimeout(async () => {
                const record = this.props.record;
                if (!(await record.isDirty())) {
                    await record.model.load();
                }
                if (alive) {
                    plan();
                }
            }, REFRESH_MS);
        };
        onMounted(plan);
        onWillUnmount(() => {
            alive = false;
            clearTimeout(timer);
        });
    }
}

registry.category("fields").add("icsoe_background_progress", {
    ...progressBarField,
    component: BackgroundProgressField,
});
