//! Coffer as an instance runs it: behind Debian's nginx with TLS (the configuration of
//! `docs/examples/nginx-coffer.conf`), clients from distinct addresses, and several processes
//! sharing one PostgreSQL database and its rate limits.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use reqwest::{header, StatusCode};

use crate::helpers::{Backend, TestDb};
use crate::process::{free_port, Env};

const TREASURER: &str = "treasurer@coffer.test";
const PASSWORD: &str = "correct horse battery staple";

fn nginx_binary() -> Option<&'static str> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

fn nginx_required() -> bool {
    std::env::var("COFFER_REQUIRE_NGINX").is_ok_and(|v| v == "1")
}

/// nginx with TLS on `port` in front of Coffer on `upstream`, from the operator's guide.
struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(binary: &str, port: u16, upstream: u16) -> Self {
        let dir = tempfile::tempdir().expect("nginx dir");
        let path = |name: &str| dir.path().join(name).display().to_string();
        let made = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
            .args(["-subj", "/CN=localhost", "-keyout"])
            .arg(path("key.pem"))
            .arg("-out")
            .arg(path("cert.pem"))
            .output()
            .expect("openssl");
        assert!(made.status.success(), "openssl: {made:?}");
        let site = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/nginx-coffer.conf"),
        )
        .expect("the operator's nginx configuration");
        // The guide's file as it is, but on this test's ports and certificate (and without the
        // port-80 redirect, which needs a privileged port).
        let redirect_end = site.find("}\n").expect("the redirect block") + 2;
        let site = site[redirect_end..]
            .replace(
                "listen 443 ssl http2;",
                &format!("listen 127.0.0.1:{port} ssl http2;"),
            )
            .replace("listen [::]:443 ssl http2;", "")
            .replace(
                "/etc/letsencrypt/live/funding.example.social/fullchain.pem",
                &path("cert.pem"),
            )
            .replace(
                "/etc/letsencrypt/live/funding.example.social/privkey.pem",
                &path("key.pem"),
            )
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{upstream}"));
        assert!(site.contains(&format!("127.0.0.1:{upstream}")));
        let user = if unsafe { libc::geteuid() } == 0 {
            "user root;"
        } else {
            ""
        };
        let temp = |name: &str| format!("{name} {};", path(name));
        let conf = format!(
            "{user}\ndaemon off;\nmaster_process off;\npid {pid};\nerror_log {err} info;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n access_log off;\n {body}\n {proxy}\n {fastcgi}\n {uwsgi}\n {scgi}\n{site}\n}}\n",
            pid = path("nginx.pid"),
            err = path("error.log"),
            body = temp("client_body_temp_path"),
            proxy = temp("proxy_temp_path"),
            fastcgi = temp("fastcgi_temp_path"),
            uwsgi = temp("uwsgi_temp_path"),
            scgi = temp("scgi_temp_path"),
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).expect("nginx.conf");
        let child = Command::new(binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(path("nginx.conf"))
            .arg("-e")
            .arg(path("error.log"))
            // Nothing inherited: a stray nginx must not hold the test runner's output open.
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(path("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, _dir: dir }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser on its own loopback address (127.0.0.2, 127.0.0.3, …), speaking https to nginx.
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(address))
        .danger_accept_invalid_certs(true)
        .cookie_store(true)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Opens the donation form and posts a pledge: the answer's status. The form's cookie is
/// carried by hand, as a script would: it is `Secure`, and some of these requests are plain
/// http straight to Coffer.
async fn donate(client: &reqwest::Client, base: &str, headers: &[(&str, &str)]) -> StatusCode {
    let mut get = client.get(format!("{base}/donate"));
    for (name, value) in headers {
        get = get.header(*name, *value);
    }
    let form = get.send().await.expect("GET /donate");
    assert_eq!(form.status(), StatusCode::OK);
    let cookie = form
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("coffer_donate"))
        .and_then(|c| c.split(';').next())
        .expect("the form's cookie")
        .to_owned();
    let csrf = crate::helpers::csrf_of(&form.text().await.expect("form"));
    let mut post = client
        .post(format!("{base}/donate"))
        .header(header::COOKIE, cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("amount", "12.00"),
            ("frequency", "once"),
            ("email", "donor@mail.example"),
            ("public_name", "A Donor"),
            ("action", "pay"),
        ]);
    for (name, value) in headers {
        post = post.header(*name, *value);
    }
    post.send().await.expect("POST /donate").status()
}

