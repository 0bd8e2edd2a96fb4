//! Everything Stripe, behind plain functions: the API client (Checkout Sessions, the lookups a
//! webhook payload does not carry, cancelling a subscription), webhook verification, and the
//! mapping of Stripe's events onto the ledger's [`PaymentFact`]s.
//!
//! Built against the API version async-stripe pins (`2026-09-30.endive`): an invoice names its
//! subscription under `parent.subscription_details`, its payment is found through
//! `/v1/invoice_payments`, and a charge names its payment intent, not its invoice.
//!
//! The generic SDK code is instantiated here only, once (it is the largest part of a build).

mod events;
pub mod sync;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionLineItemsPriceDataRecurring,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionPaymentIntentData, CreateCheckoutSessionSubscriptionData, ProductData,
};
use stripe_checkout::CheckoutSessionMode;
use stripe_client_core::{RequestBuilder, StripeMethod};

pub use events::{to_fact, verify, VerifiedEvent, WebhookRejection};

/// The metadata key that ties Stripe's objects to a donation intent.
pub const INTENT_KEY: &str = "coffer_intent";

/// How long one call to Stripe may take: webhooks answer within the request.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);

/// A failed call to Stripe's API.
#[derive(Debug, thiserror::Error)]
#[error("Stripe API: {0}")]
pub struct ApiError(pub String);

impl From<::stripe::StripeError> for ApiError {
    fn from(err: ::stripe::StripeError) -> Self {
        Self(err.to_string())
    }
}

/// A client for Stripe's API, built once from the settings.
#[derive(Clone)]
pub struct Api {
    client: ::stripe::Client,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stripe::Api")
    }
}

impl Api {
    /// A client with this secret key, talking to `api_base` when given (tests point it at a
    /// local fake), otherwise to Stripe.
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<Self, ApiError> {
        let mut builder = ::stripe::ClientBuilder::new(secret_key).timeout(CALL_TIMEOUT);
        if let Some(base) = api_base {
            // The client appends `v1/…` to the base as given.
            let base = if base.ends_with('/') {
                base.to_owned()
            } else {
                format!("{base}/")
            };
            builder = builder.url(base);
        }
        Ok(Self {
            client: builder.build()?,
        })
    }

    /// A GET returning Stripe's JSON, read leniently: only the fields Coffer uses matter.
    pub(crate) async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, ApiError> {
        self.call(StripeMethod::Get, path, query).await
    }

    async fn call(
        &self,
        method: StripeMethod,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, ApiError> {
        let mut request = RequestBuilder::new(method, path);
        if !query.is_empty() {
            request.query = Some(
                serde_urlencoded::to_string(query)
                    .map_err(|e| ApiError(format!("encoding a query: {e}")))?,
            );
        }
        let verb = match method {
            StripeMethod::Get => "GET",
            StripeMethod::Post => "POST",
            StripeMethod::Delete => "DELETE",
        };
        let value: miniserde::json::Value =
            request
                .customize()
                .send(&self.client)
                .await
                .map_err(|err| {
                    // The SDK keeps Stripe's status only for an error body it can read.
                    let status = match &err {
                        ::stripe::StripeError::Stripe(_, status) => status.to_string(),
                        ::stripe::StripeError::Timeout => "timeout".to_owned(),
                        _ => "unknown".to_owned(),
                    };
                    tracing::warn!(
                        method = verb,
                        path,
                        status,
                        "a call to Stripe's API failed: {err}"
                    );
                    ApiError(format!("{verb} /v1{path} (status {status}): {err}"))
                })?;
        serde_json::from_str(&miniserde::json::to_string(&value))
            .map_err(|e| ApiError(format!("reading Stripe's answer: {e}")))
    }
}

/// What a Checkout Session is for.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// The donation intent's reference, carried in the session's metadata.
    pub intent: String,
    pub email: String,
    /// In minor units of `currency`.
    pub amount: i64,
    /// ISO 4217, any case.
    pub currency: String,
    /// `None` for a one-time payment.
    pub interval: Option<crate::domain::Interval>,
    /// What the line item is called on Stripe's page (e.g. "Gold sponsorship of Example").
    pub product_name: String,
    pub success_url: String,
    pub cancel_url: String,
    /// The page's language, when Stripe knows it (`en`, `nb`).
    pub locale: Option<String>,
}

