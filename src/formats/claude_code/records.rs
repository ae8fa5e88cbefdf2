//! The transcript's line shapes as serde reads them (records, messages, usage, content blocks, tool
//! inputs and results) and the `cost-state` record's figures.

use super::*;

#[derive(Deserialize)]
pub(super) struct Record<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(rename = "sessionId", borrow, default)]
    pub(super) session_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) cwd: Option<Cow<'a, str>>,
    #[serde(rename = "gitBranch", borrow, default)]
    pub(super) git_branch: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "requestId", borrow, default)]
    pub(super) request_id: Option<Cow<'a, str>>,
    #[serde(rename = "isSidechain", default)]
    pub(super) is_sidechain: Option<bool>,
    /// An object is parsed; any other value (old logs and fixtures have a bare string) is a record
    /// without a message, not a broken line.
    #[serde(borrow, default)]
    pub(super) message: MapOnly<Message<'a>>,
    #[serde(rename = "toolUseResult", borrow, default)]
    pub(super) tool_use_result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) data: Option<Progress<'a>>,
    /// `pr-link` records: the pull request the session is linked to.
    #[serde(rename = "prNumber", default)]
    pub(super) pr_number: Option<u64>,
    #[serde(rename = "prUrl", borrow, default)]
    pub(super) pr_url: Option<Cow<'a, str>>,
    /// `cost-state`: Claude Code's own total.
    #[serde(rename = "totalCostUSD", borrow, default)]
    pub(super) total_cost_usd: Option<&'a RawValue>,
    /// `cost-state`: per model, `{inputTokens, outputTokens, cacheReadInputTokens,
    /// cacheCreationInputTokens, costUSD}`.
    #[serde(rename = "modelUsage", borrow, default)]
    pub(super) model_usage: Option<&'a RawValue>,
    #[serde(rename = "hasUnknownModelCost", borrow, default)]
    pub(super) has_unknown_model_cost: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
pub(super) struct ModelUsageP {
    #[serde(rename = "inputTokens", default)]
    pub(super) input: crate::formats::lenient::LU64,
    #[serde(rename = "outputTokens", default)]
    pub(super) output: crate::formats::lenient::LU64,
    #[serde(rename = "cacheReadInputTokens", default)]
    pub(super) cache_read: crate::formats::lenient::LU64,
    #[serde(rename = "cacheCreationInputTokens", default)]
    pub(super) cache_write: crate::formats::lenient::LU64,
    #[serde(rename = "costUSD", default)]
    pub(super) cost_usd: Option<serde_json::Value>,
}

/// A finite, non-negative number, else absent.
pub(super) fn usd_of(v: Option<&serde_json::Value>) -> Option<f64> {
    v.and_then(serde_json::Value::as_f64)
        .filter(|x| x.is_finite() && *x >= 0.0)
}

/// Claude Code's own totals from a `cost-state` record.
pub(super) fn cost_state(
    record: &Record<'_>,
    at: Option<Timestamp>,
) -> crate::model::AgentReported {
    let total = record
        .total_cost_usd
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r.get()).ok());
    let models = record
        .model_usage
        .and_then(|r| {
            serde_json::from_str::<std::collections::BTreeMap<String, MapOnly<ModelUsageP>>>(
                r.get(),
            )
            .ok()
        })
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(model, m)| {
            let m = m.0?;
            Some((
                model,
                crate::model::ReportedModel {
                    input: m.input.0.unwrap_or(0),
                    output: m.output.0.unwrap_or(0),
                    cache_read: m.cache_read.0.unwrap_or(0),
                    cache_write: m.cache_write.0.unwrap_or(0),
                    cost_usd: usd_of(m.cost_usd.as_ref()),
                },
            ))
        })
        .collect();
    crate::model::AgentReported {
        source: "cost-state",
        at,
        total_cost_usd: usd_of(total.as_ref()),
        models,
        has_unknown_model_cost: record
            .has_unknown_model_cost
            .is_some_and(|r| r.get().trim() == "true"),
    }
}

