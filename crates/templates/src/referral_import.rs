//! The page to import a referral list and read its report.

use crate::PageCtx;
use askama::Template;

/// One row of the report as shown: its number, reference, result and problems.
#[derive(Clone, Debug)]
pub struct ImportRowView {
    pub row: String,
    pub reference: String,
    pub result: String,
    /// "Column: message", one per problem.
    pub problems: Vec<String>,
    /// The person's employment file, once imported.
    pub link: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ImportReportView {
    pub imported: bool,
    pub summary: String,
    pub rows: Vec<ImportRowView>,
}

#[derive(Template)]
#[template(path = "referral_import.html")]
pub struct ReferralImportPage {
    pub ctx: PageCtx,
    pub title: String,
    pub caption: String,
    pub back: String,
    pub action: String,
    /// The columns a list may have: (name as written in Spanish, in Basque, required or optional).
    pub columns: Vec<(String, String, String)>,
    pub skip_invalid: bool,
    pub report: Option<ImportReportView>,
    pub received_link: String,
}

/// A referral received, as listed: who, when, and whether an itinerary is open.
#[derive(Clone, Debug)]
pub struct ReceivedRow {
    pub reference: String,
    pub referred_on: String,
    pub name: String,
    pub link: String,
    pub itinerary: String,
}

#[derive(Template)]
#[template(path = "referrals_received.html")]
pub struct ReferralsReceivedPage {
    pub ctx: PageCtx,
    pub title: String,
    pub caption: String,
    pub back: String,
    pub import_link: String,
    pub csv_link: String,
    pub xlsx_link: String,
    pub rows: Vec<ReceivedRow>,
}
