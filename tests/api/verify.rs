//! Verifiable books (docs/verify.md): the ledger's Merkle log, signed checkpoints and proofs,
//! and the verifiers that catch rows changed or deleted behind the triggers' back.

use coffer::db::DbConn;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::process::Env;

async fn donation(app: &TestApp, donor: Option<i64>, amount: &str) -> i64 {
    app.create_id(
        "/api/v1/admin/donations",
        json!({"donor_id": donor, "amount": amount, "source": "bank", "memo": "thanks"}),
    )
    .await
}

async fn expense(app: &TestApp, amount: &str) -> i64 {
    app.create_id(
        "/api/v1/admin/expenses",
        json!({"amount": amount, "currency": "EUR", "category": "hosting"}),
    )
    .await
}

/// Runs `sql` with the append-only triggers of `table` out of the way, then puts them back.
fn behind_the_triggers(conn: &mut DbConn, table: &str, sql: &str) {
    match conn {
        DbConn::Sqlite(_) => {
            let triggers: Vec<(String, String)> = {
                #[derive(diesel::QueryableByName)]
                struct Trigger {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    name: String,
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    sql: String,
                }
                use diesel::RunQueryDsl;
                diesel::sql_query(format!(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{table}'"
                ))
                .load::<Trigger>(conn)
                .expect("triggers")
                .into_iter()
                .map(|t| (t.name, t.sql))
                .collect()
            };
            assert!(!triggers.is_empty(), "{table} has triggers");
            for (name, _) in &triggers {
                conn.batch_execute(&format!("DROP TRIGGER {name}")).expect("drop");
            }
            conn.batch_execute(sql).expect("tamper");
            for (_, create) in &triggers {
                conn.batch_execute(create).expect("restore the trigger");
            }
        }
        DbConn::Postgres(_) => conn
            .batch_execute(&format!(
                "ALTER TABLE {table} DISABLE TRIGGER USER; {sql}; ALTER TABLE {table} ENABLE TRIGGER USER;"
            ))
            .expect("tamper"),
    }
}

fn env(app: &TestApp, dir: &std::path::Path) -> Env {
    Env::new(dir, &app.database_url)
}

/// Makes a signing key in `dir` and returns the environment that signs with it and the path
/// of its public key.
fn signing_env(app: &TestApp, dir: &std::path::Path) -> (Env, String) {
    let key = dir.join("ledger.key");
    let env = env(app, dir).set("COFFER_SIGNING_KEY_FILE", key.to_str().expect("path"));
    let public = env.ok(&["keygen"], None);
    assert_eq!(public.trim().len(), 64, "{public}");
    let (status, _, stderr) = env.run(&["keygen"], None);
    assert!(!status.success(), "keygen refuses to overwrite");
    assert!(stderr.contains("never overwritten"), "{stderr}");
    (env, format!("{}.pub", key.display()))
}

crate::backend_test!(
    verify_database_names_the_entry_whose_amount_was_changed_behind_the_trigger,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        for amount in ["10.00", "20.00", "30.00"] {
            donation(&app, Some(donor), amount).await;
        }
        let changed = donation(&app, None, "40.00").await;
        expense(&app, "5.00").await;
        let dir = tempfile::tempdir().expect("dir");
        let env = env(&app, dir.path());
        let (status, stdout, stderr) = env.run(&["verify", "--database"], None);
        assert!(status.success(), "{stdout}{stderr}");
        assert!(stderr.contains("recomputed 5 leaves"), "{stderr}");

        behind_the_triggers(
            &mut app.conn(),
            "ledger_entries",
            &format!("UPDATE ledger_entries SET amount = 4 WHERE id = {changed}"),
        );
        let (status, stdout, _) = env.run(&["verify", "--database"], None);
        assert!(!status.success());
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{stdout}");
        assert!(
            lines[0].starts_with(&format!("ledger entry {changed} (leaf 3)")),
            "{stdout}"
        );
    }
);

crate::backend_test!(
    verify_database_detects_a_row_deleted_behind_the_trigger,
    |app| async move {
        donation(&app, None, "10.00").await;
        let deleted = expense(&app, "5.00").await;
        donation(&app, None, "12.00").await;
        behind_the_triggers(
            &mut app.conn(),
            "ledger_entries",
            &format!("DELETE FROM ledger_entries WHERE id = {deleted}"),
        );
        let dir = tempfile::tempdir().expect("dir");
        let (status, stdout, _) = env(&app, dir.path()).run(&["verify", "--database"], None);
        assert!(!status.success());
        assert!(
            stdout.contains(&format!("ledger entry {deleted} (leaf 1): missing")),
            "{stdout}"
        );
    }
);