fn audit_addresses(database_url: &str, action: &str) -> Vec<Option<String>> {
    use coffer::db::schema::audit_log;
    let url = coffer::db::DatabaseUrl::parse(database_url).expect("url");
    let mut conn = coffer::db::connect(&url).expect("connect");
    audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id)
        .select(audit_log::address)
        .load(&mut conn)
        .expect("audit log")
}

#[actix_web::test]
async fn behind_nginx_each_visitor_has_their_own_address_and_limit() {
    let Some(nginx) = nginx_binary() else {
        assert!(
            !nginx_required(),
            "COFFER_REQUIRE_NGINX=1 but nginx is not installed"
        );
        eprintln!("\n!!! SKIPPED the nginx test: nginx is not installed. !!!\n");
        return;
    };
    let (_db, database_url) = TestDb::create(Backend::Sqlite).expect("SQLite");
    let work = tempfile::tempdir().expect("work dir");
    let (coffer_port, https_port) = (free_port(), free_port());
    let base = format!("https://localhost:{https_port}");
    let env = Env::new(work.path(), &database_url)
        .set("COFFER_PUBLIC_URL", &base)
        .set("COFFER_TRUSTED_PROXIES", "127.0.0.1");
    env.ok(&["migrate"], None);
    env.ok(&["admin", "create", TREASURER], Some(PASSWORD));
    let server = env.serve(coffer_port).await;
    let _nginx = Nginx::start(nginx, https_port, coffer_port);

    // Twelve donors from twelve addresses: none is held back by the others.
    for last in 2..=13u8 {
        let status = donate(&client_from([127, 0, 0, last]), &base, &[]).await;
        assert_eq!(status, StatusCode::OK, "donor from 127.0.0.{last}");
    }
    // One address alone: its 11th post in ten minutes waits.
    let busy = client_from([127, 0, 0, 2]);
    for n in 2..=coffer::web::donate::TRIES_PER_WINDOW {
        assert_eq!(donate(&busy, &base, &[]).await, StatusCode::OK, "post {n}");
    }
    assert_eq!(
        donate(&busy, &base, &[]).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another still gets through.
    assert_eq!(
        donate(&client_from([127, 0, 0, 3]), &base, &[]).await,
        StatusCode::OK
    );

    // Reaching Coffer directly and claiming another address changes nothing: the header is
    // not believed from an untrusted peer, the real address is limited and logged.
    let direct = client_from([127, 0, 0, 40]);
    let direct_base = format!("http://127.0.0.1:{coffer_port}");
    for n in 0..coffer::web::donate::TRIES_PER_WINDOW {
        let forged = format!("1.2.3.{n}");
        let status = donate(
            &direct,
            &direct_base,
            &[("X-Forwarded-For", &forged), ("X-Real-IP", &forged)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "direct post {n}");
    }
    let status = donate(&direct, &direct_base, &[("X-Forwarded-For", "1.2.3.99")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // The treasurer signs in through the proxy, over https, with the __Host- cookies.
    let browser = client_from([127, 0, 0, 50]);
    let login = browser
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .expect("sign-in form");
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(cookie.starts_with("__Host-"), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    let csrf = crate::helpers::csrf_of(&login.text().await.expect("form"));
    let signed_in = browser
        .post(format!("{base}/admin/login"))
        .form(&[
            ("email", TREASURER),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session_cookie = signed_in
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-coffer_session"))
        .map(str::to_owned);
    assert!(session_cookie.is_some(), "no __Host- session cookie");
    let console = browser
        .get(format!("{base}/admin"))
        .send()
        .await
        .expect("console");
    assert_eq!(console.status(), StatusCode::OK);

    // The audit log and the request log name each client by its real address.
    let intents = audit_addresses(&database_url, "donation.intent");
    let count = |address: &str| {
        intents
            .iter()
            .filter(|a| a.as_deref() == Some(address))
            .count()
    };
    assert_eq!(count("127.0.0.2"), coffer::web::donate::TRIES_PER_WINDOW);
    assert_eq!(count("127.0.0.3"), 2);
    assert_eq!(count("127.0.0.13"), 1);
    assert_eq!(count("127.0.0.40"), coffer::web::donate::TRIES_PER_WINDOW);
    assert!(intents
        .iter()
        .all(|a| a.as_deref().is_some_and(|a| !a.starts_with("1.2.3."))));
    assert_eq!(
        audit_addresses(&database_url, "admin.sign_in"),
        vec![Some("127.0.0.50".to_owned())]
    );
    let log = server.log();
    assert!(log.contains("http.client_ip=127.0.0.40"), "{log}");
    assert!(log.contains("http.client_ip=127.0.0.13"));
    assert!(!log.contains("1.2.3."), "a forged address reached the log");
    assert!(
        log.contains("http.scheme=https"),
        "X-Forwarded-Proto from nginx counts"
    );
}

#[actix_web::test]
async fn two_processes_on_one_postgres_give_no_more_sign_in_tries_than_one() {
    let Some((_db, database_url)) = TestDb::create(Backend::Postgres) else {
        return;
    };
    let work = tempfile::tempdir().expect("work dir");
    let env = Env::new(work.path(), &database_url);
    env.ok(&["migrate"], None);
    env.ok(&["admin", "create", TREASURER], Some(PASSWORD));
    let first = env.serve(free_port()).await;
    let second = env.serve(free_port()).await;
    let try_on = |server: &crate::process::Server, password: &'static str| {
        let base = server.url("");
        async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let form = client
                .get(format!("{base}/admin/login"))
                .send()
                .await
                .expect("form");
            let csrf = crate::helpers::csrf_of(&form.text().await.expect("form"));
            client
                .post(format!("{base}/admin/login"))
                .form(&[
                    ("email", TREASURER),
                    ("password", password),
                    ("csrf", csrf.as_str()),
                ])
                .send()
                .await
                .expect("sign in")
                .status()
        }
    };
    // Five wrong passwords spread over both processes use up the minute's tries…
    for n in 0..5 {
        let server = if n % 2 == 0 { &first } else { &second };
        assert_eq!(
            try_on(server, "wrong wrong wrong").await,
            StatusCode::UNAUTHORIZED,
            "try {n}"
        );
    }
    // …so the sixth waits on either, even with the right password.
    assert_eq!(
        try_on(&first, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        try_on(&second, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Fifty tries at once across both: none gets past the limit.
    let tries = (0..50).map(|n| try_on(if n % 2 == 0 { &first } else { &second }, "x"));
    let statuses = futures_util::future::join_all(tries).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
}

crate::backend_test!(
    forwarding_headers_from_an_untrusted_peer_are_ignored,
    |app| async move {
        // No COFFER_TRUSTED_PROXIES: a client that claims a new address each time is still
        // one client.
        let client = reqwest::Client::new();
        let base = app.url("");
        for n in 0..coffer::web::donate::TRIES_PER_WINDOW {
            let forged = format!("for=198.51.100.{n};proto=https");
            let status = donate(
                &client,
                &base,
                &[("Forwarded", &forged), ("X-Forwarded-For", "203.0.113.9")],
            )
            .await;
            assert_eq!(status, StatusCode::OK);
        }
        let status = donate(&client, &base, &[("X-Forwarded-For", "203.0.113.10")]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        let addresses = audit_addresses(&app.database_url, "donation.intent");
        assert_eq!(addresses.len(), coffer::web::donate::TRIES_PER_WINDOW);
        assert!(addresses.iter().all(|a| a.as_deref() == Some("127.0.0.1")));
    }
);
