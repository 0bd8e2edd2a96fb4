//! Where the instance already is: Mastodon's donation banner and the fediverse's payment link.
//!
//! Mastodon's web client asks its own server for `GET /api/v1/donation_campaigns`, and the
//! server proxies that to the campaigns URL its admin configured, with `platform`, `seed`,
//! `locale` and perhaps `environment`. Coffer answers that request at
//! `GET /api/v1/mastodon/donation_campaign` with the campaign in the visitor's language: the
//! treasurer's words (or the translations' defaults), the amounts of the tiers, and `/donate`
//! to go on to. It answers 204 when the treasurer switched the campaign off. The answers are
//! rendered by the publisher once per change and language.
//!
//! The payment link is FEP-0ea0's `Link` with `rel: "payment"`, for a profile's attachments;
//! the NodeInfo fragment is what an instance can merge into its NodeInfo `metadata`.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::domain::Currency;
use crate::i18n::Lang;
use crate::ledger::public_pages::{CampaignMessage, PublicPageSettings};
use crate::ledger::tiers::Tier;
use crate::web::api::responses::ServerErrors;
use crate::web::error::{ApiError, ApiResult};
use crate::web::middleware::{serve, Representation, PUBLIC_CACHE};

/// Amounts per frequency, each a map from currency code to amounts in minor units.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct CampaignAmounts {
    pub one_time: BTreeMap<String, Vec<i64>>,
    pub monthly: BTreeMap<String, Vec<i64>>,
    pub yearly: BTreeMap<String, Vec<i64>>,
}

/// A donation campaign as Mastodon's clients read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DonationCampaignView {
    /// Changes whenever the campaign's words or amounts do, so that a banner dismissed once
    /// comes back only for a new campaign.
    pub id: String,
    pub locale: String,
    pub banner_message: String,
    pub banner_button_text: String,
    pub donation_message: String,
    pub donation_button_text: String,
    pub donation_success_post: String,
    pub default_currency: String,
    /// `/donate`; Mastodon adds the amount, currency and frequency chosen as query parameters.
    pub donation_url: String,
    pub amounts: CampaignAmounts,
}

/// FEP-0ea0: a payment link for a fediverse profile's attachments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentLinkView {
    /// Always `Link`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub href: String,
    /// Always `payment`.
    pub rel: &'static str,
}

/// What an instance can merge into its NodeInfo document's `metadata`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NodeInfoFundingView {
    pub funding: NodeInfoFunding,
}

/// Where the instance's funding is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NodeInfoFunding {
    /// The donation page.
    pub url: String,
    /// The sponsor wall.
    pub sponsors: String,
    /// Where the money goes.
    pub transparency: String,
    #[serde(rename = "paymentLink")]
    pub payment_link: PaymentLinkView,
}

/// The fediverse answers, rendered once per change.
#[derive(Debug)]
pub struct Outreach {
    /// Per language in `Lang::ALL` order; `None` when the treasurer switched it off.
    pub campaigns: Vec<(Lang, Option<Representation>)>,
    pub payment_link: Representation,
    pub nodeinfo: Representation,
}

/// What the fediverse answers are made from.
pub struct OutreachSource<'a> {
    pub instance_name: &'a str,
    pub public_url: &'a str,
    pub currency: Currency,
    pub tiers: &'a [Tier],
    pub settings: &'a PublicPageSettings,
}

/// Mastodon's amounts for one frequency, from the tiers' minimums (or round figures when
/// there are no tiers yet).
fn amounts(currency: Currency, tiers: &[Tier]) -> CampaignAmounts {
    let mut monthly: Vec<i64> = tiers
        .iter()
        .filter(|t| t.monthly_minimum.currency() == currency && t.monthly_minimum.is_positive())
        .map(|t| t.monthly_minimum.minor())
        .collect();
    if monthly.is_empty() {
        let unit = 10_i64.pow(currency.exponent());
        monthly = vec![5 * unit, 10 * unit, 25 * unit];
    }
    monthly.sort_unstable();
    monthly.dedup();
    let yearly: Vec<i64> = monthly.iter().map(|m| m.saturating_mul(12)).collect();
    let code = currency.code().to_owned();
    CampaignAmounts {
        one_time: BTreeMap::from([(code.clone(), monthly.clone())]),
        monthly: BTreeMap::from([(code.clone(), monthly)]),
        yearly: BTreeMap::from([(code, yearly)]),
    }
}

fn message(
    lang: Lang,
    settings: &PublicPageSettings,
    message: CampaignMessage,
    instance: &str,
) -> String {
    settings
        .message(lang.tag(), message)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let key = format!("campaign-{}", message.as_str().replace('_', "-"));
            lang.t_args(&key, &[("instance", instance.to_owned())])
        })
}

/// The campaign in `lang`.
pub fn campaign(source: &OutreachSource<'_>, lang: Lang) -> DonationCampaignView {
    let base = source.public_url.trim_end_matches('/');
    let amounts = amounts(source.currency, source.tiers);
    let text = |m| message(lang, source.settings, m, source.instance_name);
    // The id follows what the campaign says in every language and what it asks for.
    let mut hash = Sha256::new();
    for lang in Lang::ALL {
        for m in CampaignMessage::ALL {
            hash.update(message(lang, source.settings, m, source.instance_name).as_bytes());
            hash.update([0]);
        }
    }
    hash.update(serde_json::to_vec(&amounts).unwrap_or_default());
    let id = format!("coffer-{}", &hex::encode(hash.finalize())[..16]);
    DonationCampaignView {
        id,
        locale: lang.tag().to_owned(),
        banner_message: text(CampaignMessage::BannerMessage),
        banner_button_text: text(CampaignMessage::BannerButtonText),
        donation_message: text(CampaignMessage::DonationMessage),
        donation_button_text: text(CampaignMessage::DonationButtonText),
        donation_success_post: format!("{} {base}/", text(CampaignMessage::DonationSuccessPost)),
        default_currency: source.currency.code().to_owned(),
        donation_url: format!("{base}/donate"),
        amounts,
    }
}

