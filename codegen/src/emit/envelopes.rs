//! The provider's `envelopes` module: each declared error envelope as a
//! `runtime::Envelope` constant the runtime's one reader is driven by.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, paragraphs, prose_opt};
use crate::ir::{DelayFormatIr, EnvelopeIr, EnvelopeTestIr, FieldPathIr, Literal, PathStepIr, RetryRuleIr, TestIr};

/// `pub mod envelopes { ... }` inside the provider module.
pub fn module(envelopes: &[EnvelopeIr]) -> TokenStream {
    let consts = envelopes.iter().map(envelope);
    quote! {
        /// The error envelopes the spec declares: where each error body keeps its
        /// message, code and retry hints. Operations list the ones they answer with.
        pub mod envelopes {
            #[allow(unused_imports)]
            use crate::runtime::{self, envelope::{JsonKind, Scalar, Step, Test, TestKind}};

            #(#consts)*
        }
    }
}

fn envelope(e: &EnvelopeIr) -> TokenStream {
    // Every fact is named here, so a new one cannot be forgotten.
    let EnvelopeIr {
        name,
        const_name,
        docs,
        body,
        body_keys,
        when,
        message,
        code,
        error_type,
        status,
        param,
        retryable,
        retry_delay,
        retry,
    } = e;
    let rules_doc = retry.iter().map(rule_doc).collect::<Vec<_>>().join("\n");
    let doc = paragraphs(&[
        Some(format!("The `{name}` error envelope: bodies of type [`{}`](super::{}).", body.as_str(), body.as_str())),
        prose_opt(docs),
        (!retry.is_empty()).then(|| format!("Retry rules:\n{rules_doc}")),
    ]);
    let konst = const_name.ident();
    let when = when.iter().map(test);
    let [message, code, error_type, status, param, retryable] = [message, code, error_type, status, param, retryable]
        .map(|paths| {
            let paths = paths.iter().map(path);
            quote!(&[#(#paths),*])
        });
    let retry_delay = match retry_delay {
        Some((at, format)) => {
            let at = path(at);
            let format = ident(match format {
                DelayFormatIr::Duration => "Duration",
                DelayFormatIr::Seconds => "Seconds",
                DelayFormatIr::Milliseconds => "Milliseconds",
            });
            quote!(Some(runtime::envelope::RetryDelay { path: #at, format: runtime::envelope::DelayFormat::#format }))
        }
        None => quote!(None),
    };
    let rules = retry.iter().map(|r| {
        let RetryRuleIr { status, code, message_contains, retry, docs: _ } = r;
        let status = option(status.map(|s| {
            let s = proc_macro2::Literal::u16_unsuffixed(s);
            quote!(#s)
        }));
        let code = option(code.as_ref().map(|c| quote!(#c)));
        let contains = option(message_contains.as_ref().map(|m| quote!(#m)));
        quote!(runtime::envelope::RetryRule { status: #status, code: #code, message_contains: #contains, retry: #retry })
    });
    quote! {
        #[doc = #doc]
        pub const #konst: runtime::Envelope = runtime::Envelope {
            name: #name,
            when: &[#(#when),*],
            body_keys: &[#(#body_keys),*],
            message: #message,
            code: #code,
            error_type: #error_type,
            status: #status,
            param: #param,
            retryable: #retryable,
            retry_delay: #retry_delay,
            retry_rules: &[#(#rules),*],
        };
    }
}

fn rule_doc(r: &RetryRuleIr) -> String {
    let mut when = Vec::new();
    if let Some(status) = r.status {
        when.push(format!("status {status}"));
    }
    if let Some(code) = &r.code {
        when.push(format!("code `{code}`"));
    }
    if let Some(text) = &r.message_contains {
        when.push(format!("a message containing \"{text}\""));
    }
    let verdict = if r.retry { "retried" } else { "not retried" };
    let why = r.docs.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_default();
    format!("- {}: {verdict}{why}", when.join(", "))
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn test(t: &EnvelopeTestIr) -> TokenStream {
    let at = path(&t.path);
    let kind = match &t.test {
        TestIr::Present => quote!(TestKind::Present),
        TestIr::Equals(Literal::Bool(b)) => quote!(TestKind::Equals(Scalar::Bool(#b))),
        TestIr::Equals(Literal::Num(n)) => {
            // The checker allows whole numbers only.
            let n = *n as i64;
            quote!(TestKind::Equals(Scalar::Integer(#n)))
        }
        TestIr::Equals(Literal::Str(s)) => quote!(TestKind::Equals(Scalar::String(#s))),
        TestIr::Is(kind) => {
            let kind = ident(kind);
            quote!(TestKind::Is(JsonKind::#kind))
        }
    };
    quote!(Test { path: #at, kind: #kind })
}

fn path(p: &FieldPathIr) -> TokenStream {
    let steps = p.steps.iter().map(|step| match step {
        PathStepIr::Key(key) => quote!(Step::Key(#key)),
        PathStepIr::Index(i) => {
            let i = proc_macro2::Literal::usize_unsuffixed(*i);
            quote!(Step::Index(#i))
        }
        PathStepIr::ItemWhere { field, value } => quote!(Step::ItemWhere { field: #field, value: #value }),
        PathStepIr::ItemEndingWith { field, suffix } => quote!(Step::ItemEndingWith { field: #field, suffix: #suffix }),
    });
    quote!(&[#(#steps),*])
}
