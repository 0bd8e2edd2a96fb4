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
