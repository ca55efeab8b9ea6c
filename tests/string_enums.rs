//! The traits every generated string enum gets from `runtime::wire::string_enum_traits!`:
//! `FromStr`, `Display`, serde both ways and `AsScalar`, for closed and open enums.

use imagegen::runtime::{AsScalar, Scalar};

#[test]
fn closed_enum_parses_known_values_and_aliases_and_rejects_the_rest() {
    use imagegen::listenhub::{ImageModel, ModelProvider};

    assert_eq!("openai".parse::<ModelProvider>(), Ok(ModelProvider::Openai));
    // A documented alias parses to its variant and is sent under the current name.
    let aliased: ImageModel = "gemini-3.1-flash-image-preview".parse().expect("alias");
    assert_eq!(aliased, ImageModel::Gemini3_1FlashImage);
    assert_eq!(aliased.to_string(), "gemini-3.1-flash-image");

    let err = "midjourney".parse::<ModelProvider>().expect_err("closed enum");
    assert_eq!(err.type_name, "ModelProvider");
    assert_eq!(err.value, "midjourney");
    assert_eq!(err.to_string(), "`midjourney` is not a known ModelProvider (expected one of google, openai)");

    let from_json: Result<ModelProvider, _> = serde_json::from_str("\"midjourney\"");
    assert!(from_json.expect_err("closed enum").to_string().contains("not a known ModelProvider"));
    let from_number: Result<ModelProvider, _> = serde_json::from_str("7");
    assert!(from_number.expect_err("not a string").to_string().contains("expected a string"));
}

#[test]
fn every_known_value_round_trips_through_display_fromstr_and_serde() {
    use imagegen::listenhub::ImageModel;

    for (value, wire) in ImageModel::ALL.iter().zip(ImageModel::KNOWN_VALUES) {
        assert_eq!(value.to_string(), *wire);
        assert_eq!(wire.parse::<ImageModel>().as_ref(), Ok(value));
        let json = serde_json::to_string(value).expect("serializes");
        assert_eq!(json, format!("\"{wire}\""));
        assert_eq!(&serde_json::from_str::<ImageModel>(&json).expect("deserializes"), value);
        assert_eq!(value.as_scalar(), Scalar::Str(wire));
    }
}

#[test]
fn open_enum_keeps_unknown_values_and_sends_them_back_unchanged() {
    use imagegen::routerhub::GeminiImageModel;

    let known: GeminiImageModel = "gemini-2.5-flash-image".parse().expect("alias of a known model");
    assert_eq!(known, GeminiImageModel::GoogleGemini2_5FlashImage);
    assert_eq!(known.to_string(), "google/gemini-2.5-flash-image");

    let future: GeminiImageModel = serde_json::from_str("\"google/gemini-9-ultra-image\"").expect("open enum");
    assert_eq!(future, GeminiImageModel::Unknown("google/gemini-9-ultra-image".into()));
    assert!(future.is_unknown());
    assert_eq!(serde_json::to_string(&future).expect("serializes"), "\"google/gemini-9-ultra-image\"");
    assert_eq!(future.to_string(), "google/gemini-9-ultra-image");
    assert_eq!(future.as_scalar(), Scalar::Str("google/gemini-9-ultra-image"));
}
