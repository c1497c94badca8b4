//! English wording, one row per verdict code. Plain text, never HTML; `{institution}` is
//! replaced by the institution's name, or by `your_institution` when the connection has none.

use super::Locale;

#[rustfmt::skip]
pub const EN: Locale = Locale {
    tag: "en",
    your_institution: "your bank",
    rows: &[
        //  code                              title                                         message                                                                                                          action label
        ("login_required",                 "Sign in to {institution} again",              "Your sign-in details for {institution} changed or need another check. Reconnect to keep your accounts up to date.", Some("Reconnect")),
        ("token_expired",                  "Reconnect {institution}",                     "Your permission to share data from {institution} has expired. Reconnect to keep your accounts up to date.",      Some("Reconnect")),
        ("repairing_institution",          "Reconnect {institution}",                     "{institution} changed how it connects. Reconnect so your accounts keep updating.",                               Some("Reconnect")),
        ("reconnect_required_other",       "Reconnect {institution}",                     "We can't reach your accounts at {institution} right now. Reconnect to keep them up to date.",                    Some("Reconnect")),
        ("reconnect_required",             "Reconnect {institution}",                     "Your connection to {institution} stopped working. Reconnect to keep your accounts up to date.",                  Some("Reconnect")),
        ("continued_aggregation_failures", "Reconnect {institution}",                     "We haven't been able to update your accounts at {institution} for a while. Reconnecting usually fixes this.",    Some("Reconnect")),
        ("unrecoverable",                  "Reconnect {institution}",                     "Your connection to {institution} can't be updated any more. Reconnect to keep your accounts up to date.",        Some("Reconnect")),
        ("access_expiring_soon",           "Keep {institution} connected",                "Your access to {institution} will expire soon. Reconnect now to avoid an interruption.",                         Some("Reconnect")),
        ("new_accounts_available",         "New accounts at {institution}",               "{institution} has accounts you haven't shared yet. Reconnect to choose which ones to add.",                       Some("Add accounts")),
        ("healthy",                        "{institution} is connected",                  "Your accounts are up to date.",                                                                                  None),
        ("interactive_refresh",            "Sign in to update {institution}",             "{institution} asks you to sign in each time your accounts update. Reconnect to get the latest data.",            Some("Reconnect")),
        ("institution_action_required",    "Action needed at {institution}",              "{institution} needs you to do something on its website or app, such as accept new terms. Then check again.",     Some("Check again")),
        ("institution_unavailable",        "{institution} is temporarily unavailable",    "{institution} isn't responding right now. We'll try again automatically; there's nothing you need to do.",       None),
        ("provider_unavailable",           "Updates from {institution} are delayed",      "Our connection partner for {institution} is having trouble. We'll try again automatically.",                     None),
        ("degraded",                       "Updates from {institution} are delayed",      "We're having trouble updating your accounts at {institution}. We'll keep trying; there's nothing you need to do.", None),
        ("partial_aggregation",            "Some data from {institution} is missing",     "We could only update part of your information from {institution}. We'll try again.",                             None),
        ("partial_aggregation_persists",   "Reconnect {institution}",                     "Some of your information from {institution} still isn't updating. Reconnecting usually fixes this.",             Some("Reconnect")),
        ("inactive_duplicate",             "{institution} is linked twice",               "This is an extra copy of a connection you already have to {institution}. The other one keeps your accounts up to date.", None),
        ("partially_active",               "Some data from {institution} is missing",     "Part of your information from {institution} didn't update. We'll try again.",                                    None),
        ("partially_active_persists",      "Reconnect {institution}",                     "Part of your information from {institution} still isn't updating. Reconnecting usually fixes this.",             Some("Reconnect")),
        ("undetermined",                   "Checking {institution}",                      "We're checking your connection to {institution}. This usually sorts itself out.",                               None),
        ("in_progress",                    "Connecting {institution}",                    "Your connection to {institution} is still being set up. Finish in the window that opened.",                      None),
        ("expired",                        "{institution} wasn't connected",              "You started connecting {institution} but didn't finish. Link it again to see your accounts.",                   Some("Link again")),
        ("deleted",                        "{institution} is disconnected",               "This connection was removed. Your accounts from {institution} no longer update.",                               None),
        ("unknown_status",                 "Checking {institution}",                      "We're checking the status of your connection to {institution}.",                                                None),
    ],
    copy: &[
        ("repair_completed",       "Reconnected",                           "Your accounts at {institution} are updating. This can take a few minutes.",          None),
        ("repair_still_updating",  "Still updating",                        "Your accounts at {institution} are taking longer than usual to update. Check back later.", None),
        ("repair_cancelled",       "Reconnecting stopped",                  "Nothing changed. You can reconnect {institution} whenever you're ready.",           Some("Try again")),
        ("repair_window_lost",     "We lost track of the window",           "If you finished reconnecting {institution} there, your accounts will update in a few minutes. If not, try again.", Some("Try again")),
        ("repair_failed",          "We couldn't reconnect {institution}",   "Something went wrong on our side. Please try again in a minute.",                   Some("Try again")),
        ("repair_failed_popup",    "Your browser blocked the window",       "Allow pop-ups for this site, then try again.",                                      Some("Try again")),
        ("repair_failed_final",    "We couldn't reconnect {institution}",   "Reconnecting isn't available right now. Please try again later or contact support.", None),
        ("repair_not_needed",      "Nothing to reconnect",                  "{institution} doesn't need reconnecting right now.",                                None),
        ("connection_unavailable", "Connection status unavailable",         "We can't show the status of this connection right now. Please try again later.",   None),
        ("dialog",                 "Reconnect {institution}",               "", None),
        // One of Fix all's repairs; the modal fills {count} and {total} (js/widget.js).
        ("dialog_progress",        "Reconnecting {count} of {total}: {institution}", "", None),
        ("close",                  "Close",                                 "", None),
        ("busy",                   "Opening…",                              "", None),
        ("window_open",            "Finish in the window that opened",      "", None),
        ("severity_error",         "Action needed",                         "", None),
        ("severity_warning",       "Recommended",                           "", None),
        ("severity_info",          "For your information",                  "", None),
        ("severity_optional",      "Optional",                              "", None),
        ("severity_success",       "Connected",                             "", None),
        ("severity_updating",      "Updating",                              "", None),
    ],
};

/// `triage`'s summary of a customer's whole list (explain/mod.rs says what the markers are).
#[rustfmt::skip]
pub const SUMMARY: &[(&str, &str, &str, Option<&str>)] = &[
    //  code                title                                  message                                                                                   action label
    ("summary_empty",    "No banks connected",                  "Connect a bank to see your accounts here.",                                              None),
    ("summary_healthy",  "All your banks are up to date",       "Your accounts update on their own. There's nothing for you to do.",                      None),
    ("summary_updating", "Your banks are updating",             "Some of your accounts are catching up. There's nothing for you to do right now.",        None),
    ("summary_optional", "Your banks are working",              "There's an optional step for some of them below.",                                       None),
    ("summary_one",      "{institution} needs you",             "Reconnect {institution} to keep your accounts up to date. It takes about a minute.",    Some("Fix it")),
    ("summary_some",     "{count} of your banks need you",      "Reconnect them one after another to keep your accounts up to date.",                     Some("Fix all")),
];
