//! The `<op>_and_wait` methods of an operation that starts an async job: the start
//! call, then polls of the job's status through `HttpClient::wait_for_job`.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

use super::{ident, type_tokens};
use crate::ir::naming::shouty;
use crate::ir::*;

/// `<op>_and_wait`, `<op>_and_wait_with` and the documented `<OP>_POLL_POLICY`.
pub fn wait_methods(op: &OperationIr, m: &MethodIr) -> TokenStream {
    let Some(job) = &op.job else { unreachable!("lowering gives a Wait method only to an operation with a job") };
    let JobIr { poll, status_answer, answer, status, states, pace, trusted_hosts, result } = job;
    let MethodIr { fn_name, role: _, body, answer: _, stream_flag: _ } = m;
    let start = ident(&op.fn_name);
    let with = fn_name.derived("", "_with");
    let policy_name = ident(&format!("{}_POLL_POLICY", shouty(&op.id)));
    let resp = match answer {
        AnswerIr::Json(Some(t)) => type_tokens(t),
        AnswerIr::ByStatus(name) => quote!(#name),
        other => unreachable!("lowering answers a job's wait as JSON or by status, not {other:?}"),
    };
    // The start call's parameters, passed on as they are.
    let mut params = Vec::new();
    let mut args = Vec::new();
    for p in &op.path_params {
        let arg = ident(&p.rust_name);
        let ty = match &p.ty {
            RustType::Named(n) => {
                let t = ident(&n.rust_name);
                quote!(&#t)
            }
            t @ (RustType::I64 | RustType::U32 | RustType::U64) => type_tokens(t),
            _ => quote!(&str),
        };
        params.push(quote!(#arg: #ty));
        args.push(quote!(#arg));
    }
    match body {
        BodyIr::None => {}
        BodyIr::Json { rust_name, .. } => {
            let t = ident(rust_name);
            params.push(quote!(request: &#t));
            args.push(quote!(request));
        }
        BodyIr::Form { rust_name } => {
            let t = ident(rust_name);
            params.push(quote!(form: &#t));
            args.push(quote!(form));
        }
        BodyIr::Params { rust_name } => {
            let t = ident(rust_name);
            params.push(quote!(params: &#t));
            args.push(quote!(params));
        }
    }
    let JobPaceIr { interval_ms, max_interval_ms, backoff, deadline_s } = pace;
    let (interval, max_interval, deadline) =
        (Lit::u64_unsuffixed(*interval_ms), Lit::u64_unsuffixed(*max_interval_ms), Lit::u64_unsuffixed(*deadline_s));
    let backoff = Lit::f64_suffixed(*backoff);
    // The poll target read from the start answer; a missing one is an error keeping the answer.
    let (target_field, fetch, where_) = match poll {
        JobPollIr::Url { field, operation } => {
            let konst = ident(&shouty(operation));
            let hosts = trusted_hosts.iter();
            let fetch = quote! {
                let answer: #resp = self.http.get_json_url_with_response(&operations::#konst, target, &[#(#hosts),*]).await?.into_value();
            };
            (field, fetch, format!("`GET` the URL in `{}` of the start answer", field.wire))
        }
        JobPollIr::Operation { field, operation: _, method, id_arg } => {
            let method_ident = ident(method);
            let wire = &field.wire;
            let integer = match id_arg {
                JobIdArgIr::Path { integer, .. } | JobIdArgIr::Query { integer, .. } => *integer,
            };
            let id = match (&field.kind, integer) {
                (JobFieldKind::Text, false) => quote!(target.as_str()),
                (JobFieldKind::Integer, true) => quote!(*target),
                (JobFieldKind::Integer, false) => quote!(target.to_string()),
                (JobFieldKind::Text, true) => {
                    quote!(target.parse().map_err(|_| self.http.job_start_missing(#wire, target))?)
                }
                (JobFieldKind::Enum, _) => unreachable!("the checker keeps a job id to a string or integer field"),
            };
            let (call, given) = match id_arg {
                JobIdArgIr::Path { integer, params } => {
                    // A path parameter taking `&str` borrows the text `to_string()` made.
                    let id = if !integer && matches!(field.kind, JobFieldKind::Integer) { quote!(&#id) } else { id };
                    // Optional parameters are polled with none set.
                    let call = match params {
                        Some(params) => {
                            let params = ident(params);
                            quote!(self.#method_ident(#id, &#params::default()))
                        }
                        None => quote!(self.#method_ident(#id)),
                    };
                    (call, "as its path parameter".to_string())
                }
                JobIdArgIr::Query { params, wire: param, integer: _ } => {
                    let params = ident(params);
                    (quote!(self.#method_ident(&#params::new(#id))), format!("as its query parameter `{param}`"))
                }
            };
            let fetch = quote!(let answer: #resp = #call.await?;);
            (field, fetch, format!("`{method}` given the id in `{}` of the start answer {given}", field.wire))
        }
    };
    let field_ident = ident(&target_field.rust_name);
    let field_wire = &target_field.wire;
    let take = if target_field.optional {
        quote!(let Some(target) = started.#field_ident.as_ref() else {
            return Err(self.http.job_start_missing(#field_wire, &started));
        };)
    } else {
        quote!(let target = &started.#field_ident;)
    };
    let (read_status, status_doc) = match status {
        JobStatusIr::Field(field) => {
            let status_ident = ident(&field.rust_name);
            let read = match (&field.kind, field.optional) {
                (JobFieldKind::Enum, true) => {
                    quote!(answer.#status_ident.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default())
                }
                (JobFieldKind::Enum, false) => quote!(answer.#status_ident.as_str().to_string()),
                (_, true) => quote!(answer.#status_ident.as_ref().map(|s| s.to_string()).unwrap_or_default()),
                (_, false) => quote!(answer.#status_ident.to_string()),
            };
            (read, format!("`{}`", field.wire))
        }
        JobStatusIr::Answer(statuses) => {
            // The status is the name of the documented success status that answered; an
            // undocumented one is shown by its code and counts as pending.
            let arms = statuses.iter().map(|s| {
                let JobAnswerStatusIr { name, variant } = s;
                quote!(#status_answer::#variant(_) => #name.to_string(),)
            });
            let read = quote! {
                match &answer {
                    #(#arms)*
                    #status_answer::Other(other) => format!("HTTP {}", other.status()),
                }
            };
            (read, "the success status that answered".to_string())
        }
    };
    let JobStatesIr { pending: _, done, failed, moderated, expired } = states;
    let arm = |values: &[String], state: TokenStream| {
        if values.is_empty() {
            TokenStream::new()
        } else {
            quote!(#(#values)|* => runtime::JobState::#state,)
        }
    };
    let (done_arm, failed_arm, moderated_arm, expired_arm) = (
        arm(done, quote!(Done)),
        arm(failed, quote!(Failed)),
        arm(moderated, quote!(Moderated)),
        arm(expired, quote!(Expired)),
    );
    let list = |values: &[String]| {
        if values.is_empty() {
            "none".to_string()
        } else {
            values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
        }
    };
    let hosts_doc = if trusted_hosts.is_empty() {
        "The API key goes only to the base URL's origin.".to_string()
    } else {
        format!(
            "The API key goes only to the base URL's origin and to {}.",
            trusted_hosts.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
        )
    };
    let doc = format!(
        " Calls [`Client::{start}`], then polls the job it starts ({where_}) until it ends, and \
         returns the status answer [`{status_answer}`] once {status_doc} is done ({done}).",
        done = list(done),
    );
    let doc_more = format!(
        " Failed ({failed}), moderated ({moderated}) and expired ({expired}) jobs end in \
         [`runtime::Error::Job`] naming the state and the status; any other status is pending. \
         Pace: [`Client::{policy_name}`]. {hosts_doc}",
        failed = list(failed),
        moderated = list(moderated),
        expired = list(expired),
    );
    let with_doc = format!(
        " [`Client::{fn_name}`] with another pace (a deadline of your own, a sleep hook for tests) \
         and `progress`, called after every answered poll."
    );
    let policy_doc = format!(
        " The documented pace of [`Client::{fn_name}`]: {interval_ms} ms first, ×{} after each poll, at most \
         {max_interval_ms} ms apart, for at most {deadline_s} s.",
        pace.backoff
    );
    let download = result.download().map(|r| {
        let JobResultUrlIr { wire, pointer, method } = r;
        let method = ident(method);
        let hosts = trusted_hosts.iter();
        let doc = format!(
            " Downloads the result of a job [`Client::{fn_name}`] finished: the URL in `{wire}` of the \
             status answer (signed and short-lived, so download it soon). {hosts_doc} An answer without the \
             URL is a [`runtime::Error::Decode`] keeping the answer."
        );
        quote! {
            #[doc = #doc]
            pub async fn #method(&self, done: &#resp) -> Result<runtime::BinaryBody, runtime::Error> {
                self.http.download_job_result(done, #pointer, #wire, &[#(#hosts),*]).await
            }
        }
    });
    quote! {
        #download

        #[doc = #policy_doc]
        pub const #policy_name: runtime::PollPolicy = runtime::PollPolicy::new(
            std::time::Duration::from_millis(#interval),
            std::time::Duration::from_millis(#max_interval),
            #backoff,
            std::time::Duration::from_secs(#deadline),
        );

        #[doc = #doc]
        #[doc = ""]
        #[doc = #doc_more]
        pub async fn #fn_name(&self, #(#params),*) -> Result<#resp, runtime::Error> {
            self.#with(#(#args,)* &Self::#policy_name, |_| {}).await
        }

        #[doc = #with_doc]
        pub async fn #with(
            &self,
            #(#params,)*
            policy: &runtime::PollPolicy,
            progress: impl FnMut(&runtime::JobProgress<'_>),
        ) -> Result<#resp, runtime::Error> {
            let started = self.#start(#(#args),*).await?;
            #take
            let poll = move || async move {
                #fetch
                let status = #read_status;
                let state = match status.as_str() {
                    #done_arm
                    #failed_arm
                    #moderated_arm
                    #expired_arm
                    _ => runtime::JobState::Pending,
                };
                Ok((state, status, answer))
            };
            self.http.wait_for_job(policy, poll, progress).await
        }
    }
}
