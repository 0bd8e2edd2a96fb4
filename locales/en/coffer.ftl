# Coffer's messages in English. Every key here must also exist in locales/nb/coffer.ftl
# (a unit test in src/i18n.rs checks it).

# The one source of the independence statement; domain::INDEPENDENCE_STATEMENT is this text.
independence-statement = Sponsorship does not buy influence: sponsors get no say in moderation, rules or who may post here. Perks are display only: a listed name, a logo, a link and a fediverse handle.

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

source-stripe = card payment (Stripe)
source-patreon = Patreon
source-liberapay = Liberapay
source-opencollective = Open Collective
source-kofi = Ko-fi
source-github = GitHub Sponsors
source-bank = bank transfer
source-manual = recorded by the treasurer

interval-month = every month
interval-year = every year

receipt-subject = Receipt { $number } from { $instance }
credit-note-subject = Credit note { $number } from { $instance }
statement-subject = Your { $year } statement from { $instance }

receipt-title = Receipt
credit-note-title = Credit note
statement-title = Annual statement { $year }

greeting = Hello { $name },
receipt-intro = thank you for supporting { $instance }. This is your receipt; please keep it for your records.
credit-note-intro = we have refunded money you gave to { $instance }. This credit note corrects receipt { $corrects }.
credit-note-intro-unnumbered = we have refunded money you gave to { $instance }. This is your credit note.
statement-intro = here are your donations to { $instance } in { $year }, and any refunds, with their receipt numbers.

label-receipt-number = Receipt number
label-credit-note-number = Credit note number
label-corrects = Corrects receipt
label-donor = Donor
label-amount = Amount
label-refunded = Refunded
label-date = Date
label-source = Paid by
label-pledge = Pledge
label-kind = Document
label-net-total = Net total

kind-receipt = receipt
kind-credit-note = credit note

pledge-line = { $amount } { $interval }
pledge-manage = To change or cancel your pledge, reply to this message or write to the treasurer of { $instance }; payments through a platform (Stripe, Patreon, Liberapay, Open Collective) can also be changed there.
receipt-ledger-proof = This is entry { $leaf } of our public ledger log. Once this month's checkpoint is signed, the proof that it is in the signed books is here:
receipt-self-service = To change how you are shown on the sponsor wall, or to cancel a monthly or yearly donation, use this link (it works for seven days):

automatic-note = This message was sent automatically by { $instance }'s funding ledger.

# The public pages.
wall-title = Who funds { $instance }
wall-lede = This server runs on the support of its community. Thank you to everyone below.
wall-goal-heading = This month
wall-goal-line = { $recurring } a month in recurring support, against running costs of { $goal } a month.
wall-goal-no-costs = { $recurring } a month in recurring support. No running costs are recorded yet.
wall-goal-progress = Share of the monthly running costs covered
wall-goal-percent = { $percent }% of the monthly running costs are covered.
wall-empty-heading = No sponsors yet
wall-empty-intro = This wall is ready but empty. To get started, the treasurer can:
wall-empty-token = create an API token:
wall-empty-api = add sponsor tiers, donors and their pledges through the admin API, described in
wall-empty-demo = or try it with demo data on an empty database:
tier-minimum = From { $amount } a month
tier-empty = No { $tier } sponsors yet.
tier-all = All { $count } { $tier } sponsors
tier-page-title = { $tier } sponsors of { $instance }
tier-page-lede = { $count } sponsors, page { $page } of { $pages }.
tier-page-nav = Pages of { $tier } sponsors
page-previous = Previous page
page-next = Next page
back-to-wall = Back to the sponsor wall
sponsor-amount = { $amount } a month
sponsor-logo = Logo of { $name }
sponsor-logo-anonymous = Logo of a { $tier } sponsor
sponsor-unnamed = A sponsor
anonymous-heading = And { $count } more
anonymous-text = { $count ->
    [one] One supporter gives
   *[other] { $count } supporters give
} without being named here. Thank you.
independence-heading = Sponsorship buys no influence
footer-powered = Powered by Coffer
footer-json = sponsors as JSON
footer-api = API
language-switch = Language

