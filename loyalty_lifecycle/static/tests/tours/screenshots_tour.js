import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
import { registry } from "@web/core/registry";

// The till as a cashier sees it, for the screenshots of the README and the
// Apps menu (tests/screenshots/test_screenshots.py). The test finds a
// customer, a product and a programme in the demo data, puts them in
// window.lcScreenshots before starting the tour, and takes each picture while
// the tour waits on a pause step.
function pause(name) {
    return [
        {
            content: `ready for the screenshot "${name}"`,
            trigger: "body",
            run() {
                document.body.dataset.lcScreenshot = name;
            },
        },
        {
            content: `the screenshot "${name}" is taken`,
            trigger: "body:not([data-lc-screenshot])",
            timeout: 60000,
        },
    ];
}

registry.category("web_tour.tours").add("LoyaltyLifecycleScreenshots", {
    steps: () => {
        const shot = window.lcScreenshots || {};
        const customer = `.partner-list .partner-info:contains(${JSON.stringify(shot.customer)})`;
        return [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.addOrderline(shot.product, "1"),
            ProductScreen.clickPartnerButton(),
            {
                content: "type the phone as the customer says it",
                trigger: ".modal-dialog .input-group input",
                run: `edit ${shot.phone}`,
            },
            {
                content: "search on the server",
                trigger: ".search-more-button > button",
                run: "click",
            },
            {
                content: "the customer is found, with the stage",
                trigger: `${customer} .o_lc_stage`,
            },
            pause("pos_phone_search"),
            {
                content: "select the customer",
                trigger: customer,
                run: "click",
            },
            ProductScreen.customerIsSelected(shot.customer),
            PosLoyalty.claimReward(shot.program),
            {
                content: "the reward is on the order",
                trigger: ".order-container .orderline.fst-italic",
            },
            pause("pos_reward"),
        ].flat();
    },
});
