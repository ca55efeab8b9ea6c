//! The thumbnail service against the `testing` feature's mock servers: the
//! documented answers, a supplied failure that forces the fallback, and the
//! mock's own checks catching a client misconfigured by the code under test.

use imagegen::runtime::testing::Problem;
use imagegen::{listenhub, octen};
use imagegen_downstream_example::{Provider, ProviderFailure, ThumbnailError, Thumbnailer};
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The PNG signature: the mocks replace the docs' elided base64 with a real PNG.
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

struct Mocks {
    octen: octen::testing::MockServer,
    listenhub: listenhub::testing::MockServer,
}

impl Mocks {
    async fn start() -> Result<Self, std::io::Error> {
        Ok(Self {
            octen: octen::testing::MockServer::start().await?,
            listenhub: listenhub::testing::MockServer::start().await?,
        })
    }

    fn thumbnailer(&self) -> Result<Thumbnailer, imagegen::Error> {
        Ok(Thumbnailer::new(self.octen.client()?, self.listenhub.client()?))
    }
}

#[tokio::test]
async fn thumbnail_comes_from_octen_when_it_answers() -> TestResult {
    let mocks = Mocks::start().await?;
    let thumbnail = mocks.thumbnailer()?.thumbnail("a lighthouse").await?;

    assert_eq!(thumbnail.provider, Provider::Octen);
    assert!(thumbnail.image.starts_with(PNG_MAGIC), "the documented answer's image is a PNG");
    // What Octen received, read back as the typed request.
    let sent = mocks.octen.received_for("generate_images");
    assert_eq!(sent.len(), 1);
    let request: octen::ImageGenerationRequest = sent[0].request()?;
    assert_eq!(request.model, octen::ImageModel::OpenaiGptImage1Mini);
    assert!(request.prompt.contains("a lighthouse"), "prompt: {}", request.prompt);
    assert_eq!(request.n, Some(1));
    // The fallback was never asked, and nothing broke the spec.
    assert!(mocks.listenhub.received().is_empty());
    assert_eq!(mocks.octen.problems(), vec![]);
    Ok(())
}

#[tokio::test]
async fn octen_outage_falls_back_to_listenhub() -> TestResult {
    let mocks = Mocks::start().await?;
    mocks.octen.respond_with(
        "generate_images",
        503,
        json!({"error": {"message": "upstream overloaded", "type": "server_error", "param": null, "code": null}}),
    )?;

    let thumbnail = mocks.thumbnailer()?.thumbnail("a lighthouse").await?;

    assert_eq!(thumbnail.provider, Provider::ListenHub);
    assert!(thumbnail.image.starts_with(PNG_MAGIC));
    assert_eq!(mocks.octen.received_for("generate_images").len(), 1, "no retry: the mock client has none");
    let sent = mocks.listenhub.received_for("generate_image");
    assert_eq!(sent.len(), 1);
    let request: listenhub::GenerateImageRequest = sent[0].request()?;
    assert_eq!(request.provider, listenhub::ModelProvider::Google);
    assert_eq!(request.image_config.and_then(|c| c.aspect_ratio), Some(listenhub::AspectRatio::Ratio1x1));
    // The key travelled as ListenHub's bearer token and was redacted in the record.
    assert_eq!(sent[0].header("authorization"), Some("<redacted>"));
    assert_eq!(mocks.listenhub.problems(), vec![]);
    Ok(())
}

#[tokio::test]
async fn an_answer_without_an_image_also_falls_back() -> TestResult {
    let mocks = Mocks::start().await?;
    // A valid Octen response whose `data` is empty (a moderated prompt, say).
    mocks.octen.respond_with("generate_images", 200, json!({"created": 1, "data": []}))?;

    let thumbnail = mocks.thumbnailer()?.thumbnail("a lighthouse").await?;

    assert_eq!(thumbnail.provider, Provider::ListenHub);
    assert_eq!(mocks.listenhub.received_for("generate_image").len(), 1);
    Ok(())
}

#[tokio::test]
async fn both_failing_reports_both_errors() -> TestResult {
    let mocks = Mocks::start().await?;
    mocks.octen.respond_with(
        "generate_images",
        500,
        json!({"error": {"message": "octen down", "type": "server_error"}}),
    )?;
    mocks.listenhub.respond_with("generate_image", 429, json!({"code": "429", "message": "listenhub busy"}))?;

    let err = mocks.thumbnailer()?.thumbnail("a lighthouse").await.err().ok_or("expected both providers to fail")?;

    let ThumbnailError::BothFailed { octen: ProviderFailure::Call(octen), listenhub: ProviderFailure::Call(listenhub) } =
        &err
    else {
        return Err(format!("expected two call failures, got {err:?}").into());
    };
    assert!(matches!(octen, imagegen::Error::Api(api) if api.status == 500), "{octen:?}");
    assert!(matches!(listenhub, imagegen::Error::Api(api) if api.status == 429), "{listenhub:?}");
    assert!(err.to_string().contains("octen down") && err.to_string().contains("listenhub busy"), "{err}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_key_is_caught_by_the_mock() -> TestResult {
    let mocks = Mocks::start().await?;
    // Code under test that loses the key on the way: the mock answers 401 as Octen would.
    let octen = mocks.octen.builder().api_key("not-the-test-key").build()?;
    let thumbnailer = Thumbnailer::new(octen, mocks.listenhub.client()?);

    let thumbnail = thumbnailer.thumbnail("a lighthouse").await?;

    assert_eq!(thumbnail.provider, Provider::ListenHub, "Octen refused the call, so ListenHub drew it");
    let problems = mocks.octen.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].1, Problem::WrongKey { header: "x-api-key" });
    Ok(())
}

#[tokio::test]
async fn an_empty_subject_sends_nothing() -> TestResult {
    let mocks = Mocks::start().await?;
    let err = mocks.thumbnailer()?.thumbnail("   ").await.err().ok_or("expected an error")?;
    assert!(matches!(err, ThumbnailError::EmptySubject), "{err:?}");
    assert!(mocks.octen.received().is_empty() && mocks.listenhub.received().is_empty());
    Ok(())
}