/// The FEP-0ea0 payment link.
pub fn payment_link(source: &OutreachSource<'_>) -> PaymentLinkView {
    PaymentLinkView {
        kind: "Link",
        name: Lang::En.t_args(
            "campaign-banner-button-text",
            &[("instance", source.instance_name.to_owned())],
        ),
        href: format!("{}/donate", source.public_url.trim_end_matches('/')),
        rel: "payment",
    }
}

fn json_representation<T: Serialize>(
    previous: Option<&Representation>,
    value: &T,
    content_type: &'static str,
) -> ApiResult<Representation> {
    let body =
        serde_json::to_vec(value).map_err(|e| ApiError::Internal(format!("serialising: {e}")))?;
    Ok(Representation::unless_unchanged(
        previous,
        content_type,
        PUBLIC_CACHE,
        body,
    ))
}

impl Outreach {
    pub fn build(source: &OutreachSource<'_>, previous: Option<&Outreach>) -> ApiResult<Self> {
        let mut campaigns = Vec::new();
        for lang in Lang::ALL {
            let rendered = if source.settings.campaign_enabled {
                Some(json_representation(
                    previous.and_then(|p| p.campaign(lang)),
                    &campaign(source, lang),
                    "application/json",
                )?)
            } else {
                None
            };
            campaigns.push((lang, rendered));
        }
        let link = payment_link(source);
        let base = source.public_url.trim_end_matches('/');
        let nodeinfo = NodeInfoFundingView {
            funding: NodeInfoFunding {
                url: format!("{base}/donate"),
                sponsors: format!("{base}/"),
                transparency: format!("{base}/transparency"),
                payment_link: link.clone(),
            },
        };
        Ok(Self {
            campaigns,
            payment_link: json_representation(
                previous.map(|p| &p.payment_link),
                &link,
                "application/activity+json",
            )?,
            nodeinfo: json_representation(
                previous.map(|p| &p.nodeinfo),
                &nodeinfo,
                "application/json",
            )?,
        })
    }

    fn campaign(&self, lang: Lang) -> Option<&Representation> {
        self.campaigns
            .iter()
            .find(|(l, _)| *l == lang)
            .and_then(|(_, r)| r.as_ref())
    }
}

/// What Mastodon's server passes on from its client. Unknown parameters are ignored: Mastodon
/// may add more.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// `web`, `ios` or `android`.
    #[allow(dead_code)]
    platform: Option<String>,
    /// A number Mastodon picks per user, for A/B campaigns (Coffer runs one campaign).
    #[allow(dead_code)]
    seed: Option<String>,
    /// The visitor's locale, e.g. `nb` or `en-GB`.
    locale: Option<String>,
    /// `production` or `staging`.
    #[allow(dead_code)]
    environment: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/mastodon/donation_campaign",
    operation_id = "mastodonDonationCampaign",
    tag = "public",
    summary = "A donation campaign for Mastodon's donation banner",
    params(CampaignQuery),
    responses(
        (status = 200, description = "The campaign in the visitor's language", body = DonationCampaignView),
        (status = 204, description = "The treasurer switched the campaign off"),
        ServerErrors,
    )
)]
/// `GET /api/v1/mastodon/donation_campaign?platform=&seed=&locale=&environment=`.
pub async fn donation_campaign(
    state: web::Data<crate::web::AppState>,
    req: HttpRequest,
    query: web::Query<CampaignQuery>,
) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    let lang = match query.locale.as_deref() {
        Some(locale) => Lang::from_locale(Some(locale)),
        None => crate::web::pages::visitor_lang(&req, None),
    };
    Ok(match published.outreach.campaign(lang) {
        Some(campaign) => {
            let mut response = serve(&req, campaign);
            response.headers_mut().insert(
                header::CONTENT_LANGUAGE,
                header::HeaderValue::from_static(lang.tag()),
            );
            response
        }
        None => HttpResponse::NoContent()
            .insert_header((header::CACHE_CONTROL, PUBLIC_CACHE))
            .finish(),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/fediverse/payment-link",
    operation_id = "fediversePaymentLink",
    tag = "public",
    summary = "The FEP-0ea0 payment link to /donate, for a profile's attachments",
    responses(
        (status = 200, description = "A Link with rel payment", content_type = "application/activity+json", body = PaymentLinkView),
        ServerErrors,
    )
)]
/// `GET /api/v1/fediverse/payment-link`.
pub async fn payment_link_json(
    state: web::Data<crate::web::AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.outreach.payment_link))
}

#[utoipa::path(
    get,
    path = "/api/v1/fediverse/nodeinfo-metadata",
    operation_id = "nodeInfoFunding",
    tag = "public",
    summary = "A fragment to merge into the instance's NodeInfo metadata",
    responses(
        (status = 200, description = "Where the instance's funding is shown", body = NodeInfoFundingView),
        ServerErrors,
    )
)]
/// `GET /api/v1/fediverse/nodeinfo-metadata`.
pub async fn nodeinfo_metadata(
    state: web::Data<crate::web::AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.outreach.nodeinfo))
}