# The donation page, its answers, and donor self-service.
donate-title = Support { $instance }
donate-lede = Choose a tier or an amount, once, monthly or yearly. You decide what the sponsor wall shows of you.
donate-back-to-wall = Back to the sponsor wall
donate-manage-link = Manage your donation
donate-fix-errors = Please fix the fields marked below; nothing has been charged.
donate-bank-heading = Pay by bank transfer
donate-bank-by-email = The treasurer will send you the bank details by email.
donate-bank-pending = Your pledge is recorded as pending until the treasurer sees your transfer.
donate-choose-tier = Choose a tier
donate-tier-floor = from { $monthly } a month, or { $yearly } once or yearly
donate-perks = The wall shows: { $perks }.
donate-perks-none = Counted in the totals; not named on the wall.
donate-perk-name = your name
donate-perk-logo = your logo
donate-perk-link = a link to your site
donate-perk-handle = your fediverse handle
donate-own-amount = Your own amount
donate-own-amount-hint = Any amount; your tier follows from what you give.
donate-amount = Amount ({ $currency })
donate-amount-hint = Like 25 or 25.50. A tier's amount is its minimum.
donate-frequency = How often
donate-once = Once
donate-monthly = Monthly
donate-yearly = Yearly
donate-email = Email address
donate-email-hint = For your receipt and a link to change your choices later. Never shown.
donate-shown-as = How to be shown on the wall
donate-name = Name
donate-website = Website
donate-handle = Fediverse handle
donate-consent-name = Show my name
donate-consent-link = Show a link to my website
donate-consent-handle = Show my fediverse handle
donate-consent-logo = Show my logo (the treasurer adds it later, if the tier shows logos)
donate-anonymous = Stay anonymous: count me in the totals only
donate-preview-heading = Preview
donate-preview-anonymous = You will be counted among the anonymous supporters.
donate-preview-logo = [your logo]
donate-preview-tier = As a { $tier } sponsor.
donate-preview-button = Update the preview
donate-pay-button = Continue to payment
donate-pledge-button = Pledge by bank transfer
donate-anonymous-name = Anonymous supporter
donate-product = Donation to { $instance }
donate-product-tier = { $tier } sponsorship of { $instance }
donate-error-tier = Choose one of the tiers shown, or your own amount.
donate-error-frequency = Choose once, monthly or yearly.
donate-error-amount = Enter an amount in { $currency }, like 25 or 25.50.
donate-error-amount-large = This amount is larger than we can take online; please contact the treasurer.
donate-error-below-tier = { $tier } starts at { $floor } for this choice; raise the amount or choose another tier.
donate-error-email = Enter an email address like name@example.org.
donate-error-name = A name may have at most 100 characters and no invisible characters.
donate-error-name-missing = Enter a name to show, or untick “Show my name”.
donate-error-website = Enter a web address starting with https://.
donate-error-handle = Enter a handle like @name@example.social.
donate-error-stripe = The payment could not be started just now; nothing was charged. Please try again in a moment.
thanks-title = Thank you!
thanks-text = Thank you for supporting { $instance }.
thanks-confirming = Your payment is being confirmed; you will appear on the wall, as you chose, within a minute of it, and your receipt comes by email.
bank-title = Your pledge is recorded
bank-text = Please transfer { $amount } with this reference:
bank-reference = Reference
bank-confirm = The treasurer of { $instance } confirms your pledge when the transfer arrives.
manage-title = Manage your donation
manage-request-text = Enter the email address you gave with your donation; we will send you a link to change how you are shown or to cancel a monthly or yearly donation.
manage-request-button = Send me a link
manage-sent = If this address belongs to a donor, a link is on its way. It works for seven days.
manage-mail-subject = Your donation to { $instance }
manage-mail-intro = Here is your link to manage your donation to { $instance }. It works for seven days.
manage-mail-text = Here is your link to manage your donation to { $instance }. It works for seven days:
    { $link }
manage-consent-amount = Show how much I give
manage-save = Save my choices
manage-saved = Your choices are saved; the wall shows them within a minute.
manage-pledges = Your recurring donations
manage-no-pledges = You have no recurring donations.
manage-pledge = { $amount } { $interval } ({ $status })
manage-status-active = active
manage-status-past_due = payment due
manage-status-paused = paused
manage-status-cancelled = cancelled
manage-cancel = Cancel this donation
manage-cancelling = Cancelled at the payment provider; this page shows it as soon as it confirms.
tier-become = Become a { $tier } sponsor
tier-gives = { $tier } sponsors get: { $perks }
tier-gives-none = { $tier } sponsors are counted in the totals.
wall-donate = Support { $instance }
