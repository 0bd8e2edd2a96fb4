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
source-kofi = Ko-fi
source-github = GitHub Sponsors
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
receipt-ledger-proof = Dette er post { $leaf } i vår offentlige regnskapslogg. Når månedens sjekkpunkt er signert, ligger beviset for at den står i de signerte bøkene her:
receipt-self-service = For å endre hvordan du vises på sponsorveggen, eller avslutte en månedlig eller årlig gave, bruk denne lenken (den virker i sju dager):

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

# Gavesiden, svarene og givernes selvbetjening.
donate-title = Støtt { $instance }
donate-lede = Velg et nivå eller et beløp, én gang, månedlig eller årlig. Du bestemmer hva sponsorveggen viser om deg.
donate-back-to-wall = Tilbake til sponsorveggen
donate-manage-link = Endre gaven din
donate-fix-errors = Rett feltene som er merket nedenfor; ingenting er trukket.
donate-bank-heading = Betal med bankoverføring
donate-bank-by-email = Kassereren sender deg bankopplysningene på e-post.
donate-bank-pending = Løftet ditt står som ventende til kassereren ser overføringen.
donate-choose-tier = Velg et nivå
donate-tier-floor = fra { $monthly } i måneden, eller { $yearly } én gang eller årlig
donate-perks = Veggen viser: { $perks }.
donate-perks-none = Telles med i summene; ikke navngitt på veggen.
donate-perk-name = navnet ditt
donate-perk-logo = logoen din
donate-perk-link = en lenke til nettstedet ditt
donate-perk-handle = fediverse-navnet ditt
donate-own-amount = Eget beløp
donate-own-amount-hint = Hvilket som helst beløp; nivået følger av det du gir.
donate-amount = Beløp ({ $currency })
donate-amount-hint = For eksempel 25 eller 25,50. Et nivås beløp er minstebeløpet.
donate-frequency = Hvor ofte
donate-once = Én gang
donate-monthly = Månedlig
donate-yearly = Årlig
donate-email = E-postadresse
donate-email-hint = For kvitteringen og en lenke til å endre valgene dine senere. Vises aldri.
donate-shown-as = Slik vises du på veggen
donate-name = Navn
donate-website = Nettsted
donate-handle = Fediverse-navn
donate-consent-name = Vis navnet mitt
donate-consent-link = Vis en lenke til nettstedet mitt
donate-consent-handle = Vis fediverse-navnet mitt
donate-consent-logo = Vis logoen min (kassereren legger den til senere, hvis nivået viser logoer)
donate-anonymous = Vær anonym: tell meg bare med i summene
donate-preview-heading = Forhåndsvisning
donate-preview-anonymous = Du telles blant de anonyme støttespillerne.
donate-preview-logo = [logoen din]
donate-preview-tier = Som { $tier }-sponsor.
donate-preview-button = Oppdater forhåndsvisningen
donate-pay-button = Gå videre til betaling
donate-pledge-button = Lov en bankoverføring
donate-anonymous-name = Anonym støttespiller
donate-product = Gave til { $instance }
donate-product-tier = { $tier }-sponsing av { $instance }
donate-error-tier = Velg et av nivåene som vises, eller eget beløp.
donate-error-frequency = Velg én gang, månedlig eller årlig.
donate-error-amount = Skriv et beløp i { $currency }, for eksempel 25 eller 25.50.
donate-error-amount-large = Beløpet er større enn vi kan ta imot på nett; kontakt kassereren.
donate-error-below-tier = { $tier } starter på { $floor } for dette valget; øk beløpet eller velg et annet nivå.
donate-error-email = Skriv en e-postadresse som navn@example.org.
donate-error-name = Et navn kan ha høyst 100 tegn og ingen usynlige tegn.
donate-error-name-missing = Skriv et navn som skal vises, eller fjern krysset ved «Vis navnet mitt».
donate-error-website = Skriv en nettadresse som begynner med https://.
donate-error-handle = Skriv et navn som @navn@example.social.
donate-error-stripe = Betalingen kunne ikke startes akkurat nå; ingenting er trukket. Prøv igjen om litt.
thanks-title = Tusen takk!
thanks-text = Takk for at du støtter { $instance }.
thanks-confirming = Betalingen bekreftes nå; du vises på veggen, slik du valgte, innen et minutt etter det, og kvitteringen kommer på e-post.
bank-title = Løftet ditt er registrert
bank-text = Overfør { $amount } med denne referansen:
bank-reference = Referanse
bank-confirm = Kassereren i { $instance } bekrefter løftet ditt når overføringen kommer.
manage-title = Endre gaven din
manage-request-text = Skriv e-postadressen du oppga med gaven; vi sender deg en lenke der du kan endre hvordan du vises eller avslutte en månedlig eller årlig gave.
manage-request-button = Send meg en lenke
manage-sent = Hvis adressen tilhører en giver, er en lenke på vei. Den virker i sju dager.
manage-mail-subject = Gaven din til { $instance }
manage-mail-intro = Her er lenken der du kan endre gaven din til { $instance }. Den virker i sju dager.
manage-mail-text = Her er lenken der du kan endre gaven din til { $instance }. Den virker i sju dager:
    { $link }
manage-consent-amount = Vis hvor mye jeg gir
manage-save = Lagre valgene mine
manage-saved = Valgene dine er lagret; veggen viser dem innen et minutt.
manage-pledges = Dine faste gaver
manage-no-pledges = Du har ingen faste gaver.
manage-pledge = { $amount } { $interval } ({ $status })
manage-status-active = aktiv
manage-status-past_due = betaling forfalt
manage-status-paused = på pause
manage-status-cancelled = avsluttet
manage-cancel = Avslutt denne gaven
manage-cancelling = Avsluttet hos betalingsleverandøren; siden viser det så snart den bekrefter.
tier-become = Bli { $tier }-sponsor
tier-gives = { $tier }-sponsorer får: { $perks }
tier-gives-none = { $tier }-sponsorer telles med i summene.
wall-donate = Støtt { $instance }