crate::backend_test!(
    fifty_concurrent_donations_make_one_log_equal_to_its_recomputation,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let mut tasks = Vec::new();
        for n in 0..50 {
            let (client, url, token) = (
                app.client.clone(),
                app.url("/api/v1/admin/donations"),
                app.token.clone(),
            );
            tasks.push(actix_web::rt::spawn(async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"donor_id": donor, "amount": format!("{}.00", n + 1), "source": "bank"}))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(response.status(), 201);
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        let mut conn = app.conn();
        let report = coffer::ledger::log::recompute(&mut conn, None).expect("recompute");
        assert_eq!(report.size, 50);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
);

crate::backend_test!(
    checkpoints_verify_and_a_changed_root_a_changed_signature_or_a_fork_is_named,
    |app| async move {
        let dir = tempfile::tempdir().expect("dir");
        let (env, public) = signing_env(&app, dir.path());
        let (status, _, stderr) = env.run(&["checkpoint"], None);
        assert!(
            !status.success(),
            "an empty log has nothing to sign: {stderr}"
        );
        for amount in ["1.00", "2.00", "3.00"] {
            donation(&app, None, amount).await;
        }
        let page = app.get_text("/transparency").await;
        assert!(
            page.contains("No checkpoint has been signed yet"),
            "before the first checkpoint the page says so"
        );
        let first: Value = serde_json::from_str(&env.ok(&["checkpoint"], None)).expect("json");
        assert_eq!(first["tree_size"], 3);
        assert_eq!(first["totals"]["EUR"], 600);

        // The latest head is on the transparency page (both languages) and in the feed.
        app.settled_with_others().await;
        let root = first["root_hash"].as_str().expect("root");
        let page = app.get_text("/transparency").await;
        assert!(page.contains(root), "the page shows the root hash");
        assert!(
            page.contains("covers the first 3 entries"),
            "the page says what it covers"
        );
        let public_hex = std::fs::read_to_string(&public).expect("public key");
        assert!(
            page.contains(public_hex.trim()),
            "the page shows the signing key"
        );
        assert!(!page.contains("No checkpoint has been signed yet"));
        let norsk = app.get_text("/transparency?lang=nb").await;
        assert!(norsk.contains("dekker de første 3 postene"), "nb text");
        let feed = app.get_text("/feed.atom").await;
        let id = app.settings.public_url.trim_end_matches('/').to_owned()
            + "/.well-known/coffer/checkpoints.json#3";
        assert!(feed.contains(&format!("<id>{id}</id>")), "{feed}");
        assert!(feed.contains(root), "the feed entry names the root");
        expense(&app, "0.50").await;
        donation(&app, None, "4.00").await;
        let second: Value = serde_json::from_str(&env.ok(&["checkpoint"], None)).expect("json");
        assert_eq!(second["tree_size"], 5);

        let consistency = app.get_json("/api/v1/ledger/consistency?from=3&to=5").await;
        assert_eq!(consistency["proof"], second["consistency"]);
        let url = app.url("/.well-known/coffer/checkpoints.json");
        let (status, stdout, stderr) =
            env.run(&["verify", "--checkpoints", &url, "--key", &public], None);
        assert!(status.success(), "{stdout}{stderr}");
        assert!(stderr.contains("verified 2 checkpoint(s)"), "{stderr}");
        let (status, stdout, stderr) = env.run(&["verify", "--database"], None);
        assert!(status.success(), "{stdout}{stderr}");

        // A fork: the second checkpoint re-signed over another root does not extend the first.
        let mut list: Value = app.get_json("/.well-known/coffer/checkpoints.json").await;
        let key =
            coffer::ledger::log::InstanceKey::read(&dir.path().join("ledger.key")).expect("key");
        let mut forged: coffer::verify::format::Checkpoint =
            serde_json::from_value(list["checkpoints"][1].clone()).expect("checkpoint");
        forged.root_hash = hex::encode(coffer::verify::merkle::leaf_hash(b"another history"));
        forged.signature = key.sign(&forged.statement());
        list["checkpoints"][1] = serde_json::to_value(&forged).expect("json");
        let file = dir.path().join("forked.json");
        std::fs::write(&file, list.to_string()).expect("write");
        let (status, stdout, _) = env.run(
            &[
                "verify",
                "--checkpoints",
                file.to_str().expect("path"),
                "--key",
                &public,
            ],
            None,
        );
        assert!(!status.success());
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(
            stdout.starts_with("checkpoint 5: its consistency proof from checkpoint 3 fails"),
            "{stdout}"
        );

        // A root changed in the database.
        behind_the_triggers(
            &mut app.conn(),
            "ledger_checkpoints",
            &format!(
                "UPDATE ledger_checkpoints SET root_hash = '{}' WHERE tree_size = 3",
                forged.root_hash
            ),
        );
        let (status, stdout, _) =
            env.run(&["verify", "--checkpoints", &url, "--key", &public], None);
        assert!(!status.success());
        assert!(
            stdout.contains("checkpoint 3: its signature does not verify"),
            "{stdout}"
        );
        let (status, stdout, _) = env.run(&["verify", "--database"], None);
        assert!(!status.success());
        assert!(
            stdout.contains("checkpoint 3: its root does not match"),
            "{stdout}"
        );

        // A signature changed in the database.
        let original = first["root_hash"].as_str().expect("root").to_owned();
        let signature = second["signature"].as_str().expect("signature");
        let altered = format!(
            "{}{}",
            if signature.starts_with('0') { "1" } else { "0" },
            &signature[1..]
        );
        behind_the_triggers(
            &mut app.conn(),
            "ledger_checkpoints",
            &format!(
                "UPDATE ledger_checkpoints SET root_hash = '{original}' WHERE tree_size = 3; \
                 UPDATE ledger_checkpoints SET signature = '{altered}' WHERE tree_size = 5"
            ),
        );
        let (status, stdout, _) =
            env.run(&["verify", "--checkpoints", &url, "--key", &public], None);
        assert!(!status.success());
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(
            stdout.starts_with("checkpoint 5: its signature does not verify"),
            "{stdout}"
        );
    }
);

