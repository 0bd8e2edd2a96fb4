//! `coffer stripe sync`: events the webhooks never delivered come in from Stripe's event list,
//! through the same exactly-once path; a second run changes nothing.

use coffer::ledger::payments::Frequency;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::process::Env;
use crate::stripe::{
    checkout_completed_payment, deliver_ok, event, intent, now, stripe_entries, StripeFake,
};

fn listed(body: &str) -> Value {
    serde_json::from_str(body).expect("an event")
}

fn page(events: &[&str], has_more: bool) -> Value {
    json!({"object": "list", "url": "/v1/events", "has_more": has_more,
           "data": events.iter().map(|e| listed(e)).collect::<Vec<_>>()})
}

async fn sync(
    app: &crate::helpers::TestApp,
    stripe: &StripeFake,
) -> coffer::payments::stripe::sync::Synced {
    let api = coffer::payments::stripe::Api::new("sk_test_coffer", Some(&stripe.server.uri()))
        .expect("api");
    let mut pages_read = Vec::new();
    let synced = coffer::payments::stripe::sync::sync(
        &api,
        &app.pool,
        &app.state.writes,
        None,
        &mut |read| pages_read.push(read),
    )
    .await
    .expect("sync");
    assert!(!pages_read.is_empty(), "progress was reported");
    synced
}

crate::stripe_test!(
    a_sync_after_lost_webhooks_records_exactly_the_missing_events,
    |app, stripe| async move {
        // Three paid checkouts; only the first one's webhook arrived.
        let intents: Vec<String> = (1..=3)
            .map(|n| {
                intent(
                    &app,
                    &format!("donor{n}@mail.example"),
                    1000 * n,
                    Frequency::Once,
                )
            })
            .collect();
        let events: Vec<String> = intents
            .iter()
            .enumerate()
            .map(|(n, reference)| {
                event(
                    &format!("evt_sync_{n}"),
                    "checkout.session.completed",
                    now() - 600 + i64::try_from(n).unwrap() * 60,
                    checkout_completed_payment(
                        reference,
                        &format!("pi_sync_{n}"),
                        1000 * (i64::try_from(n).unwrap() + 1),
                    ),
                )
            })
            .collect();
        deliver_ok(&app, &events[0], "applied").await;
        let after_webhook = stripe_entries(&app).len();

        // Stripe lists newest first, two to a page here.
        stripe.put("/v1/events", page(&[&events[2], &events[1]], true));
        Mock::given(method("GET"))
            .and(path("/v1/events"))
            .and(query_param("starting_after", "evt_sync_1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(&[&events[0]], false)))
            .with_priority(1)
            .mount(&stripe.server)
            .await;

        let synced = sync(&app, &stripe).await;
        assert_eq!(synced.read, 3, "{synced:?}");
        assert_eq!(synced.applied, 2, "{synced:?}");
        assert_eq!(synced.already, 1, "{synced:?}");
        let entries = stripe_entries(&app);
        let donations: Vec<_> = entries.iter().filter(|e| e.kind == "donation").collect();
        assert_eq!(donations.len(), 3, "{entries:?}");
        assert!(entries.len() > after_webhook);
        for n in 0..3 {
            let reference = format!("pi_sync_{n}");
            assert_eq!(
                donations
                    .iter()
                    .filter(|d| d.external_ref.as_deref() == Some(reference.as_str()))
                    .count(),
                1,
                "{reference}"
            );
        }

        // Again, and after the lost webhooks finally arrive: nothing changes.
        let before = app.row_counts();
        let again = sync(&app, &stripe).await;
        assert_eq!(again.applied, 0, "{again:?}");
        assert_eq!(again.already, 3, "{again:?}");
        deliver_ok(&app, &events[1], "duplicate").await;
        deliver_ok(&app, &events[2], "duplicate").await;
        assert_eq!(app.row_counts(), before);
    }
);

crate::stripe_test!(
    the_sync_command_prints_what_it_did_and_refuses_without_stripe,
    |app, stripe| async move {
        let reference = intent(&app, "ada@mail.example", 2500, Frequency::Once);
        let lost = event(
            "evt_cli_1",
            "checkout.session.completed",
            now() - 60,
            checkout_completed_payment(&reference, "pi_cli_1", 2500),
        );
        stripe.put("/v1/events", page(&[&lost], false));
        let work = tempfile::tempdir().expect("work dir");
        let env = Env::new(work.path(), &app.database_url)
            .set("COFFER_STRIPE_SECRET_KEY", "sk_test_coffer")
            .set("COFFER_STRIPE_API_BASE", &stripe.server.uri());
        let out = env.ok(&["stripe", "sync", "--since", "2026-01-01"], None);
        assert_eq!(
            out.trim(),
            "read 1 Stripe events: 1 applied now, 0 already applied, 0 not Coffer's"
        );
        let out = env.ok(&["stripe", "sync"], None);
        assert!(out.contains("0 applied now, 1 already applied"), "{out}");
        let (status, _, stderr) =
            Env::new(work.path(), &app.database_url).run(&["stripe", "sync"], None);
        assert!(!status.success());
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("COFFER_STRIPE_SECRET_KEY"), "{stderr}");
    }
);