/// A Checkout Session Stripe created: where to send the donor.
#[derive(Debug, Clone)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

/// Creates a Checkout Session: `payment` mode for a one-time gift, `subscription` mode with
/// inline recurring price data otherwise. The intent's reference goes into the metadata of the
/// session and of what it creates (the payment intent or the subscription, whose invoices
/// carry it on), so that every later event finds the donor's choices.
pub async fn create_checkout_session(
    api: &Api,
    request: &CheckoutRequest,
) -> Result<CheckoutSession, ApiError> {
    let metadata: HashMap<String, String> =
        HashMap::from([(INTENT_KEY.to_owned(), request.intent.clone())]);
    let currency: stripe_types::Currency = request
        .currency
        .to_lowercase()
        .parse()
        .unwrap_or_else(|never| match never {});
    let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency);
    price.unit_amount = Some(request.amount);
    price.product_data = Some(ProductData {
        description: None,
        images: None,
        metadata: None,
        name: request.product_name.clone(),
        tax_code: None,
        tax_details: None,
        unit_label: None,
    });
    let mode = match request.interval {
        None => CheckoutSessionMode::Payment,
        Some(interval) => {
            price.recurring = Some(CreateCheckoutSessionLineItemsPriceDataRecurring::new(
                match interval {
                    crate::domain::Interval::Month => {
                        CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Month
                    }
                    crate::domain::Interval::Year => {
                        CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Year
                    }
                },
            ));
            CheckoutSessionMode::Subscription
        }
    };
    let mut item = CreateCheckoutSessionLineItems::new();
    item.price_data = Some(price);
    item.quantity = Some(1);
    let mut create = CreateCheckoutSession::new()
        .mode(mode.clone())
        .line_items(vec![item])
        .customer_email(request.email.clone())
        .client_reference_id(request.intent.clone())
        .metadata(metadata.clone())
        .success_url(request.success_url.clone())
        .cancel_url(request.cancel_url.clone());
    if let Some(locale) = &request.locale {
        // Coffer's languages (`en`, `nb`) are all Stripe Checkout locales.
        let locale: stripe_checkout::CheckoutSessionLocale =
            locale.parse().unwrap_or_else(|never| match never {});
        create = create.locale(locale);
    }
    create = match mode {
        CheckoutSessionMode::Subscription => {
            let mut data = CreateCheckoutSessionSubscriptionData::new();
            data.metadata = Some(metadata);
            create.subscription_data(data)
        }
        _ => {
            let mut data = CreateCheckoutSessionPaymentIntentData::new();
            data.metadata = Some(metadata);
            create.payment_intent_data(data)
        }
    };
    let session = create.send(&api.client).await?;
    let url = session
        .url
        .ok_or_else(|| ApiError("the Checkout Session has no URL".to_owned()))?;
    Ok(CheckoutSession {
        id: session.id.as_str().to_owned(),
        url,
    })
}

/// Cancels a subscription at Stripe now; the ledger follows from the webhook that Stripe sends.
pub async fn cancel_subscription(api: &Api, subscription_id: &str) -> Result<(), ApiError> {
    if !is_stripe_id(subscription_id, "sub_") {
        return Err(ApiError(format!(
            "“{subscription_id}” is not a subscription id"
        )));
    }
    api.call(
        StripeMethod::Delete,
        &format!("/subscriptions/{subscription_id}"),
        &[],
    )
    .await
    .map(|_| ())
}

/// True for an id of the given kind (`pi_…`), safe to put in a path.
fn is_stripe_id(id: &str, prefix: &str) -> bool {
    id.starts_with(prefix)
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