crate::backend_test!(
    a_receipts_proof_verifies_against_the_published_checkpoint_and_fails_against_a_forged_one,
    |app| async move {
        let dir = tempfile::tempdir().expect("dir");
        let (env, public) = signing_env(&app, dir.path());
        donation(&app, None, "1.00").await;
        let donor = app.open_donor("Ada").await;
        let entry = donation(&app, Some(donor), "25.00").await;
        let number = coffer::db::receipts::find_by_entry(&mut app.conn(), entry)
            .expect("query")
            .expect("receipt")
            .number;
        let path = format!("/api/v1/ledger/proof/{number}");
        let pending = app.get(&path).await;
        assert_eq!(pending.status(), 404);
        let body: Value = pending.json().await.expect("json");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("the next checkpoint is not signed yet")),
            "{body}"
        );

        // The mail carries the link, as a header and in its text.
        let eml = {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            loop {
                let files: Vec<_> = std::fs::read_dir(app.mail_dir.path())
                    .expect("mail dir")
                    .map(|e| e.expect("entry").path())
                    .collect();
                if let Some(file) = files.first() {
                    break file.clone();
                }
                assert!(std::time::Instant::now() < deadline, "no receipt mailed");
                actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        };
        let mail = std::fs::read(&eml).expect("eml");
        let link = coffer::verify::proof_link_in_mail(&mail).expect("a proof link");
        assert_eq!(link, format!("https://coffer.test{path}"));

        env.ok(&["checkpoint"], None);
        let proof: Value = app.get_json(&path).await;
        assert_eq!(proof["leaf_index"], 1);
        assert_eq!(proof["decoded"]["amount"], 2500);
        let proof_file = dir.path().join("proof.json");
        std::fs::write(&proof_file, proof.to_string()).expect("write");
        let eml = eml.to_str().expect("path");
        let proof_arg = proof_file.to_str().expect("path");
        let out = env.ok(
            &[
                "verify-receipt",
                eml,
                "--key",
                &public,
                "--proof",
                proof_arg,
            ],
            None,
        );
        assert!(out.contains("is leaf 1 of checkpoint 2"), "{out}");

        // Against a checkpoint the instance did not sign.
        let mut forged = proof.clone();
        forged["checkpoint"]["root_hash"] =
            json!(hex::encode(coffer::verify::merkle::leaf_hash(b"forged")));
        std::fs::write(&proof_file, forged.to_string()).expect("write");
        let (status, stdout, _) = env.run(
            &[
                "verify-receipt",
                eml,
                "--key",
                &public,
                "--proof",
                proof_arg,
            ],
            None,
        );
        assert!(!status.success());
        assert!(
            stdout.contains("checkpoint 2: its signature does not verify"),
            "{stdout}"
        );
        assert!(stdout.contains("leaf 1 is not in checkpoint 2"), "{stdout}");
    }
);