#[derive(Deserialize)]
pub(super) struct Progress<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) message: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct Message<'a> {
    #[serde(borrow, default)]
    pub(super) role: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) model: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(super) usage: Option<RawUsage<'a>>,
    /// Parsed in the same pass as the line: tool output is most of a log's bytes, and every extra pass
    /// over it costs as much as reading it.
    /// A string content (plain text) has no blocks; elements that are not objects are ignored.
    #[serde(borrow, default)]
    pub(super) content: SeqOf<Block<'a>>,
}

#[derive(Deserialize, Default)]
pub(super) struct RawUsage<'a> {
    #[serde(default)]
    pub(super) input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) output_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_creation: Option<CacheCreation>,
    #[serde(borrow, default)]
    pub(super) speed: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) service_tier: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
pub(super) struct CacheCreation {
    #[serde(default)]
    pub(super) ephemeral_1h_input_tokens: Option<u64>,
}

impl RawUsage<'_> {
    pub(super) fn to_usage(&self) -> Usage {
        let write = self.cache_creation_input_tokens.unwrap_or(0);
        let (w5, w1) = match &self.cache_creation {
            Some(c) => {
                let w1 = c.ephemeral_1h_input_tokens.unwrap_or(0).min(write);
                // The split is a detail of the total: whatever it does not explain is 5-minute writes.
                (write - w1, w1)
            }
            None => (write, 0),
        };
        Usage {
            input: self.input_tokens.unwrap_or(0),
            output: self.output_tokens.unwrap_or(0),
            cache_read: self.cache_read_input_tokens.unwrap_or(0),
            cache_write_5m: w5,
            cache_write_1h: w1,
            reasoning: 0,
        }
    }

    pub(super) fn tier(&self) -> ServiceTier {
        match (self.speed.as_deref(), self.service_tier.as_deref()) {
            (Some("fast"), _) => ServiceTier::Fast,
            (_, Some("priority")) => ServiceTier::Priority,
            _ => ServiceTier::Standard,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct Block<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) input: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) tool_use_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(super) is_error: Option<bool>,
    #[serde(borrow, default)]
    pub(super) content: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
pub(super) struct ToolInput<'a> {
    #[serde(borrow, default)]
    pub(super) file_path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) notebook_path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) pattern: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) command: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) content: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) old_string: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) new_string: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) edits: Option<Vec<EditPair<'a>>>,
}

#[derive(Deserialize)]
pub(super) struct EditPair<'a> {
    #[serde(borrow, default)]
    pub(super) old_string: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) new_string: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(super) replace_all: Option<bool>,
}

#[derive(Deserialize)]
pub(super) struct ToolUseResult<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(rename = "filePath", borrow, default)]
    pub(super) file_path: Option<Cow<'a, str>>,
    #[serde(rename = "structuredPatch", default)]
    pub(super) structured_patch: Option<Vec<PatchHunk>>,
    /// The file before the edit (`originalFileContents` in older versions' `MultiEdit` results).
    #[serde(
        rename = "originalFile",
        alias = "originalFileContents",
        borrow,
        default
    )]
    pub(super) original_file: Option<Cow<'a, str>>,
    #[serde(rename = "oldString", borrow, default)]
    pub(super) old_string: Option<Cow<'a, str>>,
    #[serde(rename = "newString", borrow, default)]
    pub(super) new_string: Option<Cow<'a, str>>,
    #[serde(rename = "replaceAll", default)]
    pub(super) replace_all: Option<bool>,
    #[serde(borrow, default)]
    pub(super) edits: Option<Vec<EditPair<'a>>>,
    #[serde(borrow, default)]
    pub(super) content: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct PatchHunk {
    #[serde(rename = "oldStart", default)]
    pub(super) old_start: Option<u32>,
    #[serde(default)]
    pub(super) lines: Vec<String>,
}
