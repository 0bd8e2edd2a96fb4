# Coffers meldinger på norsk bokmål. Hver nøkkel her må også finnes i locales/en/coffer.ftl
# (en enhetstest i src/i18n.rs sjekker det).

independence-statement = Sponsing gir ikke innflytelse: sponsorer får ingen innvirkning på moderering, regler eller hvem som kan skrive her. Fordelene gjelder bare visning: et oppført navn, en logo, en lenke og et fediverse-navn.

month-1 = januar
month-2 = februar
month-3 = mars
month-4 = april
month-5 = mai
month-6 = juni
month-7 = juli
month-8 = august
month-9 = september
month-10 = oktober
month-11 = november
month-12 = desember

source-stripe = kortbetaling (Stripe)
source-patreon = Patreon
source-liberapay = Liberapay
source-opencollective = Open Collective
source-bank = bankoverføring
source-manual = registrert av kassereren

interval-month = hver måned
interval-year = hvert år

receipt-subject = Kvittering { $number } fra { $instance }
credit-note-subject = Kreditnota { $number } fra { $instance }
statement-subject = Din årsoppgave for { $year } fra { $instance }

receipt-title = Kvittering
credit-note-title = Kreditnota
statement-title = Årsoppgave { $year }

greeting = Hei { $name },
receipt-intro = takk for at du støtter { $instance }. Dette er kvitteringen din; ta vare på den.
credit-note-intro = vi har betalt tilbake penger du ga til { $instance }. Denne kreditnotaen korrigerer kvittering { $corrects }.
credit-note-intro-unnumbered = vi har betalt tilbake penger du ga til { $instance }. Dette er kreditnotaen din.
statement-intro = her er gavene dine til { $instance } i { $year }, og eventuelle tilbakebetalinger, med kvitteringsnumrene.

label-receipt-number = Kvitteringsnummer
label-credit-note-number = Kreditnotanummer
label-corrects = Korrigerer kvittering
label-donor = Giver
label-amount = Beløp
label-refunded = Tilbakebetalt
label-date = Dato
label-source = Betalt med
label-pledge = Fast støtte
label-kind = Dokument
label-net-total = Netto totalt

kind-receipt = kvittering
kind-credit-note = kreditnota

pledge-line = { $amount } { $interval }
pledge-manage = For å endre eller avslutte den faste støtten, svar på denne meldingen eller skriv til kassereren i { $instance }; betalinger gjennom en plattform (Stripe, Patreon, Liberapay, Open Collective) kan også endres der.

automatic-note = Denne meldingen ble sendt automatisk av regnskapet til { $instance }.

# De offentlige sidene.
wall-title = Hvem finansierer { $instance }
wall-lede = Denne serveren drives av støtten fra fellesskapet sitt. Takk til alle nedenfor.
wall-goal-heading = Denne måneden
wall-goal-line = { $recurring } i måneden i fast støtte, mot driftskostnader på { $goal } i måneden.
wall-goal-no-costs = { $recurring } i måneden i fast støtte. Ingen driftskostnader er ført ennå.
wall-goal-progress = Andel av de månedlige driftskostnadene som er dekket
wall-goal-percent = { $percent } % av de månedlige driftskostnadene er dekket.
wall-empty-heading = Ingen sponsorer ennå
wall-empty-intro = Denne veggen er klar, men tom. For å komme i gang kan kassereren:
wall-empty-token = lage en API-nøkkel:
wall-empty-api = legge inn sponsornivåer, givere og faste bidrag gjennom admin-API-et, beskrevet i
wall-empty-demo = eller prøve med demodata i en tom database:
tier-minimum = Fra { $amount } i måneden
tier-empty = Ingen { $tier }-sponsorer ennå.
tier-all = Alle { $count } { $tier }-sponsorene
tier-page-title = { $tier }-sponsorer for { $instance }
tier-page-lede = { $count } sponsorer, side { $page } av { $pages }.
tier-page-nav = Sider med { $tier }-sponsorer
page-previous = Forrige side
page-next = Neste side
back-to-wall = Tilbake til sponsorveggen
sponsor-amount = { $amount } i måneden
sponsor-logo = Logoen til { $name }
sponsor-logo-anonymous = Logoen til en { $tier }-sponsor
sponsor-unnamed = En sponsor
anonymous-heading = Og { $count } til
anonymous-text = { $count ->
    [one] Én støttespiller gir
   *[other] { $count } støttespillere gir
} uten å bli nevnt her. Takk.
independence-heading = Sponsing kjøper ingen innflytelse
footer-powered = Drevet av Coffer
footer-json = sponsorer som JSON
footer-api = API
language-switch = Språk
